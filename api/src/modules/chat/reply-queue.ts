import type { Redis } from 'ioredis';
import type { ChatTurn, SamplingParams } from './upstream.js';

/** A reply waiting for a slot on its upstream: everything needed to start it, on any api process. */
export interface QueuedReply {
  messageId: string;
  userId: string;
  conversationId: string;
  model: string;
  upstream: string;
  messages: ChatTurn[];
  params: SamplingParams;
  prefix?: string | undefined;
  /** Whose turn it is: the person (an API key's traffic counts as one person of its own). */
  person: string;
  enqueuedAt: number;
  /** When it stops waiting and fails with UPSTREAM_BUSY (ms since the epoch). */
  deadline: number;
}

/**
 * The api's reply queue and the slots of each upstream. Replies wait per upstream, one line per
 * person, served round-robin between people (a burst from one person waits behind one reply of
 * each other person). A slot is held from a reply's start to its end; an upstream's capacity is
 * learned from its answers: a 429 sets the limit to what it was carrying and pauses it until its
 * Retry-After (or until one of its replies ends), and the limit is probed upward again after a
 * while without refusals. `MemoryReplyQueue` serves one process; `RedisReplyQueue` shares the
 * same state, fairness included, between api processes.
 */
export interface ReplyQueue {
  /** Takes a slot for a reply that need not wait: nobody waits for the upstream, and it has room. */
  tryStart(upstream: string, messageId: string): Promise<boolean>;
  /** Adds a reply at the end of its person's line (`front`: at its head, a reply sent back by a 429). */
  enqueue(reply: QueuedReply, front?: boolean): Promise<void>;
  /** Replies waiting, over every upstream. */
  length(): Promise<number>;
  /** The next reply in fair order, with a slot taken for it, if the upstream has room; else null. */
  claim(upstream: string): Promise<QueuedReply | null>;
  /** Frees a reply's slot (it ended). */
  release(upstream: string, messageId: string): Promise<void>;
  /** Takes a reply out of the queue (cancelled, past its deadline); null when it is not waiting. */
  remove(messageId: string): Promise<QueuedReply | null>;
  /** Waiting replies' ids in the order they will start. */
  order(upstream: string): Promise<string[]>;
  /** Where a waiting reply stands: its upstream, its 1-based position, and the slots the upstream holds. */
  positionOf(messageId: string): Promise<{ upstream: string; position: number } | null>;
  /** A 429 (or 503) for `messageId`: its slot is freed, the limit set to what the upstream carried, and it pauses until `until`. */
  refused(upstream: string, messageId: string, until: number): Promise<void>;
  /** A reply started on the upstream: after `probeMs` without a refusal, the limit grows by one. */
  started(upstream: string, probeMs: number): Promise<void>;
  /** Upstreams with replies waiting. */
  upstreams(): Promise<string[]>;
  /** Waiting replies past their deadline. */
  expired(now: number): Promise<string[]>;
  /** Frees the slots held by processes that are gone: those named (`gone`), or all but those named (`live`). */
  releaseHeldBy(instances: string[], mode?: 'gone' | 'live'): Promise<void>;
  /** Slots held and the current limit (Infinity: none learned yet) of an upstream. */
  capacity(upstream: string): Promise<{ held: number; limit: number }>;
}

const UNLIMITED = 1e9;

interface Lane {
  people: string[];
  lines: Map<string, string[]>;
  held: Map<string, string>;
  limit: number;
  until: number;
  refusedAt: number;
  probedAt: number;
}

/** Round-robin over people, each person's line in order: the order replies start in. */
export function fairOrder(people: readonly string[], lines: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  const at = new Map<string, number>();
  let left = people.reduce((n, p) => n + (lines.get(p)?.length ?? 0), 0);
  while (left > 0) {
    for (const p of people) {
      const i = at.get(p) ?? 0;
      const id = lines.get(p)?.[i];
      if (id === undefined) continue;
      out.push(id);
      at.set(p, i + 1);
      left -= 1;
    }
  }
  return out;
}

