/**
 * The async iterator a reply subscription hands to graphql-ws: the stream pushes events into it
 * synchronously and the connection pulls them. It costs no promise per event while the client
 * keeps up (a Repeater resolves one per push, and the push side awaited each), which matters at
 * thousands of tokens a second. Unbounded: a reply's events are few and held by the bus anyway.
 *
 * `end(error?)` finishes it once what is queued has been read, rejecting the last `next()` with
 * `error` if given; `return()` (the client unsubscribed) finishes it at once. `onClose` runs once,
 * whichever comes first.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (err: unknown) => void } | undefined;
  private ended = false;
  private error: { err: unknown } | undefined;
  private closed = false;

  /**
   * `join(into, value)`, if given, lets `absorb` fold a value into the last one still waiting to
   * be read (changing it in place), returning whether it did.
   */
  constructor(
    private readonly onClose: () => void,
    private readonly join?: (into: T, value: T) => boolean,
  ) {}

  push(value: T): void {
    if (this.ended) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.resolve({ value, done: false });
    } else this.items.push(value);
  }

  /**
   * Folds `value` into the last item still waiting to be read (with `join`), so that the reader
   * gets them as one; returns false, leaving the queue as it is, when none waits or they do not
   * join (then `push` it).
   */
  absorb(value: T): boolean {
    if (this.ended || !this.join || this.head >= this.items.length) return false;
    return this.join(this.items[this.items.length - 1]!, value);
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.error = { err: error };
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      this.settle(w.resolve, w.reject);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return new Promise((resolve, reject) => this.settle(resolve, reject));
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.items = [];
    this.head = 0;
    this.error = undefined;
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve({ value: undefined, done: true });
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Answers a `next()` once nothing is left: done, or the error `end` was given (once). */
  private settle(resolve: (r: IteratorResult<T>) => void, reject: (err: unknown) => void) {
    this.close();
    const e = this.error;
    this.error = undefined;
    if (e) reject(e.err);
    else resolve({ value: undefined, done: true });
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
