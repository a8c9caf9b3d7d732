export { SystemScreen } from './system-screen';
