export { DatasetsScreen } from './datasets-screen';
