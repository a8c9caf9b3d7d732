/**
 * An Aho–Corasick automaton packed as a double array (base/check), over an alphabet of classes:
 * every code unit that occurs in some pattern has a class, every other unit has class 0 and sends
 * the automaton back to its root. Transitions cost two typed-array reads, so a scan runs at the
 * speed of memory, and Latin text runs on a plain DFA (see `dfa`): with 10,000 terms, around
 * 80 MB/s of English and 120-220 MB/s of Chinese on the 2-core test machine, normalization
 * included (`pnpm bench:safety`).
 *
 * The libraries on npm measured on that machine are 3-4 times slower without normalizing
 * anything (@monyone/aho-corasick) or segment graphemes per call, about 0.02 MB/s
 * (modern-ahocorasick), hence this module.
 */
export class Automaton {
  /** Code unit → class (0: in no pattern). */
  readonly classOf = new Uint16Array(65536);
  readonly base: Int32Array;
  readonly check: Int32Array;
  readonly fail: Int32Array;
  /** Per state: the pattern group ending here, or -1. */
  readonly out: Int32Array;
  /** Per state: the nearest state down the fail chain with an output, or -1. */
  readonly outLink: Int32Array;
  /** Per state: 1 when it or a state down its fail chain has an output. */
  readonly hasOut: Uint8Array;
  /** Per state: its depth, the length of the pattern prefix it stands for. */
  readonly depth: Int32Array;
  readonly maxLength: number;
  /**
   * The scan's table: for state s, `table[2s]` is base << 1 | has-output and `table[2s + 1]` its
   * check, so one step touches one cache line for the state it moves to.
   */
  readonly table: Int32Array;
  /**
   * Text in Latin letters and digits, the common case, runs on a plain DFA: classes 1..`dense`
   * (the ASCII ones), over the states such a class leads into ("rows": root is row 0).
   * `dfa[row * dense + c - 1]` is the next row << 1 | has-output: one read a step, no fail loop.
   * Other classes step through the double array from `slotOfRow[row]`.
   */
  readonly dense: number;
  readonly dfa: Int32Array;
  readonly rowOf: Int32Array;
  readonly slotOfRow: Int32Array;

  /** `patterns[i]` are the code units of group i (groups are distinct). */
  constructor(patterns: Uint16Array[]) {
    // Classes by frequency: the commonest units get the smallest numbers, which packs better.
    const freq = new Map<number, number>();
    for (const p of patterns) for (const u of p) freq.set(u, (freq.get(u) ?? 0) + 1);
    // ASCII letters and digits first (the dense classes: see `dfa`), then by frequency.
    const units = [...freq.keys()].sort((a, b) => Number(b < 128) - Number(a < 128) || freq.get(b)! - freq.get(a)! || a - b);
    units.forEach((u, i) => (this.classOf[u] = i + 1));
    const alphabet = units.length;
    this.dense = units.filter((u) => u < 128).length;
    this.maxLength = patterns.reduce((m, p) => Math.max(m, p.length), 0);

    // A plain trie first.
    const children: Array<Map<number, number>> = [new Map()];
    const nodeOut: number[] = [-1];
    patterns.forEach((p, group) => {
      let n = 0;
      for (const u of p) {
        const c = this.classOf[u]!;
        let next = children[n]!.get(c);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          nodeOut.push(-1);
          children[n]!.set(c, next);
        }
        n = next;
      }
      nodeOut[n] = group;
    });

