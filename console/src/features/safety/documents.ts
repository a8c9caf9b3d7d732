import { graphql } from '@/gql';

export const SafetyTermFields = graphql(`
  fragment SafetyTermFields on SafetyTerm {
    id
    term
    level
    category
    language
    wholeWord
    enabled
    version
    updatedAt
  }
`);

export const SafetyTermsQuery = graphql(`
  query SafetyTerms($first: Int!, $offset: Int!, $search: String, $level: SafetyLevel, $category: String) {
    safetyTerms(first: $first, offset: $offset, search: $search, level: $level, category: $category) {
      ...SafetyTermFields
    }
    safetyStatus {
      enabled
      version
      latestVersion
    }
  }
`);

export const CreateSafetyTermMutation = graphql(`
  mutation SafetyCreateTerm($input: CreateSafetyTermInput!) {
    createSafetyTerm(input: $input) {
      ...SafetyTermFields
    }
  }
`);

export const UpdateSafetyTermMutation = graphql(`
  mutation SafetyUpdateTerm($id: ID!, $input: UpdateSafetyTermInput!) {
    updateSafetyTerm(id: $id, input: $input) {
      ...SafetyTermFields
    }
  }
`);

export const DeleteSafetyTermMutation = graphql(`
  mutation SafetyDeleteTerm($id: ID!) {
    deleteSafetyTerm(id: $id)
  }
`);

export const ImportSafetyTermsMutation = graphql(`
  mutation SafetyImportTerms($csv: String!) {
    importSafetyTerms(csv: $csv) {
      rows
      created
      updated
      unchanged
      duplicates
      version
    }
  }
`);

export const RewriteRuleFields = graphql(`
  fragment RewriteRuleFields on RewriteRule {
    id
    pattern
    replacement
    regex
    caseSensitive
    description
    enabled
    version
  }
`);

export const RewriteRulesQuery = graphql(`
  query SafetyRewriteRules {
    rewriteRules {
      ...RewriteRuleFields
    }
  }
`);

export const CreateRewriteRuleMutation = graphql(`
  mutation SafetyCreateRule($input: CreateRewriteRuleInput!) {
    createRewriteRule(input: $input) {
      ...RewriteRuleFields
    }
  }
`);

export const UpdateRewriteRuleMutation = graphql(`
  mutation SafetyUpdateRule($id: ID!, $input: UpdateRewriteRuleInput!) {
    updateRewriteRule(id: $id, input: $input) {
      ...RewriteRuleFields
    }
  }
`);

export const DeleteRewriteRuleMutation = graphql(`
  mutation SafetyDeleteRule($id: ID!) {
    deleteRewriteRule(id: $id)
  }
`);

export const SafetyEscalationsQuery = graphql(`
  query SafetyEscalations($open: Boolean) {
    safetyEscalations(open: $open, first: 100) {
      id
      at
      step
      scope
      count
      windowSeconds
      conversationId
      personPseudonym
      resolution
      resolvedAt
      resolvedBy
    }
  }
`);

export const ResolveEscalationMutation = graphql(`
  mutation SafetyResolveEscalation($id: ID!, $resolution: String!) {
    resolveSafetyEscalation(id: $id, resolution: $resolution) {
      id
      resolvedAt
    }
  }
`);

export const UnlockConversationMutation = graphql(`
  mutation SafetyUnlockConversation($id: ID!) {
    unlockConversation(id: $id) {
      id
    }
  }
`);

export const SafetyPreviewQuery = graphql(`
  query SafetyPreview($text: String!, $direction: SafetyDirection!) {
    safetyPreview(text: $text, direction: $direction) {
      enabled
      version
      outcome
      level
      text
      scannedText
      matches {
        termId
        term
        termNormalized
        category
        level
        action
        matched
        normalized
        start
        end
        wholeWord
        afterMasking
      }
      rewrites {
        ruleId
        pattern
        replacement
        regex
        applications
      }
    }
  }
`);

export const SafetyStatsQuery = graphql(`
  query SafetyStats($from: DateTimeISO, $to: DateTimeISO) {
    safetyStats(from: $from, to: $to) {
      from
      to
      all {
        block
        mask
        review
        total
      }
      input {
        total
      }
      output {
        total
      }
      days {
        day
        all {
          block
          mask
          review
        }
      }
    }
  }
`);
