export { AdjudicationScreen } from './adjudication-screen';
export { AgreementScreen } from './agreement-screen';
export { kindOfSlug } from './kinds';
export { LabelScreen } from './label-screen';
export { QueueScreen } from './queue-screen';