    // Pack it breadth first: node → slot, each node's children at base + class.
    const nodes = children.length;
    let size = Math.max(1024, nodes * 2 + alphabet + 2);
    let check = new Int32Array(size).fill(-1);
    let base = new Int32Array(size);
    const slotOf = new Int32Array(nodes);
    check[0] = 0;
    const order: number[] = [0];
    // Free slots as a union-find "next free slot at or after i", so a search skips full stretches.
    let nextFree = new Int32Array(size + 1).map((_, i) => i);
    const findFree = (i: number): number => {
      let r = i;
      while (nextFree[r] !== r) r = nextFree[r]!;
      while (nextFree[i] !== r) {
        const up = nextFree[i]!;
        nextFree[i] = r;
        i = up;
      }
      return r;
    };
    const grow = (need: number) => {
      if (need < size) return;
      let next = size;
      while (next <= need) next *= 2;
      const c2 = new Int32Array(next).fill(-1);
      c2.set(check);
      const b2 = new Int32Array(next);
      b2.set(base);
      const f2 = new Int32Array(next + 1).map((_, i) => i);
      f2.set(nextFree.subarray(0, size));
      check = c2;
      base = b2;
      nextFree = f2;
      size = next;
    };
    nextFree[0] = 1;
    for (let qi = 0; qi < order.length; qi++) {
      const node = order[qi]!;
      const kids = [...children[node]!.entries()].sort((a, b) => a[0] - b[0]);
      if (kids.length === 0) continue;
      const first = kids[0]![0];
      const last = kids[kids.length - 1]![0];
      let pos = findFree(first + 1);
      let b: number;
      for (;;) {
        b = pos - first;
        grow(b + last + 1);
        let ok = true;
        for (let k = 1; k < kids.length; k++) {
          if (check[b + kids[k]![0]] !== -1) {
            ok = false;
            break;
          }
        }
        if (ok) break;
        pos = findFree(pos + 1);
      }
      const slot = slotOf[node]!;
      base[slot] = b;
      for (const [c, child] of kids) {
        check[b + c] = slot;
        nextFree[b + c] = b + c + 1;
        slotOf[child] = b + c;
        order.push(child);
      }
    }
    grow(size + alphabet + 1);
    this.base = base;
    this.check = check;
    this.fail = new Int32Array(size);
    this.out = new Int32Array(size).fill(-1);
    this.outLink = new Int32Array(size).fill(-1);
    this.hasOut = new Uint8Array(size);
    this.depth = new Int32Array(size);

    // Fail links, breadth first (parents before children).
    for (const node of order) {
      const slot = slotOf[node]!;
      this.out[slot] = nodeOut[node]!;
      for (const [c, child] of children[node]!) {
        const cs = slotOf[child]!;
        this.depth[cs] = this.depth[slot]! + 1;
        if (node === 0) {
          this.fail[cs] = 0;
          continue;
        }
        let f = this.fail[slot]!;
        for (;;) {
          const t = base[f]! + c;
          if (check[t] === f && t !== cs) {
            this.fail[cs] = t;
            break;
          }
          if (f === 0) {
            this.fail[cs] = 0;
            break;
          }
          f = this.fail[f]!;
        }
      }
    }
    for (const node of order) {
      const slot = slotOf[node]!;
      if (slot === 0) continue;
      const f = this.fail[slot]!;
      this.outLink[slot] = this.out[f]! >= 0 ? f : this.outLink[f]!;
      this.hasOut[slot] = this.out[slot]! >= 0 || this.outLink[slot]! >= 0 ? 1 : 0;
    }
    this.table = new Int32Array(size * 2);
    for (let i = 0; i < size; i++) {
      this.table[2 * i] = (base[i]! << 1) | this.hasOut[i]!;
      this.table[2 * i + 1] = check[i]!;
    }
    // The DFA over the dense classes: rows for root and every state a dense class leads into.
    this.rowOf = new Int32Array(size).fill(-1);
    const rows: number[] = [0];
    this.rowOf[0] = 0;
    for (const node of order) {
      for (const [c, child] of children[node]!) {
        if (c > this.dense) continue;
        const cs = slotOf[child]!;
        this.rowOf[cs] = rows.length;
        rows.push(cs);
      }
    }
    this.slotOfRow = Int32Array.from(rows);
    const d = this.dense;
    this.dfa = new Int32Array(rows.length * d);
    for (let r = 0; r < rows.length; r++) {
      for (let c = 1; c <= d; c++) {
        const t = this.step(rows[r]!, c);
        this.dfa[r * d + c - 1] = (this.rowOf[t]! << 1) | this.hasOut[t]!;
      }
    }
  }

  /** The state after reading a unit of class `c` (> 0) in state `s`. */
  step(s: number, c: number): number {
    const { base, check, fail } = this;
    for (;;) {
      const t = base[s]! + c;
      if (check[t] === s) return t;
      if (s === 0) return 0;
      s = fail[s]!;
    }
  }
}
