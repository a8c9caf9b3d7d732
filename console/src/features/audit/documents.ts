import { graphql } from '@/gql';

export const AuditRowFields = graphql(`
  fragment AuditRowFields on AuditEntry {
    seq
    at
    action
    outcome
    actor {
      kind
      pseudonym
      role
      apiKeyId
    }
    subject {
      type
      id
      owner
    }
  }
`);

export const AuditEntriesQuery = graphql(`
  query AuditEntries($filter: AuditFilterInput, $first: Int, $after: String) {
    auditEntries(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...AuditRowFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const AuditCheckpointFields = graphql(`
  fragment AuditCheckpointFields on AuditCheckpoint {
    seq
    hash
    at
    keyId
    signature
    signatureValid
  }
`);

export const AuditEntryQuery = graphql(`
  query AuditEntry($seq: SafeInt!) {
    auditEntry(seq: $seq) {
      entry {
        ...AuditRowFields
        requestId
        clientIp
        userAgent
        before
        after
        prevHash
        hash
      }
      checkpoint {
        ...AuditCheckpointFields
      }
    }
  }
`);

export const AuditStatsQuery = graphql(`
  query AuditStats($filter: AuditFilterInput) {
    auditStats(filter: $filter) {
      perDay {
        day
        outcome
        count
      }
      denialsByAction {
        action
        count
      }
    }
  }
`);

export const VerifyAuditChainQuery = graphql(`
  query VerifyAuditChain($from: SafeInt, $to: SafeInt) {
    verifyAuditChain(from: $from, to: $to) {
      valid
      checked
      firstSeq
      lastSeq
      checkpointsVerified
      lastCheckpointSeq
      broken {
        seq
        reason
        detail
      }
      ms
    }
  }
`);

export const AuditCheckpointsQuery = graphql(`
  query AuditCheckpoints($first: Int) {
    auditCheckpoints(first: $first) {
      ...AuditCheckpointFields
    }
    auditPublicKey {
      keyId
      pem
    }
  }
`);

export const ExportAuditMutation = graphql(`
  mutation ExportAudit($format: AuditExportFormat!, $filter: AuditFilterInput) {
    exportAudit(format: $format, filter: $filter) {
      downloadPath
      expiresAt
      format
      fromSeq
      toSeq
      checkpoint {
        seq
      }
    }
  }
`);

export const CreateAuditCheckpointMutation = graphql(`
  mutation CreateAuditCheckpoint {
    createAuditCheckpoint {
      ...AuditCheckpointFields
    }
  }
`);
