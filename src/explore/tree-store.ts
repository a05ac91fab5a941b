// The compact exact store: LTSmin-style tree compression.
//
// A state of W words is a fixed-shape binary tree: leaves are pairs of words,
// each inner node a pair of child node indices, the root a pair of the top two
// nodes. Every distinct pair is interned once (PairTable), so a state costs its
// root pair plus whatever subtrees no earlier state had. Successors differ from
// their parent in a few words, so almost every subtree is shared and a new
// state adds its root and a handful of nodes on the paths to the changed words.
// It is exact (the tree is a lossless re-encoding) and needs to know nothing
// about field widths.
//
// One table holds the nodes of every level: a node index only means something
// at a known position in the fixed shape, so a leaf pair and an inner pair with
// the same two numbers may share an entry. The roots have their own table so a
// root's index is the state's index: insertion order, as the strategies need.
//
// Incremental: read() keeps the decoded state and its node indices (the
// "base", the state being expanded); add()/has() recompute only the nodes
// above words that differ from the base, which is what makes the tree cheap.

import { PAIR_FULL, PairTable } from './pair-table.ts';
import { ADD_EXISTS, ADD_FULL, type VisitedStore } from './visited.ts';

export interface TreeStoreOptions {
  readonly initialCapacity?: number;
  readonly maxBytes?: number;
  readonly maxAction?: number;
}

// compute() results besides success (0).
const OK = 0, ABSENT = -1, FULL = -2;

export class TreeStore implements VisitedStore {
  readonly words: number;
  parent: Int32Array;
  action: Uint16Array | Uint32Array;
  private readonly nodes: PairTable;
  private readonly roots: PairTable;
  /** Sizes of the inner levels, leaves (pairs of words) first; the last has <= 2 nodes. */
  private readonly levels: number[];
  private readonly base: Int32Array[];
  private readonly cand: Int32Array[];
  private readonly changed: Uint8Array[];
  private readonly baseWords: Uint32Array;
  private hasBase = false;
  private rootL = 0;
  private rootR = 0;
  private linkCap: number;
  private readonly wideActions: boolean;
  private readonly maxBytes: number;

  constructor(words: number, opts: TreeStoreOptions = {}) {
    if (!Number.isInteger(words) || words < 1) throw new Error(`TreeStore: words must be a positive integer, got ${words}`);
    this.words = words;
    this.maxBytes = opts.maxBytes ?? Infinity;
    const budget = (extra: number): boolean => this.bytes() + extra <= this.maxBytes;
    const cap = Math.max(16, opts.initialCapacity ?? 1 << 12);
    this.nodes = new PairTable(cap, budget);
    this.roots = new PairTable(cap, budget);
    this.levels = [];
    if (words > 2) {
      let n = Math.ceil(words / 2);
      this.levels.push(n);
      while (n > 2) {
        n = Math.ceil(n / 2);
        this.levels.push(n);
      }
    }
    this.base = this.levels.map((n) => new Int32Array(n));
    this.cand = this.levels.map((n) => new Int32Array(n));
    this.changed = this.levels.map((n) => new Uint8Array(n));
    this.baseWords = new Uint32Array(words + 1); // + one pad word (0) for an odd width
    this.linkCap = cap;
    this.parent = new Int32Array(cap);
    this.wideActions = (opts.maxAction ?? 0) > 0xffff;
    this.action = this.wideActions ? new Uint32Array(cap) : new Uint16Array(cap);
  }

  get size(): number {
    return this.roots.size;
  }

  /** Distinct inner nodes interned (for figures and tests). */
  get nodeCount(): number {
    return this.nodes.size;
  }

  bytes(): number {
    return this.nodes.bytes() + this.roots.bytes() + this.parent.byteLength + this.action.byteLength;
  }

  add(src: Uint32Array, parent: number, action: number): number {
    if (this.roots.size === this.linkCap && !this.growLinks()) return ADD_FULL;
    if (this.compute(src, true) !== OK) return ADD_FULL;
    const before = this.roots.size;
    const idx = this.roots.intern(this.rootL, this.rootR);
    if (idx === PAIR_FULL) return ADD_FULL;
    if (idx < before) return ADD_EXISTS;
    this.parent[idx] = parent;
    this.action[idx] = action;
    return idx;
  }

  has(src: Uint32Array): boolean {
    return this.find(src) >= 0;
  }