/** The queue of a single api process (no Redis). */
export class MemoryReplyQueue implements ReplyQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly items = new Map<string, QueuedReply>();

  constructor(private readonly instanceId: string) {}

  private lane(upstream: string): Lane {
    let l = this.lanes.get(upstream);
    if (!l) this.lanes.set(upstream, (l = { people: [], lines: new Map(), held: new Map(), limit: UNLIMITED, until: 0, refusedAt: 0, probedAt: 0 }));
    return l;
  }

  private room(l: Lane) {
    return Date.now() >= l.until && l.held.size < l.limit;
  }

  tryStart(upstream: string, messageId: string) {
    const l = this.lane(upstream);
    if (l.people.length > 0 || !this.room(l)) return Promise.resolve(false);
    l.held.set(messageId, this.instanceId);
    return Promise.resolve(true);
  }

  enqueue(reply: QueuedReply, front = false) {
    const l = this.lane(reply.upstream);
    this.items.set(reply.messageId, reply);
    let line = l.lines.get(reply.person);
    if (!line) l.lines.set(reply.person, (line = []));
    if (front) line.unshift(reply.messageId);
    else line.push(reply.messageId);
    if (!l.people.includes(reply.person)) {
      if (front) l.people.unshift(reply.person);
      else l.people.push(reply.person);
    }
    return Promise.resolve();
  }

  length() {
    return Promise.resolve(this.items.size);
  }

  claim(upstream: string) {
    const l = this.lane(upstream);
    if (!this.room(l)) return Promise.resolve(null);
    const person = l.people.shift();
    if (person === undefined) return Promise.resolve(null);
    const line = l.lines.get(person)!;
    const id = line.shift()!;
    if (line.length > 0) l.people.push(person);
    else l.lines.delete(person);
    const reply = this.items.get(id)!;
    this.items.delete(id);
    l.held.set(id, this.instanceId);
    return Promise.resolve(reply);
  }

  release(upstream: string, messageId: string) {
    const l = this.lane(upstream);
    // A reply ending frees room for sure: a pause waiting out a Retry-After ends with it.
    if (l.held.delete(messageId)) l.until = 0;
    return Promise.resolve();
  }

  remove(messageId: string) {
    const reply = this.items.get(messageId);
    if (!reply) return Promise.resolve(null);
    this.items.delete(messageId);
    const l = this.lane(reply.upstream);
    const line = l.lines.get(reply.person) ?? [];
    line.splice(line.indexOf(messageId), 1);
    if (line.length === 0) {
      l.lines.delete(reply.person);
      l.people.splice(l.people.indexOf(reply.person), 1);
    }
    return Promise.resolve(reply);
  }

  order(upstream: string) {
    const l = this.lane(upstream);
    return Promise.resolve(fairOrder(l.people, l.lines));
  }

  async positionOf(messageId: string) {
    const reply = this.items.get(messageId);
    if (!reply) return null;
    const order = await this.order(reply.upstream);
    return { upstream: reply.upstream, position: order.indexOf(messageId) + 1 };
  }

  refused(upstream: string, messageId: string, until: number) {
    const l = this.lane(upstream);
    // It carried the others: that is its capacity (at least one, so that a lone reply still goes).
    if (l.held.has(messageId)) l.limit = Math.max(1, l.held.size - 1);
    l.held.delete(messageId);
    l.until = Math.max(l.until, until);
    l.refusedAt = Date.now();
    return Promise.resolve();
  }

  started(upstream: string, probeMs: number) {
    const l = this.lane(upstream);
    const now = Date.now();
    if (l.limit < UNLIMITED && l.held.size >= l.limit && now - l.refusedAt >= probeMs && now - l.probedAt >= probeMs) {
      l.limit += 1;
      l.probedAt = now;
    }
    return Promise.resolve();
  }

  upstreams() {
    return Promise.resolve([...this.lanes].filter(([, l]) => l.people.length > 0).map(([u]) => u));
  }

  expired(now: number) {
    return Promise.resolve([...this.items.values()].filter((r) => r.deadline <= now).map((r) => r.messageId));
  }

  releaseHeldBy(instances: string[], mode: 'gone' | 'live' = 'gone') {
    for (const l of this.lanes.values()) for (const [id, who] of l.held) if (instances.includes(who) === (mode === 'gone')) l.held.delete(id);
    return Promise.resolve();
  }

  capacity(upstream: string) {
    const l = this.lane(upstream);
    return Promise.resolve({ held: l.held.size, limit: l.limit >= UNLIMITED ? Infinity : l.limit });
  }
}

const P = 'dialoop:queue:';
/** What an upstream taught (its limit) is forgotten a day after it last mattered. */
const CAP_TTL_S = 86_400;

/**
 * The same queue in Redis, for several api processes: per upstream `<u>:people` (the round-robin
 * list), `<u>:line:<person>` (each person's line), `<u>:held` (slot → process) and `<u>:cap`
 * (limit, pause, last refusal, last probe), `<u>:deadlines`; `item:<id>` holds a waiting reply,
 * and `upstreams` the upstreams with replies waiting or slots held. Every change is one Lua script, so processes
 * never see a half-made queue.
 */
