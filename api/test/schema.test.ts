import { readFile } from 'node:fs/promises';
import { buildSchema, isNonNullType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMIT_COMMAND, SCHEMA_FILE, renderSchema } from '../scripts/emit-schema.js';

describe('schema.graphql', () => {
  let committed: string | undefined;
  let generated: string;

  beforeAll(async () => {
    committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => undefined);
    generated = await renderSchema();
  });

  it('is committed and matches what the resolvers build', () => {
    const hint = `api/schema.graphql is stale: run \`${EMIT_COMMAND}\` and commit the result`;
    expect(committed, hint).toBeDefined();
    // One line per difference in the message, not a 400-line dump.
    const ours = committed!.split('\n');
    const theirs = generated.split('\n');
    const diff: string[] = [];
    for (let i = 0; i < Math.max(ours.length, theirs.length) && diff.length < 20; i++) {
      if (ours[i] !== theirs[i]) diff.push(`line ${i + 1}: committed ${JSON.stringify(ours[i] ?? null)}, generated ${JSON.stringify(theirs[i] ?? null)}`);
    }
    expect(diff, `${hint}\n${diff.join('\n')}`).toEqual([]);
  });

  describe('keeps the client contract of the chat API', () => {
    let schema: GraphQLSchema;
    beforeAll(() => {
      schema = buildSchema(generated);
    });

    /** `field(args): Type` as the schema prints it, e.g. `login(email: String!, password: String!): AuthPayload!`. */
    const signature = (f: GraphQLField<unknown, unknown>) => {
      const args = f.args.map((a) => `${a.name}: ${a.type.toString()}`).sort();
      return `${f.name}${args.length ? `(${args.join(', ')})` : ''}: ${f.type.toString()}`;
    };
    const field = (type: string, name: string) => {
      const t = schema.getType(type);
      if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
      const f = t.getFields()[name];
      if (!f) throw new Error(`${type}.${name} is missing`);
      return f;
    };
    const fieldsOf = (type: string) => {
      const t = schema.getType(type);
      if (!isObjectType(t)) throw new Error(`${type} is not an object type`);
      return Object.fromEntries(Object.values(t.getFields()).map((f) => [f.name, f.type.toString()]));
    };

    it('signs in and refreshes', () => {
      expect(signature(field('Mutation', 'login'))).toBe('login(email: String!, password: String!): AuthPayload!');
      expect(signature(field('Mutation', 'refreshToken'))).toBe('refreshToken(token: String!): AuthPayload!');
      expect(fieldsOf('AuthPayload')).toMatchObject({ accessToken: 'String!', refreshToken: 'String!' });
      expect(signature(field('Query', 'me'))).toBe('me: User!');
    });

    it('creates accounts and API keys', () => {
      expect(signature(field('Mutation', 'createUser'))).toBe('createUser(input: CreateUserInput!): User!');
      expect(signature(field('Mutation', 'createApiKey'))).toBe('createApiKey(input: CreateApiKeyInput!): ApiKeyCreated!');
      expect(fieldsOf('ApiKeyCreated')).toMatchObject({ secret: 'String!' });
    });

    it('sends messages and streams replies', () => {
      expect(signature(field('Mutation', 'sendMessage'))).toBe('sendMessage(input: SendMessageInput!): SendMessagePayload!');
      expect(fieldsOf('SendMessagePayload')).toMatchObject({ userMessage: 'Message!', assistantMessage: 'Message!', conversation: 'Conversation!' });
      expect(fieldsOf('Message')).toMatchObject({ id: 'ID!', status: 'MessageStatus!' });
      expect(signature(field('Subscription', 'messageStream'))).toBe('messageStream(fromSeq: Int, messageId: ID!): MessageEvent!');
      expect(fieldsOf('MessageEvent')).toMatchObject({ seq: 'Int!', delta: 'String', done: 'Boolean!', finishReason: 'String', usage: 'Usage', error: 'StreamError' });
      expect(fieldsOf('Usage')).toMatchObject({ promptTokens: 'Int!', completionTokens: 'Int!', totalTokens: 'Int!' });
      expect(fieldsOf('StreamError')).toMatchObject({ code: 'String!', message: 'String!' });
    });

    it('reads conversations, one by id and as a Relay connection', () => {
      expect(signature(field('Query', 'conversation'))).toBe('conversation(id: ID!): Conversation');
      const conversations = field('Query', 'conversations');
      // `first` may be left out (it has a default) and `after` is optional.
      const first = conversations.args.find((a) => a.name === 'first');
      expect(first?.type.toString().replace(/!$/, '')).toBe('Int');
      expect(first && (!isNonNullType(first.type) || first.defaultValue !== undefined)).toBe(true);
      expect(conversations.args.find((a) => a.name === 'after')?.type.toString()).toBe('String');
      expect(fieldsOf(conversations.type.toString().replace(/!$/, ''))).toMatchObject({ edges: expect.any(String), pageInfo: 'PageInfo!' });
      expect(fieldsOf('PageInfo')).toMatchObject({ hasNextPage: 'Boolean!', endCursor: 'String' });
    });
  });
});
