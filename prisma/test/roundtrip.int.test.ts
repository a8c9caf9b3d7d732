// The same queries on both backends: PostgreSQL (a fresh database from createTestDatabase) and
// PGlite (in memory). These are the shapes the api relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageRole, MessageStatus, Prisma, Role, Thumb, openDatabase, type Database } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';

interface Backend {
  name: 'postgres' | 'pglite';
  open(): Promise<{ db: Database; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'postgres',
    async open() {
      const testDb = await createTestDatabase();
      const db = await openDatabase({ databaseUrl: testDb.url });
      return {
        db,
        cleanup: async () => {
          await db.close();
          await testDb.drop();
        },
      };
    },
  },
  {
    name: 'pglite',
    async open() {
      const db = await openDatabase({ migrate: true });
      return { db, cleanup: () => db.close() };
    },
  },
];

describe.each(backends)('round trip on $name', (backend) => {
  let db: Database;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup();
  });

  it('reports its kind', () => {
    expect(db.kind).toBe(backend.name);
  });

  it('stores users, conversations, a message tree and ratings', async () => {
    const { prisma } = db;
    const user = await prisma.user.create({ data: { email: `ada-${backend.name}@example.com`, name: 'Ada' } });
    expect(user.role).toBe(Role.USER);
    const reviewer = await prisma.user.create({
      data: { email: `grace-${backend.name}@example.com`, role: Role.REVIEWER },
    });

    const conversation = await prisma.conversation.create({
      data: {
        userId: user.id,
        title: 'First chat',
        messages: { create: { userId: user.id, role: MessageRole.USER, content: 'Hello?' } },
      },
      include: { messages: true },
    });
    const question = conversation.messages[0]!;
    expect(question.parentId).toBeNull();
    expect(question.status).toBe(MessageStatus.COMPLETE);

    const answers = await Promise.all(
      ['Hi!', 'Hello there.'].map((content, i) =>
        prisma.message.create({
          data: {
            conversationId: conversation.id,
            userId: user.id,
            parentId: question.id,
            role: MessageRole.ASSISTANT,
            content,
            model: 'dialoop-tiny',
            params: { temperature: 0.7, stop: ['<|im_end|>'] },
            deltaEnds: i === 0 ? [1, 3] : [5, 12],
            tokensPerSecond: 1234.5,
          },
        }),
      ),
    );

    const tree = await prisma.message.findUniqueOrThrow({
      where: { id: question.id },
      include: { children: { orderBy: { content: 'asc' } } },
    });
    expect(tree.children.map((m) => m.content)).toEqual(['Hello there.', 'Hi!']);
    const hi = tree.children.find((m) => m.content === 'Hi!')!;
    expect(hi.parentId).toBe(question.id);
    expect(hi.params).toEqual({ temperature: 0.7, stop: ['<|im_end|>'] });
    expect(hi.deltaEnds).toEqual([1, 3]);
    expect(hi.createdAt).toBeInstanceOf(Date);

    const rating = await prisma.rating.create({
      data: { messageId: answers[0]!.id, userId: reviewer.id, thumb: Thumb.UP, score: 4, tags: ['helpful', 'short'] },
    });
    expect(rating.tags).toEqual(['helpful', 'short']);

    // One rating per (message, user).
    const duplicate = prisma.rating.create({ data: { messageId: answers[0]!.id, userId: reviewer.id, thumb: Thumb.DOWN } });
    await expect(duplicate).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(duplicate).rejects.toMatchObject({ code: 'P2002' });

    const updated = await prisma.rating.upsert({
      where: { messageId_userId: { messageId: answers[0]!.id, userId: reviewer.id } },
      create: { messageId: answers[0]!.id, userId: reviewer.id, thumb: Thumb.DOWN },
      update: { thumb: Thumb.DOWN, comment: 'changed my mind' },
    });
    expect(updated.id).toBe(rating.id);
    expect(updated.thumb).toBe(Thumb.DOWN);

    // Deleting the root cascades through the tree and its ratings.
    await prisma.message.delete({ where: { id: question.id } });
    expect(await prisma.message.count({ where: { conversationId: conversation.id } })).toBe(0);
    expect(await prisma.rating.count({ where: { userId: reviewer.id } })).toBe(0);
  });

  it('batches updates with $executeRaw over unnest($1::text[], $2::text[])', async () => {
    const { prisma } = db;
    const user = await prisma.user.create({ data: { email: `batch-${backend.name}@example.com` } });
    const conversation = await prisma.conversation.create({ data: { userId: user.id, title: 'batch' } });
    const messages = await Promise.all(
      [1, 2, 3].map(() =>
        prisma.message.create({
          data: { conversationId: conversation.id, userId: user.id, role: MessageRole.ASSISTANT, status: MessageStatus.STREAMING },
        }),
      ),
    );
    const ids = messages.slice(0, 2).map((m) => m.id);
    const contents = ["it's done", 'emoji 🎉 and 中文, "quotes", {braces}'];

    const count = await prisma.$executeRaw`
      UPDATE "Message" AS m
         SET "content" = v.content, "status" = 'COMPLETE'
        FROM unnest(${ids}::text[], ${contents}::text[]) AS v(id, content)
       WHERE m."id" = v.id::uuid`;
    expect(count).toBe(2);

    const after = await prisma.message.findMany({ where: { conversationId: conversation.id } });
    const byId = new Map(after.map((m) => [m.id, m]));
    expect(byId.get(ids[0]!)?.content).toBe(contents[0]);
    expect(byId.get(ids[1]!)?.content).toBe(contents[1]);
    expect(byId.get(ids[1]!)?.status).toBe(MessageStatus.COMPLETE);
    expect(byId.get(messages[2]!.id)?.status).toBe(MessageStatus.STREAMING);

    const rows = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Message" WHERE "content" = ANY(${contents}::text[])`;
    expect(rows[0]?.n).toBe(2);
  });

  it('runs interactive transactions and rolls them back on error', async () => {
    const { prisma } = db;
    const email = `tx-${backend.name}@example.com`;
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.user.create({ data: { email } });
        expect(await tx.user.count({ where: { email } })).toBe(1);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await prisma.user.count({ where: { email } })).toBe(0);

    const created = await prisma.$transaction(async (tx) => tx.user.create({ data: { email } }));
    expect(await prisma.user.findUnique({ where: { email } })).toMatchObject({ id: created.id });
  });
});
