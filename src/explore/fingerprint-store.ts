// The fingerprint store (`--store fingerprint`): TLC's and Spin's hash
// compaction. A state is kept only as a 64-bit fingerprint plus its parent
// link and action, about 15 bytes whatever its width; two distinct states with
// the same fingerprint make the second look visited, so the search may miss
// states. That is why it is never the default and every result says it is
// probabilistic, with the estimated chance that a state was missed.
//
// Traces stay exact: parent links are only ever written for states really
// generated, so walking them gives actions that replay from the initial state.
// States cannot be read back: BFS keeps its frontier in a queue of full states.
//
// The same table is the exact 'packed' layout for states of at most two words
// (BM1): keyed by an invertible mix of the words rather than a hash, no two
// states share a key, so nothing can be missed.
//
// Table: ordered linear probing (Amble and Knuth) over a capacity that need
// not be a power of two. A fingerprint's home slot is monotone in its value
// (hi * capacity / 2^32), and the table is kept globally sorted, so a lookup
// stops at the first entry not smaller than the key; an insert shifts the rest
// of its cluster one slot right. That keeps lookups short at loads up to 0.96,
// which is what the 16 bytes/state budget needs, and makes growth a linear
// merge (the old table is already in order) and the closest pair of stored
// fingerprints (TLC's "actual" collision estimate) a linear scan.

import { ADD_EXISTS, ADD_FULL, type VisitedStore } from './visited.ts';

const MAX_LOAD = 0.96;
const GROWTH = 1.1;
/** Parent links grow by a sixteenth: their slack counts in bytes/state too. */
const LINK_GROWTH = 1.0625;
/** Slots past the last home slot, so clusters never wrap. */
const OVERFLOW = 1024;
const TWO32 = 4294967296;

export interface FingerprintStoreOptions {
  /**
   * States of at most two words: key each by its words under an invertible
   * 64-bit mix instead of a hash, so no two states share a key and the store
   * is exact (the 'packed' layout: ~15 B/state for any two-word system).
   */
  readonly exact?: boolean;
  readonly initialCapacity?: number;
  readonly maxBytes?: number;
  readonly maxAction?: number;
}

