import { graphql } from '@/gql';

export const DatasetRowFields = graphql(`
  fragment DatasetRowFields on DatasetVersion {
    id
    number
    name
    status
    progress
    counts
    createdAt
    completedAt
    createdBy
  }
`);

export const DatasetVersionsQuery = graphql(`
  query DatasetVersions($first: Int!) {
    datasetVersions(first: $first) {
      ...DatasetRowFields
    }
  }
`);

export const DatasetVersionQuery = graphql(`
  query DatasetVersion($id: ID!) {
    datasetVersion(id: $id) {
      ...DatasetRowFields
      error
      filters
      testShare
      sha256
      files {
        path
        records
        bytes
        sha256
      }
      card
    }
  }
`);

export const CreateDatasetVersionMutation = graphql(`
  mutation CreateDatasetVersion($input: CreateDatasetVersionInput) {
    createDatasetVersion(input: $input) {
      ...DatasetRowFields
    }
  }
`);

export const DatasetDownloadMutation = graphql(`
  mutation DatasetDownload($id: ID!, $path: String!) {
    datasetDownload(id: $id, path: $path) {
      url
      expiresAt
    }
  }
`);
