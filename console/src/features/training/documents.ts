import { graphql } from '@/gql';

export const TrainingRunFields = graphql(`
  fragment TrainingRunFields on TrainingRun {
    id
    number
    method
    status
    step
    totalSteps
    loss
    etaSeconds
    attempt
    error
    createdAt
    startedAt
    finishedAt
    createdBy
    datasetVersionId
    cancelRequestedAt
    baseModelVersion {
      id
      name
    }
    modelVersion {
      id
      name
    }
  }
`);

export const TrainingRunsQuery = graphql(`
  query TrainingRuns($first: Int!) {
    trainingRuns(first: $first) {
      ...TrainingRunFields
    }
  }
`);

export const TrainingRunQuery = graphql(`
  query TrainingRun($id: ID!) {
    trainingRun(id: $id) {
      ...TrainingRunFields
      hyperparameters
      metrics
      lossCurve(points: 500) {
        step
        loss
      }
    }
  }
`);

export const TrainingRunLogQuery = graphql(`
  query TrainingRunLog($id: ID!) {
    trainingRunLog(id: $id, bytes: 16384) {
      text
      size
    }
  }
`);

export const TrainingRunProgressSubscription = graphql(`
  subscription TrainingRunProgress($id: ID!) {
    trainingRunProgress(id: $id) {
      ...TrainingRunFields
    }
  }
`);

export const TrainingChoicesQuery = graphql(`
  query TrainingChoices {
    datasetVersions(first: 50) {
      id
      number
      name
      status
      files {
        path
      }
    }
    modelVersions(first: 50) {
      id
      name
      status
    }
  }
`);

export const StartTrainingRunMutation = graphql(`
  mutation StartTrainingRun($input: StartTrainingRunInput!) {
    startTrainingRun(input: $input) {
      ...TrainingRunFields
    }
  }
`);

export const CancelTrainingRunMutation = graphql(`
  mutation CancelTrainingRun($id: ID!) {
    cancelTrainingRun(id: $id) {
      ...TrainingRunFields
    }
  }
`);

export const ResumeTrainingRunMutation = graphql(`
  mutation ResumeTrainingRun($id: ID!) {
    resumeTrainingRun(id: $id) {
      ...TrainingRunFields
    }
  }
`);
