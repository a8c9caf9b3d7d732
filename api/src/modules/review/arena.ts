import { Prisma } from '@dialoop/db';
import type { Caller } from '../../context.js';
import { badInput } from '../../errors.js';
import { CREATION_RETRY_DELAYS_MS, type CandidateGenerator } from './candidates.js';
import { createItem } from './items.js';
import type { ReviewServiceOptions } from './options.js';

export interface ArenaInput {
  challenger: string;
  baseline: string;
  count: number;
  requiredReviews?: number | undefined;
}

/** Model versions head to head: arena items (source ARENA) and the tally of their reviews. */
export class Arena {
  constructor(private readonly o: Pick<ReviewServiceOptions, 'db' | 'audit' | 'settings'> & { candidates: Pick<CandidateGenerator, 'generatePending'> }) {}

  /**
   * Arena items pitting `challenger` against `baseline`: the most recent prompts that got a
   * reply and have no arena item yet, each with one candidate generated now by each model (the
   * same sampling for both), in an order fixed by the prompt so that neither model always shows
   * first. Reviewers compare them like any pairwise item.
   */
  async create(caller: Caller, input: ArenaInput) {
    if (input.challenger === input.baseline) throw badInput('An arena compares two different model versions', { field: 'challengerId' });
    const prompts = await this.o.db.$queryRaw<{ promptId: string; conversationId: string }[]>`
      SELECT p.id AS "promptId", p."conversationId" FROM "Message" p
      WHERE p.role = 'USER'
        AND EXISTS (SELECT 1 FROM "Message" r WHERE r."parentId" = p.id AND r.role = 'ASSISTANT' AND r.status = 'COMPLETE')
        AND NOT EXISTS (SELECT 1 FROM "ReviewItem" i WHERE i."promptMessageId" = p.id AND i.source = 'ARENA')
      ORDER BY p.ordinal DESC LIMIT ${input.count}`;
    const ids: string[] = [];
    for (const p of prompts) {
      const swap = parseInt(p.promptId.slice(-1), 16) % 2 === 1;
      const models = swap ? [input.baseline, input.challenger] : [input.challenger, input.baseline];
      const item = await this.o.db.$transaction(async (tx) => {
        return createItem(tx, this.o.settings, {
          source: 'ARENA',
          kind: 'PAIRWISE',
          conversationId: p.conversationId,
          promptMessageId: p.promptId,
          candidates: [],
          arenaModels: models,
          requiredReviews: input.requiredReviews,
          createdBy: caller.audit.actor.pseudonym,
          origin: { challenger: input.challenger, baseline: input.baseline },
        });
      }).catch((err: unknown) => {
        // A concurrent call took this prompt (one arena item per prompt).
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
        throw err;
      });
      if (item) ids.push(item.id);
    }
    await this.o.audit.write(caller.audit, {
      action: 'createArenaItems',
      subject: { type: 'ReviewItem' },
      after: { challenger: input.challenger, baseline: input.baseline, created: ids.length },
    });
    // Each item's candidates are tried a few times; once one item fails after its tries (the
    // server is down, most likely), the others get one try each rather than as many waits.
    let failed = false;
    for (const id of ids) {
      const made = await this.o.candidates.generatePending(id, { retryDelaysMs: failed ? [] : CREATION_RETRY_DELAYS_MS });
      if (made === 0) failed = true;
    }
    const pending = ids.length > 0 ? await this.o.db.reviewItem.count({ where: { id: { in: ids }, status: 'PENDING' } }) : 0;
    return { created: ids.length, challenger: input.challenger, baseline: input.baseline, pending };
  }

  /**
   * Reviewers' pairwise choices between candidates written by `challenger` and by `baseline`
   * (arena items and any other pairwise item whose two candidates are theirs; adjudications
   * left out). One judgment per item — the mean of its reviews (a win 1, a tie ½, a loss 0):
   * a win above ½, a loss below, a tie at ½ — since an item's reviews are not independent
   * samples, counting them apart would narrow the interval falsely.
   */
  async headToHead(challenger: string, baseline: string): Promise<{ wins: number; losses: number; ties: number; items: number }> {
    const rows = await this.o.db.$queryRaw<{ choice: string; a: string; b: string; itemId: string }[]>`
      SELECT r.answer->>'choice' AS choice, ca.model AS a, cb.model AS b, i.id AS "itemId"
      FROM "ReviewItem" i
      JOIN "ReviewCandidate" ca ON ca."itemId" = i.id AND ca.position = 0
      JOIN "ReviewCandidate" cb ON cb."itemId" = i.id AND cb.position = 1
      LEFT JOIN "Review" r ON r."itemId" = i.id AND r.adjudication = false
      WHERE i.kind = 'PAIRWISE' AND ((ca.model = ${challenger} AND cb.model = ${baseline}) OR (ca.model = ${baseline} AND cb.model = ${challenger}))`;
    const byItem = new Map<string, number[]>();
    for (const r of rows) {
      const scores = byItem.get(r.itemId) ?? [];
      byItem.set(r.itemId, scores);
      if (r.choice) scores.push(r.choice === 'TIE' ? 0.5 : (r.choice === 'A' ? r.a : r.b) === challenger ? 1 : 0);
    }
    const out = { wins: 0, losses: 0, ties: 0, items: byItem.size };
    for (const scores of byItem.values()) {
      if (scores.length === 0) continue;
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      if (mean > 0.5) out.wins++;
      else if (mean < 0.5) out.losses++;
      else out.ties++;
    }
    return out;
  }
}
