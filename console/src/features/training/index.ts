export { TrainingScreen } from './training-screen';
