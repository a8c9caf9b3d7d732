import { graphql } from '@/gql';

export const ModelVersionFields = graphql(`
  fragment ModelVersionFields on ModelVersion {
    id
    name
    status
    canaryShare
    parentId
    previousActiveId
    datasetVersionId
    trainingRunId
    createdAt
    activatedAt
    createdBy
    sha256
  }
`);

export const ModelVersionsQuery = graphql(`
  query ModelVersions {
    modelVersions(first: 100) {
      ...ModelVersionFields
    }
  }
`);

export const ModelVersionDetailQuery = graphql(`
  query ModelVersionDetail($id: ID!) {
    modelVersion(id: $id) {
      id
      metrics
      files {
        path
        bytes
        sha256
      }
    }
  }
`);

export const ModelComparisonQuery = graphql(`
  query ModelComparison($baselineId: ID, $challengerId: ID) {
    modelComparison(baselineId: $baselineId, challengerId: $challengerId) {
      baseline {
        id
        name
      }
      challenger {
        id
        name
      }
      n
      items
      wins
      losses
      ties
      winRate
      low
      high
      confidence
    }
  }
`);

export const ActivateModelVersionMutation = graphql(`
  mutation ActivateModelVersion($id: ID!) {
    activateModelVersion(id: $id) {
      id
      status
    }
  }
`);

export const SetCanaryMutation = graphql(`
  mutation SetCanaryModelVersion($id: ID!, $share: Float!) {
    setCanaryModelVersion(id: $id, share: $share) {
      id
      status
      canaryShare
    }
  }
`);

export const RollbackMutation = graphql(`
  mutation RollbackModelVersion {
    rollbackModelVersion {
      id
      status
    }
  }
`);

export const CreateArenaItemsMutation = graphql(`
  mutation CreateArenaItems($input: CreateArenaItemsInput) {
    createArenaItems(input: $input) {
      baseline
      challenger
      created
    }
  }
`);
