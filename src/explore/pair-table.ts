// An interning table of 32-bit pairs: each distinct pair gets a dense index in
// insertion order, kept for the table's life (the tree store's nodes and roots
// refer to each other by these indices). Open addressing over an Int32Array of
// index+1, linear probing, load <= 3/4; pairs live densely in a Uint32Array
// grown by half each time, so slack stays small.

import { hash2 } from './store.ts';

/** intern(): the table could not grow. */
export const PAIR_FULL = -2;

export class PairTable {
  size = 0;
  pairs: Uint32Array;
  private table: Int32Array;
  private mask: number;
  private cap: number;

  /** canGrow(extraBytes): whether the owner's byte budget allows growing by that much. */
  constructor(initialCapacity: number, private readonly canGrow: (extraBytes: number) => boolean) {
    let t = 4;
    while (t * 3 < initialCapacity * 4) t *= 2;
    this.table = new Int32Array(t);
    this.mask = t - 1;
    this.cap = Math.max(2, initialCapacity);
    this.pairs = new Uint32Array(this.cap * 2);
  }

  bytes(): number {
    return this.table.byteLength + this.pairs.byteLength;
  }

  /** Index of (a, b), or -1. */
  find(a: number, b: number): number {
    const table = this.table, pairs = this.pairs, mask = this.mask;
    let i = hash2(a, b) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) return -1;
      const k = (slot - 1) << 1;
      if (pairs[k] === a && pairs[k + 1] === b) return slot - 1;
      i = (i + 1) & mask;
    }
  }

  /** Index of (a, b), inserted if new (new ones get index size-1 after); PAIR_FULL if it could not grow. */
  intern(a: number, b: number): number {
    const table = this.table, pairs = this.pairs, mask = this.mask;
    let i = hash2(a, b) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) break;
      const k = (slot - 1) << 1;
      if (pairs[k] === a && pairs[k + 1] === b) return slot - 1;
      i = (i + 1) & mask;
    }
    if (this.size === this.cap && !this.growPairs()) return PAIR_FULL;
    if ((this.size + 1) * 4 > this.table.length * 3) {
      if (!this.growTable()) return PAIR_FULL;
      return this.intern(a, b);
    }
    const idx = this.size++;
    this.pairs[idx << 1] = a;
    this.pairs[(idx << 1) + 1] = b;
    this.table[i] = idx + 1;
    return idx;
  }

  private growPairs(): boolean {
    const cap = Math.ceil(this.cap * 1.5);
    if (!this.canGrow((cap - this.cap) * 8)) return false;
    try {
      const p = new Uint32Array(cap * 2);
      p.set(this.pairs);
      this.pairs = p;
      this.cap = cap;
      return true;
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  }

  private growTable(): boolean {
    const n = this.table.length * 2;
    if (!this.canGrow(n * 4 - this.table.byteLength)) return false;
    let table: Int32Array;
    try {
      table = new Int32Array(n);
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    const mask = n - 1, pairs = this.pairs;
    for (let idx = 0; idx < this.size; idx++) {
      let i = hash2(pairs[idx << 1]!, pairs[(idx << 1) + 1]!) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = idx + 1;
    }
    this.table = table;
    this.mask = mask;
    return true;
  }
}
