import { graphql } from '@/gql';

export const InferenceServersQuery = graphql(`
  query SystemInferenceServers {
    inferenceServers {
      url
      reachable
      ready
      responseTimeMs
      models
      runningSequences
      queuedSequences
      tokensPerSecond
      generatedTokensTotal
      scrapedAt
      error
    }
  }
`);
