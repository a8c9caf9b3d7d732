/**
 * The review queue (issue 6, "Feedback") through GraphQL over HTTP only: items made by an admin
 * and by the collect sweep, claims with leases under concurrency, N independent reviews with
 * hidden labels, skips, validation, adjudication, the preference pairs each kind yields, and the
 * agreement report — checked against values worked out by hand below (feedback/src/pairs.ts and
 * agreement.ts are the rules). Real api, real PostgreSQL, real inference with the default model.
 *
 * One api for most tests; the queue is shared, so each test uses fresh reviewers and starts from
 * a queue with no open item (`drain` decides any left open by an earlier test). Lease expiry runs
 * on a second api with a 2-second lease.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEND, codeOf, collect, gql, gqlOk, login, newUser, startApi, startInference, textOf, waitFor, wsClient, type GqlResult, type Proc, type TestApi } from './stack.js';

/** Short replies that always run to maxTokens, sampled so that siblings differ. */
const GEN = { maxTokens: 12, ignoreEos: true, temperature: 1 };
const QUEUE_ENV = { REVIEW_COLLECT_INTERVAL_S: '0', REVIEW_SAMPLE_SHARE: '0', REVIEWS_PER_ITEM: '2' };

const ITEM = `id source kind status requiredReviews reviewCount agreement priority adjudicatedAt
  prompt { role content } candidates { id label content model messageId } rubric { id label min max }`;
const CLAIM_F = `id status claimedAt expiresAt item { id kind status }`;
const PAIR_F = `id source itemId ownerPseudonym prompt { role content } chosen rejected margin agreement chosenModel rejectedModel language flagged`;
const REVIEW_F = `id itemId reviewerPseudonym kind choice strength ranking candidateId scores { criterion score } text tags comment adjudication`;
const CREATE = `mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { ${ITEM} } }`;
const CLAIM = `mutation($k: ReviewKind) { claimReviewItem(kind: $k) { ${CLAIM_F} } }`;
const SUBMIT = `mutation($id: ID!, $i: ReviewInput!) { submitReview(itemId: $id, input: $i) { ${CLAIM_F} } }`;
const RELEASE = `mutation($id: ID!) { releaseReviewClaim(itemId: $id) { ${CLAIM_F} } }`;
const ADJUDICATE = `mutation($id: ID!, $i: ReviewInput!) { adjudicateReviewItem(itemId: $id, input: $i) { ${ITEM} } }`;
const GET_ITEM = `query($id: ID!) { reviewItem(id: $id) { ${ITEM} } }`;
const GET_REVIEWS = `query($id: ID!) { reviewItem(id: $id) { id reviews { ${REVIEW_F} } } }`;
const GET_PAIRS = `query($id: ID!) { reviewItem(id: $id) { id status reviewCount agreement pairs { ${PAIR_F} } } }`;
/** Lists select little: the api limits a query's cost. */
const ITEMS = `query($s: ReviewItemStatus, $f: ReviewItemFilter) { reviewItems(status: $s, filter: $f, first: 100) {
  nodes { id source kind status requiredReviews candidates { id messageId content } rubric { id min } } hasNextPage } }`;
const MY_CLAIMS = `{ myReviewClaims { ${CLAIM_F} } }`;
const AGREEMENT = `query($f: ReviewItemFilter) { reviewAgreement(filter: $f) {
  items reviews choiceAlpha scoreAlpha kappa { reviewerA reviewerB items kappa } reviewers { reviewer reviews meanKappa pairs alphaWithout } } }`;
const COLLECT = `mutation { collectReviewItems { siblings lowRating safety sample generated } }`;
const REGEN = `mutation($id: ID!, $i: RegenerateInput) { regenerate(messageId: $id, input: $i) { id } }`;
const RATE = `mutation($id: ID!, $i: RateMessageInput!) { rateMessage(messageId: $id, input: $i) { id } }`;