  find(src: Uint32Array): number {
    if (this.compute(src, false) !== OK) return -1;
    return this.roots.find(this.rootL, this.rootR);
  }

  read(idx: number, out: Uint32Array): void {
    const W = this.words, np = this.nodes.pairs, rp = this.roots.pairs;
    const l = rp[idx << 1]!, r = rp[(idx << 1) + 1]!;
    const K = this.levels.length;
    if (K === 0) {
      out[0] = l;
      if (W > 1) out[1] = r;
    } else {
      const top = this.base[K - 1]!;
      top[0] = l;
      if (this.levels[K - 1]! > 1) top[1] = r;
      for (let k = K - 1; k >= 1; k--) {
        const ids = this.base[k]!, below = this.base[k - 1]!, n = this.levels[k]!, m = this.levels[k - 1]!;
        for (let i = 0; i < n; i++) {
          const id = ids[i]! << 1;
          below[2 * i] = np[id]!;
          if (2 * i + 1 < m) below[2 * i + 1] = np[id + 1]!;
        }
      }
      const leaves = this.base[0]!, n0 = this.levels[0]!;
      for (let i = 0; i < n0; i++) {
        const id = leaves[i]! << 1;
        out[2 * i] = np[id]!;
        if (2 * i + 1 < W) out[2 * i + 1] = np[id + 1]!;
      }
    }
    this.baseWords.set(out.subarray(0, W));
    this.hasBase = K > 0;
  }

  traceTo(idx: number): number[] {
    const out: number[] = [];
    for (let i = idx; i > 0; i = this.parent[i]!) out.push(this.action[i]!);
    return out.reverse();
  }

  // Compute the root pair of src into rootL/rootR, interning missing nodes
  // (insert) or stopping at the first missing one (lookup: ABSENT).
  private compute(src: Uint32Array, insert: boolean): number {
    const W = this.words, K = this.levels.length, nodes = this.nodes;
    if (K === 0) {
      this.rootL = src[0]!;
      this.rootR = W > 1 ? src[1]! : 0;
      return OK;
    }
    const useBase = this.hasBase, bw = this.baseWords;
    {
      const n = this.levels[0]!, cand = this.cand[0]!, ch = this.changed[0]!, base = this.base[0]!;
      for (let i = 0; i < n; i++) {
        const a = src[2 * i]!, b = 2 * i + 1 < W ? src[2 * i + 1]! : 0;
        if (useBase && a === bw[2 * i] && b === bw[2 * i + 1]) {
          cand[i] = base[i]!;
          ch[i] = 0;
          continue;
        }
        const id = insert ? nodes.intern(a, b) : nodes.find(a, b);
        if (id < 0) return id === PAIR_FULL ? FULL : ABSENT;
        cand[i] = id;
        ch[i] = 1;
      }
    }
    for (let k = 1; k < K; k++) {
      const n = this.levels[k]!, m = this.levels[k - 1]!;
      const cand = this.cand[k]!, ch = this.changed[k]!, base = this.base[k]!, below = this.cand[k - 1]!, chb = this.changed[k - 1]!;
      for (let i = 0; i < n; i++) {
        const hasR = 2 * i + 1 < m;
        if (useBase && chb[2 * i] === 0 && (!hasR || chb[2 * i + 1] === 0)) {
          cand[i] = base[i]!;
          ch[i] = 0;
          continue;
        }
        const id = insert ? nodes.intern(below[2 * i]!, hasR ? below[2 * i + 1]! : 0) : nodes.find(below[2 * i]!, hasR ? below[2 * i + 1]! : 0);
        if (id < 0) return id === PAIR_FULL ? FULL : ABSENT;
        cand[i] = id;
        ch[i] = 1;
      }
    }
    const top = this.cand[K - 1]!;
    this.rootL = top[0]!;
    this.rootR = this.levels[K - 1]! > 1 ? top[1]! : 0;
    return OK;
  }

  private growLinks(): boolean {
    const cap = Math.ceil(this.linkCap * 1.5);
    const extra = (cap - this.linkCap) * (4 + (this.wideActions ? 4 : 2));
    if (this.bytes() + extra > this.maxBytes) return false;
    try {
      const parent = new Int32Array(cap);
      const action = this.wideActions ? new Uint32Array(cap) : new Uint16Array(cap);
      parent.set(this.parent);
      action.set(this.action);
      this.parent = parent;
      this.action = action;
      this.linkCap = cap;
      return true;
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  }
}
