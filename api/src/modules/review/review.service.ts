import type { ReviewItem } from '@dialoop/db';
import type { Criterion } from '@dialoop/feedback';
import type { Caller } from '../../context.js';
import type { AuditScope } from '../audit/index.js';
import { agreementReport } from './agreement.js';
import { Arena, type ArenaInput } from './arena.js';
import { CandidateGenerator } from './candidates.js';
import { Claims } from './claims.js';
import { Collector } from './collect.js';
import type { Kind } from './conclude.js';
import { rubricOf, type ItemFilter } from './items.js';
import { ManualItems, type ManualItemInput } from './manual.js';
import type { ReviewServiceOptions, Tx } from './options.js';
import { Outcomes } from './outcomes.js';
import { ItemReads } from './reads.js';
import { settingsView } from './settings.js';
import { Submissions, type ReviewInputData } from './submission.js';
import { ReviewItemStatusEnum } from './review.types.js';

/** How long the queue's counts by status (`dialoop_api_review_items`) are reused before they are read again. */
const ITEM_COUNTS_TTL_MS = 30_000;

/**
 * The review queue: items made from the sources (or by admins), claimed with leases, reviewed N
 * times without seeing each other's labels, adjudicated when the reviews disagree, and turned
 * into preference pairs and labelled replies (the rows dataset versions are built from).
 *
 * One object for the rest of the api; each job is its own part (see the files it imports), and
 * these methods only hand over to them.
 */
export class ReviewService {
  private readonly collector: Collector;
  private readonly manual: ManualItems;
  private readonly arenas: Arena;
  private readonly claims: Claims;
  private readonly submissions: Submissions;
  private readonly outcomes: Outcomes;
  private readonly reads: ItemReads;
  private countedAt = 0;

  constructor(private readonly o: ReviewServiceOptions) {
    const candidates = new CandidateGenerator(o);
    this.outcomes = new Outcomes(o);
    this.collector = new Collector({ ...o, candidates });
    this.manual = new ManualItems({ ...o, candidates });
    this.arenas = new Arena({ ...o, candidates });
    this.claims = new Claims(o);
    this.submissions = new Submissions({ ...o, outcomes: this.outcomes });
    this.reads = new ItemReads(o);
  }

  // ------------------------------------------------------------------ making items

  /** One sweep of the sources (collect.ts); `requestedBy` when an admin asked for it. */
  collect(requestedBy?: AuditScope, limit?: number) {
    return this.collector.collect(requestedBy, limit);
  }

  /** An admin's item over stored replies to one prompt (manual.ts). */
  createManual(caller: Caller, input: ManualItemInput) {
    return this.manual.create(caller, input);
  }

  /** Arena items pitting one model version against another (arena.ts). */
  arena(caller: Caller, input: ArenaInput) {
    return this.arenas.create(caller, input);
  }

  headToHead(challenger: string, baseline: string) {
    return this.arenas.headToHead(challenger, baseline);
  }

  // ------------------------------------------------------------------ claims and reviews

  claim(caller: Caller, kind: Kind | undefined) {
    return this.claims.claim(caller, kind);
  }

  myClaims(caller: Caller) {
    return this.claims.mine(caller);
  }

  release(caller: Caller, itemId: string) {
    return this.claims.release(caller, itemId);
  }

  claimedItem(claim: { itemId: string }) {
    return this.claims.itemOf(claim);
  }

  /** A review counts once its claim is complete (a RUBRIC item: every candidate scored), or given back (SKIP). */
  async submit(caller: Caller, itemId: string, input: ReviewInputData) {
    const claim = await this.submissions.submit(caller, itemId, input);
    if (claim.status === 'SKIPPED') this.o.metrics?.reviews.inc({ kind: 'SKIP' });
    else if (claim.status === 'SUBMITTED') this.o.metrics?.reviews.inc({ kind: input.kind });
    return claim;
  }

  async adjudicate(caller: Caller, itemId: string, input: ReviewInputData) {
    const item = await this.submissions.adjudicate(caller, itemId, input);
    this.o.metrics?.reviews.inc({ kind: 'ADJUDICATION' });
    return item;
  }

  /** Inside a rating's transaction: the reply's label and the prompt's RATING pairs (outcomes.ts). */
  onRated(tx: Tx, messageId: string): Promise<void> {
    return this.outcomes.onRated(tx, messageId);
  }

  // ------------------------------------------------------------------ reads

  stats() {
    return this.reads.stats();
  }

  /** The queue's configuration (rubric, reviews per item, sources, intervals) and this process's last sweep (settings.ts). */
  settings() {
    return settingsView(this.o.settings, this.collector.last);
  }

  list(caller: Caller, filter: ItemFilter & { status?: string | undefined }, first: number, after: string | undefined) {
    return this.reads.list(caller, filter, first, after);
  }

  get(caller: Caller, id: string) {
    return this.reads.get(caller, id);
  }

  prompt(item: { promptMessageId: string }) {
    return this.reads.prompt(item);
  }

  candidates(itemId: string) {
    return this.reads.candidates(itemId);
  }

  rubricOf(item: Pick<ReviewItem, 'rubric'>): Criterion[] {
    return rubricOf(item);
  }

  owner(item: { conversationId: string }) {
    return this.reads.owner(item);
  }

  reviews(caller: Caller, itemId: string) {
    return this.reads.reviews(caller, itemId);
  }

  pairsOf(itemId: string) {
    return this.reads.pairsOf(itemId);
  }

  /** Agreement among reviewers over the items the filter selects (agreement.ts); over the whole queue, exported too. */
  async agreement(filter: ItemFilter) {
    const report = await agreementReport(this.o.db, filter);
    const gauge = this.o.metrics?.agreement;
    if (gauge && !filter.source && !filter.kind && !filter.from && !filter.to) {
      gauge.reset();
      if (report.choiceAlpha !== null) gauge.set({ measure: 'choice_alpha' }, report.choiceAlpha);
      if (report.scoreAlpha !== null) gauge.set({ measure: 'score_alpha' }, report.scoreAlpha);
    }
    return report;
  }

  /** Refreshes the queue's counts by status for /metrics: one grouped count, at most every 30 s. */
  async refreshMetrics(): Promise<void> {
    const gauge = this.o.metrics?.items;
    if (!gauge || Date.now() - this.countedAt < ITEM_COUNTS_TTL_MS) return;
    this.countedAt = Date.now();
    const groups = await this.o.db.reviewItem.groupBy({ by: ['status'], _count: { _all: true } });
    for (const status of Object.values(ReviewItemStatusEnum)) gauge.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
  }
}
