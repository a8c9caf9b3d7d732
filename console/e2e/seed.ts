/**
 * Demo data through the public GraphQL API only: conversations by the demo user, sibling replies,
 * and review items of each kind made by the demo admin. Used by the browser tests and by
 * `pnpm console:seed` against a running platform.
 */
export const DEMO_PASSWORD = 'dialoop-demo';

export const PROMPTS = [
  'What is the capital of Japan?',
  'Convert 5 km to meters',
  'How are you doing?',
  '法国的首都是哪里？',
  'What is 12 + 7?',
  'Tell me about the moon',
  '你好，你是谁？',
  'Convert 3 hours to minutes',
  'What is the capital of Italy?',
  'Give me a tip for learning to code',
  '把 2 公里换算成米',
  'What is the capital of Canada?',
];

export type Kind = 'PAIRWISE' | 'RANKING' | 'RUBRIC' | 'CORRECTION';

export async function gql<T = Record<string, unknown>>(apiUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function login(apiUrl: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const d = await gql<{ login: { accessToken: string } }>(apiUrl, 'mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}', { e: email, p: password });
  return d.login.accessToken;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settled(apiUrl: string, token: string, id: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const d = await gql<{ message: { status: string } }>(apiUrl, 'query($id:ID!){message(id:$id){status}}', { id }, token);
    if (d.message.status !== 'STREAMING') return;
    await sleep(50);
  }
  throw new Error(`reply ${id} did not finish`);
}

const PARAMS = { maxTokens: 40, temperature: 1 };

/** One prompt and `replies` sibling replies to it (sampled, so that they differ); returns the reply ids. */
export async function exchange(apiUrl: string, token: string, prompt: string, replies: number): Promise<string[]> {
  const d = await gql<{ sendMessage: { assistantMessage: { id: string } } }>(
    apiUrl,
    'mutation($c:String!,$p:GenerationParamsInput){sendMessage(input:{content:$c,params:$p}){assistantMessage{id}}}',
    { c: prompt, p: PARAMS },
    token,
  );
  const ids = [d.sendMessage.assistantMessage.id];
  await settled(apiUrl, token, ids[0]!);
  for (let i = 1; i < replies; i++) {
    const r = await gql<{ regenerate: { id: string } }>(apiUrl, 'mutation($id:ID!,$i:RegenerateInput){regenerate(messageId:$id,input:$i){id}}', { id: ids[0], i: { params: PARAMS } }, token);
    ids.push(r.regenerate.id);
    await settled(apiUrl, token, r.regenerate.id);
  }
  return ids;
}

const CANDIDATES: Record<Kind, number> = { PAIRWISE: 2, RANKING: 3, RUBRIC: 1, CORRECTION: 1 };

/** Review items of the given kinds (made by the demo admin from the demo user's conversations); returns their ids by kind. */
export async function seedReviewItems(apiUrl: string, counts: Partial<Record<Kind, number>>, requiredReviews = 2): Promise<Record<Kind, string[]>> {
  const user = await login(apiUrl, 'user@demo.local');
  const admin = await login(apiUrl, 'admin@demo.local');
  const out: Record<Kind, string[]> = { PAIRWISE: [], RANKING: [], RUBRIC: [], CORRECTION: [] };
  let n = 0;
  for (const kind of Object.keys(counts) as Kind[]) {
    for (let i = 0; i < (counts[kind] ?? 0); i++) {
      const replies = await exchange(apiUrl, user, PROMPTS[n++ % PROMPTS.length]!, CANDIDATES[kind]);
      const d = await gql<{ createReviewItem: { id: string; status: string } }>(
        apiUrl,
        'mutation($i:CreateReviewItemInput!){createReviewItem(input:$i){id status}}',
        { i: { messageIds: replies, kind, requiredReviews } },
        admin,
      );
      out[kind].push(d.createReviewItem.id);
    }
  }
  // Items with one reply get a second candidate generated (RUBRIC): wait until every item is open.
  let fresh = admin;
  for (let i = 0; i < 600; i++) {
    // A fresh token every ten polls: some test platforms give tokens seconds of life.
    const token = i % 10 === 0 ? await login(apiUrl, 'admin@demo.local') : undefined;
    if (token) fresh = token;
    const d = await gql<{ reviewQueue: { pending: number } }>(apiUrl, '{reviewQueue{pending}}', {}, fresh);
    if (d.reviewQueue.pending === 0) break;
    await sleep(100);
  }
  return out;
}

/**
 * Other clients keeping the inference server busy: `n` long streamed requests straight to it
 * (16 fill its batch; 90 fill its batch and its queue), until `stop()`. `full()` says whether it
 * now refuses one more request (429).
 */
export function loadInference(inferenceUrl: string, n: number): { full(): Promise<boolean>; stop(): Promise<void> } {
  const busy = new AbortController();
  const ask = (content: string, maxTokens: number, signal?: AbortSignal) =>
    fetch(`${inferenceUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dialoop-tiny', messages: [{ role: 'user', content }], max_tokens: maxTokens, ignore_eos: true, stream: maxTokens > 1 }),
      signal,
    });
  const load = Array.from({ length: n }, () =>
    ask('Hello', 900, busy.signal)
      .then((r) => r.text())
      .catch(() => undefined),
  );
  return {
    full: async () => {
      const r = await ask('Hi', 1);
      await r.text();
      return r.status === 429;
    },
    stop: async () => {
      busy.abort();
      await Promise.all(load);
    },
  };
}

/**
 * Keeps the inference server busy until stopped: `n` long replies at a time, each started again
 * when it ends (unlike `loadInference`, whose one batch ends on its own).
 */
export function keepInferenceBusy(inferenceUrl: string, n: number, maxTokens = 600): { full(): Promise<boolean>; stop(): Promise<void> } {
  let done = false;
  const stream = async () => {
    while (!done) {
      const r = await fetch(`${inferenceUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'dialoop-tiny', messages: [{ role: 'user', content: 'Hello' }], max_tokens: maxTokens, ignore_eos: true }),
      }).catch(() => undefined);
      await r?.text();
    }
  };
  const running = Array.from({ length: n }, stream);
  return {
    /** Whether the server refuses one more request now (429: its running batch and queue are full). */
    full: async () => {
      const r = await fetch(`${inferenceUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'dialoop-tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
      });
      await r.text();
      return r.status === 429;
    },
    stop: async () => {
      done = true;
      await Promise.all(running);
    },
  };
}