const SCRIPTS = {
  tryStart: `
    local u, id, me, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
    local p = '${P}' .. u
    redis.call('SADD', '${P}upstreams', u)
    if redis.call('LLEN', p .. ':people') > 0 then return 0 end
    if tonumber(redis.call('HGET', p .. ':cap', 'until') or '0') > now then return 0 end
    if redis.call('HLEN', p .. ':held') >= tonumber(redis.call('HGET', p .. ':cap', 'limit') or '${UNLIMITED}') then return 0 end
    redis.call('HSET', p .. ':held', id, me)
    return 1`,
  enqueue: `
    local u, id, person, json, deadline, front = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6] == '1'
    local p = '${P}' .. u
    redis.call('SADD', '${P}upstreams', u)
    redis.call('SET', '${P}item:' .. id, json)
    redis.call('ZADD', p .. ':deadlines', deadline, id)
    if front then redis.call('LPUSH', p .. ':line:' .. person, id) else redis.call('RPUSH', p .. ':line:' .. person, id) end
    if not redis.call('LPOS', p .. ':people', person) then
      if front then redis.call('LPUSH', p .. ':people', person) else redis.call('RPUSH', p .. ':people', person) end
    end
    return 1`,
  claim: `
    local u, me, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local p = '${P}' .. u
    if tonumber(redis.call('HGET', p .. ':cap', 'until') or '0') > now then return false end
    if redis.call('HLEN', p .. ':held') >= tonumber(redis.call('HGET', p .. ':cap', 'limit') or '${UNLIMITED}') then return false end
    local person = redis.call('LPOP', p .. ':people')
    if not person then return false end
    local id = redis.call('LPOP', p .. ':line:' .. person)
    if redis.call('LLEN', p .. ':line:' .. person) > 0 then redis.call('RPUSH', p .. ':people', person) end
    local json = redis.call('GET', '${P}item:' .. id)
    redis.call('DEL', '${P}item:' .. id)
    redis.call('ZREM', p .. ':deadlines', id)
    redis.call('HSET', p .. ':held', id, me)
    return json`,
  release: `
    local u = ARGV[1]
    local p = '${P}' .. u
    if redis.call('HDEL', p .. ':held', ARGV[2]) == 1 then redis.call('HSET', p .. ':cap', 'until', 0); redis.call('EXPIRE', p .. ':cap', ${CAP_TTL_S}) end
    if redis.call('LLEN', p .. ':people') == 0 and redis.call('HLEN', p .. ':held') == 0 then redis.call('SREM', '${P}upstreams', u) end
    return 1`,
  remove: `
    local id = ARGV[1]
    local json = redis.call('GET', '${P}item:' .. id)
    if not json then return false end
    local r = cjson.decode(json)
    local u = r.upstream
    local p = '${P}' .. u
    redis.call('LREM', p .. ':line:' .. r.person, 1, id)
    if redis.call('LLEN', p .. ':line:' .. r.person) == 0 then redis.call('LREM', p .. ':people', 1, r.person) end
    redis.call('DEL', '${P}item:' .. id)
    redis.call('ZREM', p .. ':deadlines', id)
    if redis.call('LLEN', p .. ':people') == 0 and redis.call('HLEN', p .. ':held') == 0 then redis.call('SREM', '${P}upstreams', u) end
    return json`,
  order: `
    local p = '${P}' .. ARGV[1]
    local people = redis.call('LRANGE', p .. ':people', 0, -1)
    local lines, out, left = {}, {}, 0
    for i, person in ipairs(people) do
      lines[i] = redis.call('LRANGE', p .. ':line:' .. person, 0, -1)
      left = left + #lines[i]
    end
    local round = 1
    while left > 0 do
      for i = 1, #people do
        local id = lines[i][round]
        if id then out[#out + 1] = id; left = left - 1 end
      end
      round = round + 1
    end
    return out`,
  refused: `
    local u, id, untilMs, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
    local p = '${P}' .. u
    local held = redis.call('HLEN', p .. ':held')
    if redis.call('HDEL', p .. ':held', id) == 1 then redis.call('HSET', p .. ':cap', 'limit', math.max(1, held - 1)) end
    redis.call('HSET', p .. ':cap', 'refusedAt', now)
    if untilMs > tonumber(redis.call('HGET', p .. ':cap', 'until') or '0') then redis.call('HSET', p .. ':cap', 'until', untilMs) end
    redis.call('EXPIRE', p .. ':cap', ${CAP_TTL_S})
    return 1`,
  started: `
    local u, probe, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
    local p = '${P}' .. u
    local limit = tonumber(redis.call('HGET', p .. ':cap', 'limit') or '${UNLIMITED}')
    if limit >= ${UNLIMITED} or redis.call('HLEN', p .. ':held') < limit then return 0 end
    if now - tonumber(redis.call('HGET', p .. ':cap', 'refusedAt') or '0') < probe then return 0 end
    if now - tonumber(redis.call('HGET', p .. ':cap', 'probedAt') or '0') < probe then return 0 end
    redis.call('HSET', p .. ':cap', 'limit', limit + 1, 'probedAt', now)
    redis.call('EXPIRE', p .. ':cap', ${CAP_TTL_S})
    return 1`,
  releaseHeldBy: `
    local named = {}
    for i = 2, #ARGV do named[ARGV[i]] = true end
    local gone = ARGV[1] == 'gone'
    for _, u in ipairs(redis.call('SMEMBERS', '${P}upstreams')) do
      local held = redis.call('HGETALL', '${P}' .. u .. ':held')
      for i = 1, #held, 2 do
        if (named[held[i + 1]] == true) == gone then redis.call('HDEL', '${P}' .. u .. ':held', held[i]) end
      end
    end
    return 1`,
} as const;