// The fingerprint: two murmur3-style 32-bit lanes with independent seeds and
// multipliers over the words, fmix32-finalised. Written to fpHi/fpLo.
let fpHi = 0, fpLo = 0;
function fingerprint(src: Uint32Array, w: number): void {
  let h = 0x811c9dc5 ^ w, g = 0x2545f491 ^ Math.imul(w, 0x9e3779b9);
  for (let i = 0; i < w; i++) {
    const x = src[i]!;
    let k = Math.imul(x, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let m = Math.imul(x ^ 0x5bd1e995, 0x85ebca77);
    m = (m << 13) | (m >>> 19);
    g ^= Math.imul(m, 0xc2b2ae3d);
    g = (g << 17) | (g >>> 15);
    g = (Math.imul(g, 9) + 0x27d4eb2f) | 0;
  }
  fpHi = fmix(h ^ Math.imul(g, 0x165667b1)) >>> 0;
  fpLo = fmix(g ^ w) >>> 0;
  if (fpHi === 0 && fpLo === 0) fpLo = 1; // (0, 0) marks an empty slot
}



// A 4-round Feistel network over (w0, w1): a bijection on 64 bits that
// spreads structured states uniformly, so ordered probing stays short.
function mixExact(src: Uint32Array, w: number): void {
  let l = src[0]!, r = w > 1 ? src[1]! : 0;
  l ^= fmix(r ^ 0x9e3779b9);
  r ^= fmix(l ^ 0x85ebca6b);
  l ^= fmix(r ^ 0xc2b2ae35);
  r ^= fmix(l ^ 0x27d4eb2f);
  fpHi = l >>> 0;
  fpLo = r >>> 0;
}

/** The words whose exact key is (hi, lo): mixExact inverted (tests reach the empty-marker key with it). */
export function unmixExact(hi: number, lo: number): [number, number] {
  let l = hi, r = lo;
  r ^= fmix(l ^ 0x27d4eb2f);
  l ^= fmix(r ^ 0xc2b2ae35);
  r ^= fmix(l ^ 0x85ebca6b);
  l ^= fmix(r ^ 0x9e3779b9);
  return [l >>> 0, r >>> 0];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export class FingerprintStore implements VisitedStore {
  readonly words: number;
  size = 0;
  parent: Int32Array;
  action: Uint16Array | Uint32Array;
  /** Interleaved (hi, lo) per slot; sorted; (0, 0) = empty. */
  private table: Uint32Array;
  private homes: number; // slots that are home to some fingerprint
  private scale: number; // homes / 2^32
  private linkCap: number;
  private readonly wideActions: boolean;
  private readonly maxBytes: number;
  readonly exact: boolean;
  /** Exact mode: index of the state whose mixed key is (0, 0), the empty marker; -1 if none. */
  private zeroIdx = -1;

  constructor(words: number, opts: FingerprintStoreOptions = {}) {
    if (opts.exact && words > 2) throw new Error(`FingerprintStore: exact keys need at most 2 words, got ${words}`);
    this.words = words;
    this.exact = opts.exact ?? false;
    this.maxBytes = opts.maxBytes ?? Infinity;
    const cap = Math.max(16, opts.initialCapacity ?? 1 << 14);
    this.homes = Math.ceil(cap / MAX_LOAD);
    this.scale = this.homes / TWO32;
    this.table = new Uint32Array((this.homes + OVERFLOW) * 2);
    this.linkCap = cap;
    this.parent = new Int32Array(cap);
    this.wideActions = (opts.maxAction ?? 0) > 0xffff;
    this.action = this.wideActions ? new Uint32Array(cap) : new Uint16Array(cap);
  }

  bytes(): number {
    return this.table.byteLength + this.parent.byteLength + this.action.byteLength;
  }

  private key(src: Uint32Array): void {
    if (this.exact) mixExact(src, this.words);
    else fingerprint(src, this.words);
  }

  add(src: Uint32Array, parent: number, action: number): number {
    this.key(src);
    if (fpHi === 0 && fpLo === 0) {
      if (this.zeroIdx >= 0) return ADD_EXISTS;
      if (this.size === this.linkCap && !this.growLinks()) return ADD_FULL;
      this.zeroIdx = this.size;
      return this.link(parent, action);
    }
    for (;;) {
      const at = this.probe(fpHi, fpLo);
      if (at < 0) return ADD_EXISTS;
      if (this.size === this.linkCap && !this.growLinks()) return ADD_FULL;
      if ((this.size + 1) > this.homes * MAX_LOAD || !this.insertAt(at, fpHi, fpLo)) {
        if (!this.growTable()) return ADD_FULL;
        continue; // positions changed: probe again
      }
      return this.link(parent, action);
    }
  }

  private link(parent: number, action: number): number {
    const idx = this.size++;
    this.parent[idx] = parent;
    this.action[idx] = action;
    return idx;
  }

  has(src: Uint32Array): boolean {
    this.key(src);
    if (fpHi === 0 && fpLo === 0) return this.zeroIdx >= 0;
    return this.probe(fpHi, fpLo) < 0;
  }

  /** The index is not kept: -1 (callers use it for reports only). */
  find(_src: Uint32Array): number {
    return -1;
  }

  traceTo(idx: number): number[] {
    const out: number[] = [];
    for (let i = idx; i > 0; i = this.parent[i]!) out.push(this.action[i]!);
    return out.reverse();
  }

  /**
   * Estimated probability that a state was missed, as TLC prints it:
   * optimistic n(g-n)/2^64 for n distinct states among g generated, and
   * from the actual fingerprints 1/d for the closest pair's distance d.
   */
  missProbability(generated: number): { readonly optimistic: number; readonly actual: number } {
    const n = this.size;
    const optimistic = Math.min(1, (n * Math.max(0, generated - n)) / 2 ** 64);
    let minGap = Infinity, prev = -1;
    const t = this.table;
    for (let i = 0; i < t.length; i += 2) {
      if (t[i] === 0 && t[i + 1] === 0) continue;
      const v = t[i]! * TWO32 + t[i + 1]!; // doubles: exact enough for a gap estimate
      if (prev >= 0 && v - prev < minGap) minGap = v - prev;
      prev = v;
    }
    return { optimistic, actual: minGap === Infinity ? 0 : Math.min(1, 1 / Math.max(1, minGap)) };
  }

  // Slot where (hi, lo) is or would go: -1 if present, else the insertion slot.
  private probe(hi: number, lo: number): number {
    const t = this.table;
    let i = Math.min(this.homes - 1, Math.floor(hi * this.scale)) << 1;
    for (;;) {
      const h = t[i]!, l = t[i + 1]!;
      if (h === 0 && l === 0) return i >> 1;
      if (h > hi || (h === hi && l >= lo)) return h === hi && l === lo ? -1 : i >> 1;
      i += 2;
      if (i >= t.length) return t.length >> 1; // ran off the end: needs growth
    }
  }

  // Shift the cluster from `at` one slot right and put (hi, lo) at `at`; false if it would run off the end.
  private insertAt(at: number, hi: number, lo: number): boolean {
    const t = this.table, slots = t.length >> 1;
    if (at >= slots) return false;
    let e = at;
    while (e < slots && !(t[e << 1] === 0 && t[(e << 1) + 1] === 0)) e++;
    if (e >= slots) return false;
    if (e > at) t.copyWithin((at + 1) << 1, at << 1, e << 1);
    t[at << 1] = hi;
    t[(at << 1) + 1] = lo;
    return true;
  }

  private growTable(): boolean {
    const homes = Math.ceil(Math.max(this.homes * GROWTH, (this.size + 1) / MAX_LOAD + 1));
    const n = (homes + OVERFLOW) * 2;
    if (this.bytes() + n * 4 - this.table.byteLength > this.maxBytes) return false;
    let t: Uint32Array;
    try {
      t = new Uint32Array(n);
    } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
    // The old table is sorted: place each entry at max(its new home, last + 1).
    const old = this.table, scale = homes / TWO32;
    let next = 0;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i]!, lo = old[i + 1]!;
      if (hi === 0 && lo === 0) continue;
      const pos = Math.max(Math.min(homes - 1, Math.floor(hi * scale)), next);
      if (pos >= homes + OVERFLOW) return false;
      t[pos << 1] = hi;
      t[(pos << 1) + 1] = lo;
      next = pos + 1;
    }
    this.table = t;
    this.homes = homes;
    this.scale = scale;
    return true;
  }

  private growLinks(): boolean {
    const cap = Math.ceil(this.linkCap * LINK_GROWTH) + 16;
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
