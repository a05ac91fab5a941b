// The visited-state store: an open-addressing hash set over fixed-width keys.
//
// Why not a JS Set/Map: V8 caps them near 2^24 entries and every entry is a
// heap object; BM1 large alone has 28.8M states. Here a state of W words costs
// 4W bytes of key, ~8-16 bytes of table (load <= 0.5) and 4+2 bytes of parent
// link, with no per-state object at all.
//
// Layout (the same idea as ../shared/bench/js/bm1-bfs.mjs, generic in W):
// - keys:   Uint32Array, state i occupies keys[i*W .. i*W+W-1], in insertion
//           order, so the index is the state id and the BFS queue is free;
// - table:  Int32Array of power-of-two size holding index+1 (0 = empty),
//           linear probing, grown (rehashed) when size*2 > capacity;
// - parent: Int32Array, the index of the state this one was first reached
//           from (-1 for the initial state); action: the action id used.
//           Walking parents rebuilds a trace without storing any path.
//
// Growth never throws: a failed allocation (RangeError) or the configurable
// byte budget makes add() return ADD_FULL, and the explorer stops cleanly.

import { ADD_EXISTS, ADD_FULL, type VisitedStore } from './visited.ts';

export { ADD_EXISTS, ADD_FULL };

export interface StoreOptions {
  /** Initial number of key slots (rounded up to a power of two, >= 2). */
  readonly initialCapacity?: number;
  /** Byte budget for table + keys + parent links; growth beyond it fails. */
  readonly maxBytes?: number;
  /** Largest action id that will be stored (chooses 16- or 32-bit action links). */
  readonly maxAction?: number;
  /** Keep table and keys in SharedArrayBuffers, so worker threads can look states up (parallel BFS). */
  readonly shared?: boolean;
}

/**
 * What a worker needs to look states up in a shared StateStore (read-only
 * while a level is expanded) and to write a level's new states into it
 * (parallel-bfs.ts: each thread its own index range, table slots by CAS).
 */
export interface StoreView {
  readonly words: number;
  readonly table: Int32Array;
  readonly keys: Uint32Array;
  readonly parent: Int32Array;
  readonly action: Uint16Array | Uint32Array;
}

/** The store's hash of src[off .. off+w-1]. */
export function hashWords(src: Uint32Array, off: number, w: number): number {
  return w === 2 ? hash2(src[off]!, src[off + 1]!) : w === 1 ? hash1(src[off]!) : hashN(src, off, w);
}

/** Index of src in a store view, or -1 (the same probe as StateStore.find). */
export function findInView(v: StoreView, src: Uint32Array): number {
  return findHashed(v, src, hashWords(src, 0, v.words));
}

/** findInView with the hash already computed (hashWords). */
export function findHashed(v: StoreView, src: Uint32Array, h: number): number {
  const w = v.words, keys = v.keys, table = v.table, mask = table.length - 1;
  let i = h & mask;
  for (;;) {
    const slot = table[i]!;
    if (slot === 0) return -1;
    const k = (slot - 1) * w;
    let j = 0;
    while (j < w && keys[k + j] === src[j]) j++;
    if (j === w) return slot - 1;
    i = (i + 1) & mask;
  }
}

const i32 = (n: number, shared: boolean): Int32Array => (shared ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n));
const u32 = (n: number, shared: boolean): Uint32Array => (shared ? new Uint32Array(new SharedArrayBuffer(n * 4)) : new Uint32Array(n));

// Word hashes. The W=2 mix is the reference's, so both tools probe alike.
export function hash1(a: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h;
}

export function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h;
}