type Scripted = Redis & { [K in keyof typeof SCRIPTS]: (...args: (string | number)[]) => Promise<unknown> };

export class RedisReplyQueue implements ReplyQueue {
  private readonly redis: Scripted;

  constructor(redis: Redis, private readonly instanceId: string) {
    for (const [name, lua] of Object.entries(SCRIPTS)) if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua });
    this.redis = redis as Scripted;
  }

  async tryStart(upstream: string, messageId: string) {
    return Number(await this.redis.tryStart(upstream, messageId, this.instanceId, Date.now())) === 1;
  }

  async enqueue(reply: QueuedReply, front = false) {
    await this.redis.enqueue(reply.upstream, reply.messageId, reply.person, JSON.stringify(reply), reply.deadline, front ? '1' : '0');
  }

  async length() {
    const all = await this.redis.smembers(`${P}upstreams`);
    const counts = await Promise.all(all.map((u) => this.redis.zcard(`${P}${u}:deadlines`)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async claim(upstream: string) {
    const json = (await this.redis.claim(upstream, this.instanceId, Date.now())) as string | null;
    return json ? (JSON.parse(json) as QueuedReply) : null;
  }

  async release(upstream: string, messageId: string) {
    await this.redis.release(upstream, messageId);
  }

  async remove(messageId: string) {
    const json = (await this.redis.remove(messageId)) as string | null;
    return json ? (JSON.parse(json) as QueuedReply) : null;
  }

  async order(upstream: string) {
    return (await this.redis.order(upstream)) as string[];
  }

  async positionOf(messageId: string) {
    const json = await this.redis.get(`${P}item:${messageId}`);
    if (!json) return null;
    const { upstream } = JSON.parse(json) as QueuedReply;
    const position = (await this.order(upstream)).indexOf(messageId) + 1;
    return position > 0 ? { upstream, position } : null;
  }

  async refused(upstream: string, messageId: string, until: number) {
    await this.redis.refused(upstream, messageId, until, Date.now());
  }

  async started(upstream: string, probeMs: number) {
    await this.redis.started(upstream, probeMs, Date.now());
  }

  async upstreams() {
    const all = await this.redis.smembers(`${P}upstreams`);
    const lengths = await Promise.all(all.map((u) => this.redis.llen(`${P}${u}:people`)));
    return all.filter((_, i) => lengths[i]! > 0);
  }

  async expired(now: number) {
    const all = await this.redis.smembers(`${P}upstreams`);
    return (await Promise.all(all.map((u) => this.redis.zrangebyscore(`${P}${u}:deadlines`, '-inf', now)))).flat();
  }

  async releaseHeldBy(instances: string[], mode: 'gone' | 'live' = 'gone') {
    if (instances.length > 0) await this.redis.releaseHeldBy(mode, ...instances);
  }

  async capacity(upstream: string) {
    const [held, limit] = await Promise.all([this.redis.hlen(`${P}${upstream}:held`), this.redis.hget(`${P}${upstream}:cap`, 'limit')]);
    const n = Number(limit ?? UNLIMITED);
    return { held, limit: n >= UNLIMITED ? Infinity : n };
  }
}
