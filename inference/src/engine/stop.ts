/**
 * Finds stop sequences in streamed text, across token boundaries: text is released only
 * once no stop sequence can begin in it, so a client never sees part of a stop string.
 */
export class StopMatcher {
  private pending = '';

  constructor(private readonly stops: readonly string[]) {}

  /** Adds text; returns what may be released now and whether a stop sequence was hit. */
  push(text: string): { release: string; stopped: boolean } {
    this.pending += text;
    if (this.stops.length === 0) {
      const release = this.pending;
      this.pending = '';
      return { release, stopped: false };
    }
    let first = -1;
    for (const s of this.stops) {
      const at = this.pending.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) {
      const release = this.pending.slice(0, first);
      this.pending = '';
      return { release, stopped: true };
    }
    // Hold back the longest suffix that is a prefix of some stop sequence.
    let hold = 0;
    for (const s of this.stops) {
      for (let len = Math.min(s.length - 1, this.pending.length); len > hold; len--) {
        if (this.pending.endsWith(s.slice(0, len))) {
          hold = len;
          break;
        }
      }
    }
    const release = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return { release, stopped: false };
  }

  /** The held-back text, released when generation ends for another reason. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}
