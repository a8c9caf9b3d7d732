import { graphql } from '@/gql';

export const UserRowFields = graphql(`
  fragment UserRowFields on User {
    id
    email
    name
    pseudonym
    role
    disabled
    createdAt
  }
`);

export const UsersQuery = graphql(`
  query AdminUsers($first: Int, $after: String, $search: String) {
    users(first: $first, after: $after, search: $search) {
      ...UserRowFields
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation AdminCreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      ...UserRowFields
    }
  }
`);

export const UpdateUserMutation = graphql(`
  mutation AdminUpdateUser($id: ID!, $role: Role, $disabled: Boolean) {
    updateUser(id: $id, role: $role, disabled: $disabled) {
      ...UserRowFields
    }
  }
`);

export const EraseUserMutation = graphql(`
  mutation AdminEraseUser($id: ID!) {
    eraseUser(id: $id) {
      pseudonym
      conversations
      messages
      ratings
      apiKeys
    }
  }
`);

export const ApiKeysQuery = graphql(`
  query AdminApiKeys {
    apiKeys {
      id
      name
      prefix
      scopes
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation AdminCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
        prefix
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation AdminRevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);