interface Candidate { id: string; label: string; content: string; model: string | null; messageId: string | null }
interface Item {
  id: string; source: string; kind: string; status: string; requiredReviews: number; reviewCount: number; agreement: number | null;
  adjudicatedAt: string | null; prompt: { role: string; content: string }[]; candidates: Candidate[]; rubric: { id: string; label: string; min: number; max: number }[];
}
interface Claim { id: string; status: string; claimedAt: string; expiresAt: string; item: { id: string; kind: string; status: string } }
interface Pair { source: string; itemId: string | null; prompt: { role: string; content: string }[]; chosen: string; rejected: string; margin: number; agreement: number | null; chosenModel: string | null }
interface Exchange { conversationId: string; promptId: string; prompt: string; replyIds: string[] }
type Person = { token: string; id: string; email: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const issuesOf = (r: GqlResult) => (r.errors?.[0]?.extensions?.issues ?? []) as { path: string; message: string }[];

/** Waits, over the WebSocket, for these replies to finish; returns their texts. */
async function finish(url: string, token: string, ids: string[]): Promise<string[]> {
  const client = wsClient(url, token);
  try {
    const all = await Promise.all(ids.map((id) => collect(client, id)));
    for (const events of all) expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    return all.map(textOf);
  } finally {
    await client.dispose();
  }
}

/** A prompt and `n` complete replies to it that differ: sendMessage, then regenerate with other seeds. */
async function siblings(url: string, token: string, prompt: string, n: number): Promise<Exchange> {
  const sent = (await gqlOk(url, SEND, { input: { content: prompt, params: { ...GEN, seed: 1 } } }, token)).sendMessage;
  const first = sent.assistantMessage.id as string;
  const texts = new Map<string, string>([[first, (await finish(url, token, [first]))[0]!]]);
  for (let seed = 2; new Set(texts.values()).size < n; seed++) {
    if (seed > n + 6) throw new Error(`no ${n} different replies to ${prompt}`);
    const id = (await gqlOk(url, REGEN, { id: first, i: { params: { ...GEN, seed } } }, token)).regenerate.id as string;
    const [text] = await finish(url, token, [id]);
    if (![...texts.values()].includes(text!)) texts.set(id, text!);
  }
  return { conversationId: sent.conversation.id, promptId: sent.userMessage.id, prompt, replyIds: [...texts.keys()].slice(0, n) };
}

describe('review queue', () => {
  let inference: Proc;
  let api: TestApi;
  let leaseApi: TestApi;
  let admin: string;
  let owner: Person;
  /** The replies each test reviews, made up front and all at once. */
  const ex: Record<string, Exchange> = {};

  const create = async (e: Exchange, extra: Record<string, unknown> = {}, url = api.url, token = admin): Promise<Item> =>
    (await gqlOk(url, CREATE, { i: { messageIds: e.replyIds, ...extra } }, token)).createReviewItem;
  const claim = async (token: string, kind?: string, url = api.url): Promise<Claim | null> => (await gqlOk(url, CLAIM, { k: kind ?? null }, token)).claimReviewItem;
  const submit = (token: string, itemId: string, input: Record<string, unknown>, url = api.url) => gql(url, SUBMIT, { id: itemId, i: input }, token);
  const submitOk = async (token: string, itemId: string, input: Record<string, unknown>): Promise<Claim> => {
    const r = await submit(token, itemId, input);
    if (r.errors?.length) throw new Error(`submitReview: ${JSON.stringify(r.errors)}`);
    return r.data.submitReview;
  };
  const getItem = async (id: string, token = admin): Promise<Item> => (await gqlOk(api.url, GET_ITEM, { id }, token)).reviewItem;
  const pairsOf = async (id: string): Promise<Pair[]> => (await gqlOk(api.url, GET_PAIRS, { id }, admin)).reviewItem.pairs;
  const reviewers = (n: number, url = api.url) => Promise.all(Array.from({ length: n }, () => newUser(url, 'REVIEWER')));
  /** Claims the next item of `kind` and checks it is `itemId` (the queue holds no other). */
  const claimOf = async (token: string, itemId: string, kind?: string): Promise<Claim> => {
    const c = await claim(token, kind);
    expect(c?.item.id, 'claimed item').toBe(itemId);
    return c!;
  };
  const pick = (item: Item, label: string) => item.candidates.find((c) => c.label === label)!;
  const pairwise = (choice: string, strength?: number) => ({ kind: 'PAIRWISE', choice, ...(strength ? { strength } : {}) });

  /** Decides every open item as the admin, so that the next test's reviewers find only its own. */
  async function drain(): Promise<void> {
    const open: Item[] = (await gqlOk(api.url, ITEMS, { s: 'OPEN' }, admin)).reviewItems.nodes;
    for (const it of open) {
      const ids = it.candidates.map((c) => c.id);
      const input = {
        PAIRWISE: { kind: 'PAIRWISE', choice: 'TIE' },
        RANKING: { kind: 'RANKING', ranking: ids },
        RUBRIC: { kind: 'RUBRIC', candidateId: ids[0], scores: it.rubric.map((c) => ({ criterion: c.id, score: c.min })) },
        CORRECTION: { kind: 'CORRECTION', candidateId: ids[0], text: 'Drained.' },
      }[it.kind];
      await gql(api.url, ADJUDICATE, { id: it.id, i: input }, admin);
    }
  }

  beforeAll(async () => {
    inference = await startInference();
    [api, leaseApi] = await Promise.all([startApi(inference.url, QUEUE_ENV), startApi(inference.url, { ...QUEUE_ENV, REVIEW_LEASE_S: '2' })]);
    admin = await login(api.url, 'admin@demo.local');
    owner = await newUser(api.url);
    const leaseOwner = await newUser(leaseApi.url);
    const plan: [string, string, number][] = [
      ['concurrency', 'Name a colour.', 2],
      ['doubleClaim', 'Name a shape.', 2],
      ['nReviews', 'What is the capital of France?', 2],
      ['skip', 'Say something nice.', 2],
      ['rubric', 'Explain rain briefly.', 2],
      ['badRanking', 'List three fruits.', 3],
      ['badPair', 'Name a planet.', 2],
      ['disagree', 'Is tea better than coffee?', 2],
      ['ranking', 'Write a haiku about snow.', 3],
      ['correction', 'What is 2 plus 2?', 2],
      ...[1, 2, 3, 4].map((i): [string, string, number] => [`agree${i}`, `Tell me fact number ${i}.`, 2]),
      ['siblings', 'Suggest a name for a cat.', 2],
      ['lowRating', 'Describe the sea.', 1],
    ];
    await Promise.all([
      ...plan.map(async ([key, prompt, n]) => (ex[key] = await siblings(api.url, owner.token, prompt, n))),
      siblings(leaseApi.url, leaseOwner.token, 'Name a river.', 2).then((e) => (ex.lease = e)),
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await leaseApi?.close();
    await inference?.stop();
  });
  beforeEach(async () => {
    if (admin) await drain();
  });

  it('concurrent claims never hand an item to more reviewers than it needs; a claim comes back to its holder; no item twice', async () => {
    const item = await create(ex.concurrency!, { requiredReviews: 2 });
    expect(item).toMatchObject({ source: 'MANUAL', kind: 'PAIRWISE', status: 'OPEN', requiredReviews: 2, reviewCount: 0 });
    expect(item.candidates.map((c) => c.label)).toEqual(['A', 'B']);
    expect(item.candidates.map((c) => c.messageId).sort()).toEqual([...ex.concurrency!.replyIds].sort());
    expect(item.prompt.at(-1)).toEqual({ role: 'user', content: ex.concurrency!.prompt });

    const rs = await reviewers(7);
    const five = rs.slice(0, 5);
    const first = await Promise.all(five.map((r) => claim(r.token)));
    const holders = five.filter((_, i) => first[i]?.item.id === item.id);
    expect(holders).toHaveLength(2);
    expect(new Set(first.filter((c) => c?.item.id === item.id).map((c) => c!.id)).size).toBe(2);

    // All five at once again: each holder gets its own claim back, the others still not this item.
    const again = await Promise.all(five.map((r) => claim(r.token)));
    five.forEach((_, i) => {
      if (first[i]?.item.id === item.id) expect(again[i]).toMatchObject({ id: first[i]!.id, status: 'CLAIMED', item: { id: item.id } });
      else expect(again[i]?.item.id).not.toBe(item.id);
    });
    const [h1, h2] = holders as [Person, Person];
    const mine: Claim[] = (await gqlOk(api.url, MY_CLAIMS, {}, h1.token)).myReviewClaims;
    expect(mine.map((c) => c.item.id)).toEqual([item.id]);

    // A reviewer who submitted never gets the item again, even with a slot free.
    expect((await submitOk(h1.token, item.id, pairwise('A', 2))).status).toBe('SUBMITTED');
    expect((await getItem(item.id)).reviewCount).toBe(1);
    expect((await claim(h1.token))?.item.id).not.toBe(item.id);
    expect((await gqlOk(api.url, RELEASE, { id: item.id }, h2.token)).releaseReviewClaim.status).toBe('RELEASED');
    expect((await claim(h1.token))?.item.id).not.toBe(item.id);

    // One slot, two newcomers at the same moment: exactly one of them gets it.
    const [n1, n2] = [rs[5]!, rs[6]!];
    const race = await Promise.all([claim(n1.token), claim(n2.token)]);
    expect(race.filter((c) => c?.item.id === item.id)).toHaveLength(1);
    const winner = race[0]?.item.id === item.id ? n1 : n2;
    await submitOk(winner.token, item.id, pairwise('A', 1));
    expect(await getItem(item.id)).toMatchObject({ status: 'DONE', reviewCount: 2 });
    for (const r of rs) expect((await claim(r.token))?.item.id).not.toBe(item.id);
  });

  it('a reviewer who asks twice at the same moment gets the same one claim both times', async () => {
    const item = await create(ex.doubleClaim!, { requiredReviews: 2 });
    const [r] = await reviewers(1);
    const both = await Promise.all([claim(r!.token), claim(r!.token)]);
    expect(both.map((c) => c?.item.id ?? null)).toEqual([item.id, item.id]);
    expect(both[0]!.id).toBe(both[1]!.id);
    expect((await gqlOk(api.url, MY_CLAIMS, {}, r!.token)).myReviewClaims).toHaveLength(1);
  });

  it('two agreeing pairwise reviews: labels hidden until one submits, then DONE with one COMPARISON pair', async () => {
    const item = await create(ex.nReviews!, { kind: 'PAIRWISE', requiredReviews: 2 });
    const [a, b] = await reviewers(2);
    await claimOf(a!.token, item.id);
    await claimOf(b!.token, item.id);
    // Nobody's labels before one's own review: not even an empty list.
    expect(codeOf(await gql(api.url, GET_REVIEWS, { id: item.id }, a!.token))).toBe('FORBIDDEN');
    expect((await submitOk(a!.token, item.id, { ...pairwise('B', 2), tags: ['accurate'], comment: 'B names Paris' })).status).toBe('SUBMITTED');
    expect(await getItem(item.id)).toMatchObject({ status: 'OPEN', reviewCount: 1, agreement: null });
    const hidden = await gql(api.url, GET_REVIEWS, { id: item.id }, b!.token);
    expect(codeOf(hidden)).toBe('FORBIDDEN');
    expect(JSON.stringify(hidden.data ?? {})).not.toContain('accurate');
    // The item itself is readable while claimed; its pairs are for admins and ML engineers.
    expect((await getItem(item.id, b!.token)).candidates).toHaveLength(2);
    expect(codeOf(await gql(api.url, GET_PAIRS, { id: item.id }, b!.token))).toBe('FORBIDDEN');

    await submitOk(b!.token, item.id, pairwise('B', 3));
    const seen = (await gqlOk(api.url, GET_REVIEWS, { id: item.id }, b!.token)).reviewItem.reviews;
    expect(seen).toHaveLength(2);
    expect(seen.map((r: any) => [r.choice, r.strength]).sort()).toEqual([['B', 2], ['B', 3]]);
    expect(new Set(seen.map((r: any) => r.reviewerPseudonym)).size).toBe(2);
    expect(seen.find((r: any) => r.strength === 2)).toMatchObject({ kind: 'PAIRWISE', tags: ['accurate'], comment: 'B names Paris', adjudication: false });
    expect((await gqlOk(api.url, GET_REVIEWS, { id: item.id }, a!.token)).reviewItem.reviews).toHaveLength(2);

    const done = await getItem(item.id);
    expect(done).toMatchObject({ status: 'DONE', reviewCount: 2, agreement: 1 });
    // fromComparisons: net strength 2 + 3 for B over 2 reviews → margin 2.5; both chose B → agreement 1.
    const pairs = await pairsOf(item.id);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ source: 'COMPARISON', itemId: item.id, chosen: pick(done, 'B').content, rejected: pick(done, 'A').content, agreement: 1, chosenModel: 'dialoop-tiny' });
    expect(pairs[0]!.margin).toBeCloseTo(2.5, 9);
    expect(pairs[0]!.prompt.at(-1)).toEqual({ role: 'user', content: ex.nReviews!.prompt });
  });

  it('a skip needs a reason, frees the slot for someone else, and the skipper never gets the item again', async () => {
    const item = await create(ex.skip!, { requiredReviews: 1 });
    const [a, b, c] = await reviewers(3);
    await claimOf(a!.token, item.id);
    expect(await claim(b!.token)).toBeNull();
    expect(codeOf(await submit(a!.token, item.id, { kind: 'SKIP' }))).toBe('BAD_USER_INPUT');
    expect((await submitOk(a!.token, item.id, { kind: 'SKIP', reason: 'NEEDS_EXPERTISE', comment: 'medical' })).status).toBe('SKIPPED');
    expect(await getItem(item.id)).toMatchObject({ status: 'OPEN', reviewCount: 0 });
    expect(await claim(a!.token)).toBeNull();
    await claimOf(b!.token, item.id);
    // A skipped claim is no live claim: submitting after it is refused.
    expect(codeOf(await submit(a!.token, item.id, pairwise('A', 1)))).toBe('CONFLICT');
    expect((await gqlOk(api.url, RELEASE, { id: item.id }, b!.token)).releaseReviewClaim.status).toBe('RELEASED');
    expect(await claim(a!.token)).toBeNull();
    await claimOf(c!.token, item.id);
    await submitOk(c!.token, item.id, pairwise('A', 1));
    expect(await getItem(item.id)).toMatchObject({ status: 'DONE', reviewCount: 1 });
    expect(await claim(a!.token)).toBeNull();
  });

  it('refuses answers that do not fit the item, naming the path, and keeps the claim', async () => {
    const [rubricItem, rankingItem, pairItem] = [
      await create(ex.rubric!, { kind: 'RUBRIC', requiredReviews: 1 }),
      await create(ex.badRanking!, { requiredReviews: 1 }),
      await create(ex.badPair!, { requiredReviews: 1 }),
    ];
    expect(rubricItem.rubric.map((c) => [c.id, c.min, c.max])).toEqual([['helpfulness', 1, 5], ['harmlessness', 1, 5], ['honesty', 1, 5]]);
    expect(rankingItem.kind).toBe('RANKING');
    const [r] = await reviewers(1);
    const t = r!.token;
    await claimOf(t, rubricItem.id, 'RUBRIC');
    await claimOf(t, rankingItem.id, 'RANKING');
    await claimOf(t, pairItem.id, 'PAIRWISE');

    const cand = rubricItem.candidates[0]!.id;
    const outOfRange = await submit(t, rubricItem.id, { kind: 'RUBRIC', candidateId: cand, scores: [{ criterion: 'helpfulness', score: 6 }, { criterion: 'harmlessness', score: 5 }, { criterion: 'honesty', score: 4 }] });
    expect(codeOf(outOfRange)).toBe('BAD_USER_INPUT');
    expect(issuesOf(outOfRange)).toEqual([{ path: 'scores.helpfulness', message: expect.any(String) }]);
    const missing = await submit(t, rubricItem.id, { kind: 'RUBRIC', candidateId: cand, scores: [{ criterion: 'helpfulness', score: 3 }, { criterion: 'harmlessness', score: 5 }] });
    expect(issuesOf(missing).map((i) => i.path)).toEqual(['scores.honesty']);
    const wrongKind = await submit(t, rubricItem.id, pairwise('A', 1));
    expect(codeOf(wrongKind)).toBe('BAD_USER_INPUT');

    const ids = rankingItem.candidates.map((c) => c.id);
    const omits = await submit(t, rankingItem.id, { kind: 'RANKING', ranking: ids.slice(0, 2) });
    expect(codeOf(omits)).toBe('BAD_USER_INPUT');
    expect(issuesOf(omits).map((i) => i.path)).toContain('ranking');
    const twice = await submit(t, rankingItem.id, { kind: 'RANKING', ranking: [ids[0], ids[0], ids[1]] });
    expect(issuesOf(twice).map((i) => i.path)).toContain('ranking');

    const noStrength = await submit(t, pairItem.id, { kind: 'PAIRWISE', choice: 'A' });
    expect(codeOf(noStrength)).toBe('BAD_USER_INPUT');
    expect(issuesOf(noStrength).map((i) => i.path)).toEqual(['strength']);
    expect(codeOf(await submit(t, pairItem.id, pairwise('A', 4)))).toBe('BAD_USER_INPUT');

    // Nothing was recorded and the claims are still live: valid answers go through.
    expect((await getItem(rubricItem.id)).reviewCount).toBe(0);
    expect((await gqlOk(api.url, MY_CLAIMS, {}, t)).myReviewClaims).toHaveLength(3);
    await submitOk(t, rubricItem.id, { kind: 'RUBRIC', candidateId: cand, scores: [{ criterion: 'helpfulness', score: 4 }, { criterion: 'harmlessness', score: 5 }, { criterion: 'honesty', score: 4 }] });
    await submitOk(t, rankingItem.id, { kind: 'RANKING', ranking: [ids[2], ids[0], ids[1]] });
    await submitOk(t, pairItem.id, { kind: 'PAIRWISE', choice: 'TIE' });
    const scores = (await gqlOk(api.url, GET_REVIEWS, { id: rubricItem.id }, admin)).reviewItem.reviews[0].scores;
    expect([...scores].sort((x: any, y: any) => x.criterion.localeCompare(y.criterion))).toEqual([
      { criterion: 'harmlessness', score: 5 },
      { criterion: 'helpfulness', score: 4 },
      { criterion: 'honesty', score: 4 },
    ]);
    // A tie yields no pair.
    expect(await pairsOf(pairItem.id)).toEqual([]);
  });

  it('disagreeing reviews go to adjudication, which only an admin or a senior reviewer may decide', async () => {
    const item = await create(ex.disagree!, { requiredReviews: 2 });
    const [a, b] = await reviewers(2);
    await claimOf(a!.token, item.id);
    await claimOf(b!.token, item.id);
    await submitOk(a!.token, item.id, pairwise('A', 1));
    await submitOk(b!.token, item.id, pairwise('B', 1));
    const split = await getItem(item.id);
    expect(split).toMatchObject({ status: 'ADJUDICATION', reviewCount: 2, adjudicatedAt: null });
    // A pairwise item's agreement is the share of reviews with the most common choice: 1 of 2.
    expect(split.agreement).toBeCloseTo(0.5, 9);
    expect(await pairsOf(item.id)).toEqual([]);
    expect((await gqlOk(api.url, ITEMS, { s: 'ADJUDICATION' }, admin)).reviewItems.nodes.map((i: Item) => i.id)).toContain(item.id);

    const refused = await gql(api.url, ADJUDICATE, { id: item.id, i: pairwise('A', 3) }, a!.token);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect((await getItem(item.id)).status).toBe('ADJUDICATION');
    expect(codeOf(await gql(api.url, ADJUDICATE, { id: item.id, i: { kind: 'PAIRWISE', choice: 'A' } }, admin))).toBe('BAD_USER_INPUT');

    // A senior reviewer reads every review and may decide; a later decision (here the admin's) replaces it.
    const senior = await newUser(api.url, 'SENIOR_REVIEWER');
    expect((await gqlOk(api.url, GET_REVIEWS, { id: item.id }, senior.token)).reviewItem.reviews).toHaveLength(2);
    const bySenior = (await gqlOk(api.url, ADJUDICATE, { id: item.id, i: pairwise('B', 1) }, senior.token)).adjudicateReviewItem as Item;
    expect(bySenior.status).toBe('DONE');
    expect((await pairsOf(item.id))[0]).toMatchObject({ chosen: pick(bySenior, 'B').content });
    const decided = (await gqlOk(api.url, ADJUDICATE, { id: item.id, i: pairwise('A', 3) }, admin)).adjudicateReviewItem as Item;
    expect(decided.status).toBe('DONE');
    expect(decided.adjudicatedAt).not.toBeNull();
    const pairs = await pairsOf(item.id);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ source: 'COMPARISON', chosen: pick(decided, 'A').content, rejected: pick(decided, 'B').content });
    const reviews = (await gqlOk(api.url, GET_REVIEWS, { id: item.id }, admin)).reviewItem.reviews;
    expect(reviews.filter((r: any) => r.adjudication)).toEqual([expect.objectContaining({ choice: 'A', strength: 3 })]);
  });

  it('rankings merge by ranked pairs into RANKING pairs; a correction yields a CORRECTION pair', async () => {
    const item = await create(ex.ranking!, { requiredReviews: 3 });
    expect(item).toMatchObject({ kind: 'RANKING', requiredReviews: 3 });
    expect(item.candidates.map((c) => c.label)).toEqual(['A', 'B', 'C']);
    const [a, b, c] = item.candidates.map((x) => x.id) as [string, string, string];
    const rs = await reviewers(3);
    for (const r of rs) await claimOf(r.token, item.id, 'RANKING');
    // R1: A>B>C, R2: A>C>B, R3: A>B>C. Head to head: A over B 3-0, A over C 3-0, B over C 2-1.
    // Every majority is taken (no cycle): A>B margin 3/3 = 1, agreement 3/3; A>C margin 1,
    // agreement 1; B>C margin (2-1)/3 = 1/3, agreement 2/3.
    await submitOk(rs[0]!.token, item.id, { kind: 'RANKING', ranking: [a, b, c] });
    await submitOk(rs[1]!.token, item.id, { kind: 'RANKING', ranking: [a, c, b] });
    await submitOk(rs[2]!.token, item.id, { kind: 'RANKING', ranking: [a, b, c] });
    // A ranking item's agreement is the mean agreement of its consensus pairs: (1 + 1 + 2/3) / 3 = 8/9.
    const done = await getItem(item.id);
    expect(done).toMatchObject({ status: 'DONE', reviewCount: 3 });
    expect(done.agreement).toBeCloseTo(8 / 9, 9);
    const content = (label: string) => pick(done, label).content;
    const pairs = await pairsOf(item.id);
    const got = pairs
      .map((p) => ({ source: p.source, chosen: p.chosen, rejected: p.rejected, margin: Number(p.margin.toFixed(9)), agreement: Number(p.agreement!.toFixed(9)) }))
      .sort((x, y) => (x.chosen + x.rejected).localeCompare(y.chosen + y.rejected));
    const want = [
      { source: 'RANKING', chosen: content('A'), rejected: content('B'), margin: 1, agreement: 1 },
      { source: 'RANKING', chosen: content('A'), rejected: content('C'), margin: 1, agreement: 1 },
      { source: 'RANKING', chosen: content('B'), rejected: content('C'), margin: Number((1 / 3).toFixed(9)), agreement: Number((2 / 3).toFixed(9)) },
    ].sort((x, y) => (x.chosen + x.rejected).localeCompare(y.chosen + y.rejected));
    expect(got).toEqual(want);

    const fix = await create(ex.correction!, { kind: 'CORRECTION', requiredReviews: 1 });
    const [editor] = await reviewers(1);
    await claimOf(editor!.token, fix.id, 'CORRECTION');
    const original = pick(fix, 'B');
    const same = await submit(editor!.token, fix.id, { kind: 'CORRECTION', candidateId: original.id, text: `  ${original.content} ` });
    expect(issuesOf(same).map((i) => i.path)).toEqual(['text']);
    await submitOk(editor!.token, fix.id, { kind: 'CORRECTION', candidateId: original.id, text: '2 plus 2 is 4.' });
    expect((await getItem(fix.id)).status).toBe('DONE');
    const fixPairs = await pairsOf(fix.id);
    expect(fixPairs).toHaveLength(1);
    expect(fixPairs[0]).toMatchObject({ source: 'CORRECTION', chosen: '2 plus 2 is 4.', rejected: original.content, margin: 1, agreement: null, chosenModel: null });
  });

  it("reports Cohen's kappa and Krippendorff's alpha worked out by hand, to admins and ML engineers only", async () => {
    const from = new Date().toISOString();
    const items: Item[] = [];
    for (const i of [1, 2, 3, 4]) items.push(await create(ex[`agree${i}`]!, { kind: 'PAIRWISE', requiredReviews: 2 }));
    const [r, s] = await reviewers(2);
    // Items 1-4. R: A A B B; S: A A B A (strength 1 each): they agree on 3 of 4.
    const labels = { r: ['A', 'A', 'B', 'B'], s: ['A', 'A', 'B', 'A'] };
    for (const [who, person] of [['r', r], ['s', s]] as const) {
      for (let k = 0; k < 4; k++) {
        const c = await claim(person!.token, 'PAIRWISE');
        const index = items.findIndex((it) => it.id === c?.item.id);
        expect(index, 'an item of this test').toBeGreaterThanOrEqual(0);
        await submitOk(person!.token, c!.item.id, pairwise(labels[who][index]!, 1));
      }
      expect(await claim(person!.token, 'PAIRWISE')).toBeNull();
    }
    const to = new Date().toISOString();
    expect((await getItem(items[3]!.id)).status).toBe('ADJUDICATION');
    const pseudonyms = new Set<string>((await gqlOk(api.url, GET_REVIEWS, { id: items[0]!.id }, admin)).reviewItem.reviews.map((x: any) => x.reviewerPseudonym));
    expect(pseudonyms.size).toBe(2);

    // Cohen's kappa: p_o = 3/4; R uses A 2×, B 2×; S uses A 3×, B 1×, so
    //   p_e = (2·3 + 2·1) / 4² = 1/2 and κ = (3/4 − 1/2) / (1 − 1/2) = 1/2.
    // Krippendorff's alpha, nominal: coincidences o_AA = 2 + 2 = 4, o_BB = 2, o_AB = o_BA = 1;
    //   n_A = 5, n_B = 3, n = 8; α = 1 − (n − 1)·(o_AB + o_BA) / (n_A·n_B + n_B·n_A) = 1 − 7·2/30 = 8/15.
    // Without either reviewer each item has one label left: nothing pairable, alpha undefined.
    const filter = { f: { from, to } };
    const report = (await gqlOk(api.url, AGREEMENT, filter, admin)).reviewAgreement;
    expect(report).toMatchObject({ items: 4, reviews: 8, scoreAlpha: null });
    expect(report.choiceAlpha).toBeCloseTo(8 / 15, 9);
    expect(report.kappa).toHaveLength(1);
    expect(new Set([report.kappa[0].reviewerA, report.kappa[0].reviewerB])).toEqual(pseudonyms);
    expect(report.kappa[0].items).toBe(4);
    expect(report.kappa[0].kappa).toBeCloseTo(0.5, 9);
    expect(report.reviewers).toHaveLength(2);
    for (const row of report.reviewers) {
      expect(pseudonyms.has(row.reviewer)).toBe(true);
      expect(row).toMatchObject({ reviews: 4, pairs: 1, alphaWithout: null });
      expect(row.meanKappa).toBeCloseTo(0.5, 9);
    }

    expect(codeOf(await gql(api.url, AGREEMENT, filter, r!.token))).toBe('FORBIDDEN');
    const ml = await login(api.url, 'ml@demo.local');
    expect((await gqlOk(api.url, AGREEMENT, filter, ml)).reviewAgreement).toEqual(report);
    // ML engineers read agreement and pairs, but never reviewers' individual labels, nor claim items.
    expect(codeOf(await gql(api.url, GET_REVIEWS, { id: items[0]!.id }, ml))).toBe('FORBIDDEN');
    expect(codeOf(await gql(api.url, CLAIM, {}, ml))).toBe('FORBIDDEN');
  });

  it('collectReviewItems turns sibling replies and a low rating into items; people who are not reviewers may not claim', async () => {
    const user = await newUser(api.url);
    expect(codeOf(await gql(api.url, CLAIM, {}, user.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(api.url, COLLECT, {}, user.token))).toBe('FORBIDDEN');
    const [reviewer] = await reviewers(1);
    expect(codeOf(await gql(api.url, COLLECT, {}, reviewer!.token))).toBe('FORBIDDEN');

    const low = ex.lowRating!.replyIds[0]!;
    await gqlOk(api.url, RATE, { id: low, i: { thumb: 'DOWN' } }, owner.token);
    const report = (await gqlOk(api.url, COLLECT, {}, admin)).collectReviewItems;
    expect(report.siblings).toBeGreaterThanOrEqual(1);
    expect(report.lowRating).toBeGreaterThanOrEqual(1);
    expect(report.sample).toBe(0);

    const sib: Item[] = (await gqlOk(api.url, ITEMS, { f: { source: 'SIBLINGS' } }, admin)).reviewItems.nodes;
    const mine = sib.filter((i) => i.candidates.some((c) => c.messageId === ex.siblings!.replyIds[0]));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.candidates.map((c) => c.messageId).sort()).toEqual([...ex.siblings!.replyIds].sort());
    expect(mine[0]).toMatchObject({ status: 'OPEN', kind: 'PAIRWISE', requiredReviews: 2 });
    expect((await getItem(mine[0]!.id)).prompt.at(-1)).toEqual({ role: 'user', content: ex.siblings!.prompt });

    // The rated reply has no sibling: the item waits (PENDING) for a second candidate that a sweep generates.
    const findLow = async () =>
      ((await gqlOk(api.url, ITEMS, { f: { source: 'LOW_RATING' } }, admin)).reviewItems.nodes as Item[]).filter((i) => i.candidates.some((c) => c.messageId === low));
    let lowItems = await findLow();
    expect(lowItems).toHaveLength(1);
    let generated = report.generated;
    for (const end = Date.now() + 30_000; lowItems[0]!.status === 'PENDING' && Date.now() < end; lowItems = await findLow()) {
      await sleep(300);
      generated += (await gqlOk(api.url, COLLECT, {}, admin)).collectReviewItems.generated;
    }
    const item = lowItems[0]!;
    expect(item.status).toBe('OPEN');
    expect(generated).toBeGreaterThanOrEqual(1);
    expect(item.candidates.length).toBeGreaterThanOrEqual(2);
    const extra = item.candidates.filter((c) => c.messageId !== low);
    expect(extra.length).toBeGreaterThanOrEqual(1);
    for (const c of extra) expect(c.content.length).toBeGreaterThan(0);
    // A sweep again finds nothing new for the same rating and siblings.
    await gqlOk(api.url, COLLECT, {}, admin);
    expect(await findLow()).toHaveLength(1);
    expect((await gqlOk(api.url, ITEMS, { f: { source: 'SIBLINGS' } }, admin)).reviewItems.nodes.filter((i: Item) => i.candidates.some((c) => c.messageId === ex.siblings!.replyIds[0]))).toHaveLength(1);
  });

  it('a prompt the content filter flags for review, a sampled conversation and arena candidates become items', async () => {
    const sampling = await startApi(inference.url, { ...QUEUE_ENV, REVIEW_SAMPLE_SHARE: '1' });
    try {
      const url = sampling.url;
      const boss = await login(url, 'admin@demo.local');
      await gqlOk(url, 'mutation { createSafetyTerm(input: { term: "zebracorn", level: REVIEW }) { id } }', {}, boss);
      const person = await newUser(url);
      const flagged = await siblings(url, person.token, 'Tell me about the zebracorn.', 1);
      const report = (await gqlOk(url, COLLECT, {}, boss)).collectReviewItems;
      expect(report).toMatchObject({ safety: 1, sample: 1, siblings: 0, lowRating: 0 });
      const bySource = async (source: string): Promise<Item[]> => (await gqlOk(url, ITEMS, { f: { source } }, boss)).reviewItems.nodes;
      await waitFor(async () => {
        await gqlOk(url, COLLECT, {}, boss);
        return [...(await bySource('SAFETY')), ...(await bySource('SAMPLE'))].every((i) => i.status === 'OPEN');
      }, 30_000, 'generated candidates');
      for (const source of ['SAFETY', 'SAMPLE']) {
        const [listed, more] = await bySource(source);
        expect(more).toBeUndefined();
        const item: Item = (await gqlOk(url, GET_ITEM, { id: listed!.id }, boss)).reviewItem;
        expect(item.prompt.at(-1)!.content).toBe('Tell me about the zebracorn.');
        expect(item!.candidates.map((c) => c.messageId)).toEqual([flagged.replyIds[0], null]);
      }
      // A sweep again makes nothing new.
      expect((await gqlOk(url, COLLECT, {}, boss)).collectReviewItems).toMatchObject({ safety: 0, sample: 0 });

      // Arena: a candidate generated by each model asked for; an unknown model is refused.
      const arena = (await gqlOk(url, CREATE, { i: { messageIds: flagged.replyIds, arenaModels: ['dialoop-tiny'] } }, boss)).createReviewItem as Item;
      expect(arena).toMatchObject({ status: 'OPEN', kind: 'PAIRWISE', source: 'MANUAL' });
      expect(arena.candidates[1]).toMatchObject({ label: 'B', messageId: null, model: 'dialoop-tiny' });
      expect(arena.candidates[1]!.content.length).toBeGreaterThan(0);
      const unknown = await gql(url, CREATE, { i: { messageIds: flagged.replyIds, arenaModels: ['no-such-model'] } }, boss);
      expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    } finally {
      await sampling.close();
    }
  });

  it('an expired lease returns the item to the queue, and a submit on it is a CONFLICT', async () => {
    const url = leaseApi.url;
    const leaseAdmin = await login(url, 'admin@demo.local');
    const item = await create(ex.lease!, { requiredReviews: 1 }, url, leaseAdmin);
    const [a, b] = await reviewers(2, url);
    const held = await claim(a!.token, undefined, url);
    expect(held?.item.id).toBe(item.id);
    const lease = Date.parse(held!.expiresAt) - Date.parse(held!.claimedAt);
    expect(lease).toBeGreaterThanOrEqual(1_900);
    expect(lease).toBeLessThanOrEqual(2_100);
    expect(await claim(b!.token, undefined, url)).toBeNull();
    await sleep(Math.max(0, Date.parse(held!.expiresAt) - Date.now()) + 500);
    expect((await gqlOk(url, MY_CLAIMS, {}, a!.token)).myReviewClaims).toEqual([]);
    const taken = await claim(b!.token, undefined, url);
    expect(taken?.item.id).toBe(item.id);
    const late = await submit(a!.token, item.id, pairwise('A', 1), url);
    expect(codeOf(late)).toBe('CONFLICT');
    expect((await submit(b!.token, item.id, pairwise('B', 1), url)).data?.submitReview.status).toBe('SUBMITTED');
    expect((await gqlOk(url, GET_ITEM, { id: item.id }, leaseAdmin)).reviewItem).toMatchObject({ status: 'DONE', reviewCount: 1 });
  });
});
