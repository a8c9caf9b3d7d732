import { graphql } from '@/gql';

export const MessageFields = graphql(`
  fragment ChatMessage on Message {
    id
    parentId
    role
    content
    status
    model
    finishReason
    errorCode
    errorMessage
    createdAt
    safety
    myRating {
      id
      thumb
      score
      tags
      comment
    }
  }
`);

export const ConversationsQuery = graphql(`
  query ChatConversations($after: String, $search: String) {
    conversations(first: 50, after: $after, search: $search) {
      edges {
        node {
          id
          title
          updatedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ConversationQuery = graphql(`
  query ChatConversation($id: ID!) {
    conversation(id: $id) {
      id
      title
      lockedAt
      messages {
        ...ChatMessage
      }
    }
  }
`);

export const ModelsQuery = graphql(`
  query ChatModels {
    models {
      id
    }
  }
`);

export const SendMessageMutation = graphql(`
  mutation ChatSend($input: SendMessageInput!) {
    sendMessage(input: $input) {
      conversation {
        id
        title
      }
      userMessage {
        ...ChatMessage
      }
      assistantMessage {
        ...ChatMessage
      }
    }
  }
`);

export const RegenerateMutation = graphql(`
  mutation ChatRegenerate($messageId: ID!, $input: RegenerateInput) {
    regenerate(messageId: $messageId, input: $input) {
      ...ChatMessage
    }
  }
`);

export const ContinueMutation = graphql(`
  mutation ChatContinue($messageId: ID!, $input: RegenerateInput) {
    continueGeneration(messageId: $messageId, input: $input) {
      ...ChatMessage
    }
  }
`);

export const EditAndResendMutation = graphql(`
  mutation ChatEditAndResend($messageId: ID!, $content: String!, $model: String) {
    editAndResend(messageId: $messageId, content: $content, model: $model) {
      userMessage {
        ...ChatMessage
      }
      assistantMessage {
        ...ChatMessage
      }
    }
  }
`);

export const CancelMutation = graphql(`
  mutation ChatCancel($messageId: ID!) {
    cancelGeneration(messageId: $messageId) {
      ...ChatMessage
    }
  }
`);

export const RateMutation = graphql(`
  mutation ChatRate($messageId: ID!, $input: RateMessageInput!) {
    rateMessage(messageId: $messageId, input: $input) {
      id
      thumb
      score
      tags
      comment
    }
  }
`);

export const RenameMutation = graphql(`
  mutation ChatRename($id: ID!, $title: String!) {
    renameConversation(id: $id, title: $title) {
      id
      title
    }
  }
`);

export const DeleteMutation = graphql(`
  mutation ChatDelete($id: ID!) {
    deleteConversation(id: $id)
  }
`);

export const MessageStreamSubscription = graphql(`
  subscription ChatStream($messageId: ID!, $fromSeq: Int) {
    messageStream(messageId: $messageId, fromSeq: $fromSeq) {
      seq
      delta
      done
      queuePosition
      estimatedWaitMs
      status
      finishReason
      error {
        code
        message
      }
    }
  }
`);