// Generic W: murmur3-style block mixing over the words, then the same finaliser.
export function hashN(src: Uint32Array, off: number, w: number): number {
  let h = 0x811c9dc5 ^ w;
  for (let i = 0; i < w; i++) {
    let k = Math.imul(src[off + i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function pow2AtLeast(n: number): number {
  let c = 2;
  while (c < n) c *= 2;
  return c;
}

export class StateStore implements VisitedStore {
  readonly words: number;
  /** Number of distinct states stored. */
  size = 0;
  keys: Uint32Array;
  parent: Int32Array;
  action: Uint16Array | Uint32Array;
  private table: Int32Array;
  private mask: number;
  private keyCap: number;
  private readonly wideActions: boolean;
  private readonly maxBytes: number;
  private tableFull = false;
  private readonly shared: boolean;

  constructor(words: number, opts: StoreOptions = {}) {
    if (!Number.isInteger(words) || words < 1) throw new Error(`StateStore: words must be a positive integer, got ${words}`);
    this.words = words;
    this.keyCap = pow2AtLeast(opts.initialCapacity ?? 1 << 15);
    this.shared = opts.shared ?? false;
    this.table = i32(this.keyCap * 2, this.shared);
    this.mask = this.keyCap * 2 - 1;
    this.keys = u32(this.keyCap * words, this.shared);
    this.parent = i32(this.keyCap, this.shared);
    this.wideActions = (opts.maxAction ?? 0) > 0xffff;
    this.action = this.actions(this.keyCap);
    this.maxBytes = opts.maxBytes ?? Infinity;
  }

  /** Bytes held: table + keys + parent links (the figure reported as storeBytes). */
  bytes(): number {
    return this.table.byteLength + this.keys.byteLength + this.parent.byteLength + this.action.byteLength;
  }

  /**
   * Insert src[0..W-1]. Returns the new state's index, ADD_EXISTS if it was
   * already there, or ADD_FULL if the store could not grow.
   */
  add(src: Uint32Array, parent: number, action: number): number {
    const w = this.words;
    if (w === 2) return this.add2(src[0]!, src[1]!, parent, action);
    if (w === 1) return this.add1(src[0]!, parent, action);
    return this.addN(src, parent, action);
  }

  /** Index of src if stored, else -1. */
  find(src: Uint32Array): number {
    const w = this.words, keys = this.keys, table = this.table, mask = this.mask;
    let i = this.hashOf(src, 0) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) return -1;
      const k = (slot - 1) * w;
      let eq = true;
      for (let j = 0; j < w; j++) {
        if (keys[k + j] !== src[j]) {
          eq = false;
          break;
        }
      }
      if (eq) return slot - 1;
      i = (i + 1) & mask;
    }
  }

  /** The current table, keys and links (valid until the next add or reserve). */
  view(): StoreView {
    return { words: this.words, table: this.table, keys: this.keys, parent: this.parent, action: this.action };
  }

  /** Parallel BFS: room for `extra` more states' keys and links, written by other threads through view(). */
  reserveKeys(extra: number): boolean {
    while (this.keyCap < this.size + extra) if (!this.growKeys()) return false;
    return true;
  }

  /** Parallel BFS: a table at load <= 0.5 with `extra` more states, which other threads insert by CAS through view(). */
  reserveTable(extra: number): boolean {
    while ((this.size + extra) * 2 > this.table.length) if (!this.growTable()) return false;
    return true;
  }

  /**
   * Parallel BFS: states [size, n) were written through view() (keys, links,
   * table slots). `rehash`: the table holds slots not (or no longer) naming
   * stored states; rebuild it from the keys.
   */
  adoptWritten(n: number, rehash: boolean): void {
    this.size = n;
    if (rehash) {
      this.table.fill(0);
      const mask = this.mask, keys = this.keys, w = this.words, table = this.table;
      for (let idx = 0; idx < n; idx++) {
        let i = this.hashOf(keys, idx * w) & mask;
        while (table[i] !== 0) i = (i + 1) & mask;
        table[i] = idx + 1;
      }
    }
  }

  private actions(n: number): Uint16Array | Uint32Array {
    if (!this.shared) return this.wideActions ? new Uint32Array(n) : new Uint16Array(n);
    const sab = new SharedArrayBuffer(n * (this.wideActions ? 4 : 2));
    return this.wideActions ? new Uint32Array(sab) : new Uint16Array(sab);
  }

  has(src: Uint32Array): boolean {
    return this.find(src) >= 0;
  }

  /** Copy state idx into out. */
  read(idx: number, out: Uint32Array): void {
    const w = this.words, keys = this.keys, k = idx * w;
    for (let j = 0; j < w; j++) out[j] = keys[k + j]!;
  }

  /** Action ids from the initial state to state idx, by walking parent links. */
  traceTo(idx: number): number[] {
    const out: number[] = [];
    let i = idx;
    while (i > 0) {
      out.push(this.action[i]!);
      i = this.parent[i]!;
    }
    return out.reverse();
  }

  /** Depth of state idx in the parent tree (0 for the initial state). */
  depthOf(idx: number): number {
    let d = 0;
    for (let i = idx; i > 0; i = this.parent[i]!) d++;
    return d;
  }

  private hashOf(src: Uint32Array, off: number): number {
    const w = this.words;
    if (w === 2) return hash2(src[off]!, src[off + 1]!);
    if (w === 1) return hash1(src[off]!);
    return hashN(src, off, w);
  }

  private add1(a: number, parent: number, action: number): number {
    const keys = this.keys, table = this.table, mask = this.mask;
    let i = hash1(a) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) break;
      if (keys[slot - 1] === a) return ADD_EXISTS;
      i = (i + 1) & mask;
    }
    if (this.tableFull || (this.size >= this.keyCap && !this.growKeys())) return ADD_FULL;
    const idx = this.size;
    this.keys[idx] = a;
    return this.commit(i, idx, parent, action);
  }

  private add2(a: number, b: number, parent: number, action: number): number {
    const keys = this.keys, table = this.table, mask = this.mask;
    let i = hash2(a, b) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) break;
      const k = (slot - 1) << 1;
      if (keys[k] === a && keys[k + 1] === b) return ADD_EXISTS;
      i = (i + 1) & mask;
    }
    if (this.tableFull || (this.size >= this.keyCap && !this.growKeys())) return ADD_FULL;
    const idx = this.size, k = idx << 1;
    const ks = this.keys;
    ks[k] = a;
    ks[k + 1] = b;
    return this.commit(i, idx, parent, action);
  }

  private addN(src: Uint32Array, parent: number, action: number): number {
    const w = this.words, keys = this.keys, table = this.table, mask = this.mask;
    let i = hashN(src, 0, w) & mask;
    for (;;) {
      const slot = table[i]!;
      if (slot === 0) break;
      const k = (slot - 1) * w;
      let j = 0;
      while (j < w && keys[k + j] === src[j]) j++;
      if (j === w) return ADD_EXISTS;
      i = (i + 1) & mask;
    }
    if (this.tableFull || (this.size >= this.keyCap && !this.growKeys())) return ADD_FULL;
    const idx = this.size, k = idx * w;
    const ks = this.keys;
    for (let j = 0; j < w; j++) ks[k + j] = src[j]!;
    return this.commit(i, idx, parent, action);
  }

  // Shared tail of add*: the key is already written at idx, slot i is free.
  private commit(i: number, idx: number, parent: number, action: number): number {
    this.table[i] = idx + 1;
    this.parent[idx] = parent;
    this.action[idx] = action;
    this.size = idx + 1;
    if (this.size * 2 > this.table.length && !this.growTable()) {
      // The key is stored and findable (load just above 0.5 still probes
      // correctly); every later insertion of a new key fails instead.
      this.tableFull = true;
    }
    return idx;
  }

  private growKeys(): boolean {
    const cap = this.keyCap * 2;
    const extra = this.keyCap * (this.words * 4 + 4 + (this.wideActions ? 4 : 2));
    if (this.bytes() + extra > this.maxBytes) return false;
    try {
      const keys = u32(cap * this.words, this.shared);
      const parent = i32(cap, this.shared);
      const action = this.actions(cap);
      keys.set(this.keys);
      parent.set(this.parent);
      action.set(this.action);
      this.keys = keys;
      this.parent = parent;
      this.action = action;
      this.keyCap = cap;
      return true;
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  }

  private growTable(): boolean {
    const cap = this.table.length * 2;
    if (this.bytes() + this.table.byteLength > this.maxBytes) return false;
    let table: Int32Array;
    try {
      table = i32(cap, this.shared);
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    const mask = cap - 1, keys = this.keys, w = this.words, n = this.size;
    for (let idx = 0; idx < n; idx++) {
      let i = this.hashOf(keys, idx * w) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = idx + 1;
    }
    this.table = table;
    this.mask = mask;
    return true;
  }
}
