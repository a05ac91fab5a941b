// The thread side of the parallel BFS (parallel-bfs.ts): what the main thread
// and every worker each do to their own slice ("lane") of a BFS level, in
// three phases separated by barriers. Every thread both expands and inserts;
// the main thread only walks the (rare) violations in order.
//
// A. expand: for parents [from, to) in index order and their actions in
//    action order, each successor is looked up in the store's own table (one
//    probe, as in bfs.ts), and if absent inserted there as a level entry: a
//    negative tag naming (lane, entry), claimed by Atomics.compareExchange
//    after the entry's words are written to the lane's buffers. Lane t's
//    slice precedes lane u's in sequential order when t < u, so the entry a
//    sequential BFS would create is the lowest lane's first: a lane meeting a
//    state held by a higher lane takes the slot over (tags for one state only
//    move to lower lanes), one held by itself or a lower lane is skipped.
//    Properties are checked here on each entry, transition checks and
//    deadlocks recorded by how many entries precede them.
// B. rank: an entry is valid if its slot still names it; valid entries are
//    numbered in lane order. Lane by lane, then by rank, is exactly the order
//    a sequential BFS stores the level's new states in.
// C. commit: each lane writes its valid entries (the first `keep`) into the
//    store at their final indices (keys, parent, action) and puts the index in
//    the slot the entry claimed, and evaluates pending reachability on them.
//
// So indices, parent links, traces and counts are the sequential BFS's, and
// nothing depends on thread timing. The table is sized before the level for
// every lane's buffers full; if a lane's entries outgrow its buffers (fixed,
// since other threads read them), phase A stops everywhere, the level's slots
// are cleared (which restores the table exactly: old slots never move) and the
// main thread redoes the level with larger buffers.

import { hashWords, type StoreView } from './store.ts';
import { forEachSuccessor, type System } from './system.ts';

/** One lane's entry buffers (shared: other lanes compare keys, the main thread resolves targets). */
export interface LaneBufs {
  readonly keys: Uint32Array;
  readonly parent: Int32Array;
  readonly action: Int32Array;
  /** The table slot the entry claimed. */
  readonly slot: Int32Array;
  /** Phase B: the entry's rank among the lane's valid entries, or -1. */
  readonly rank: Int32Array;
}

/** The lanes' shared buffers, reallocated only when a level outgrows them. */
export interface LevelShared {
  readonly words: number;
  readonly lanes: number;
  /** Bits of a tag naming the lane. */
  readonly laneBits: number;
  /** Entries per lane. */
  readonly cap: number;
  /** [0]: set when a lane ran out of entries (the level is redone). */
  readonly flags: Int32Array;
  readonly bufs: readonly LaneBufs[];
}

const sharedI32 = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(n * 4));

export function levelShared(words: number, lanes: number, cap: number): LevelShared {
  let laneBits = 0;
  while (1 << laneBits < lanes) laneBits++;
  if (cap >= 2 ** (31 - laneBits)) throw new Error(`parallel bfs: a level of more than ${2 ** (31 - laneBits)} new states per lane`);
  const bufs: LaneBufs[] = [];
  for (let t = 0; t < lanes; t++) {
    bufs.push({ keys: new Uint32Array(new SharedArrayBuffer(cap * words * 4)), parent: sharedI32(cap), action: sharedI32(cap), slot: sharedI32(cap), rank: sharedI32(cap) });
  }
  return { words, lanes, laneBits, cap, flags: sharedI32(1), bufs };
}

/** The (negative) table tag of a lane's entry. */
export const entryTag = (lv: LevelShared, lane: number, entry: number): number => -(((entry << lv.laneBits) | lane) + 1);

export interface LaneEvent {
  /** Entries of this lane before the event (phase A); phase B turns it into valid entries before it. */
  at: number;
  readonly kind: 'transition' | 'deadlock';
  readonly parent: number;
  readonly action: number;
  readonly id: string;
  readonly message: string;
  /** Transition: the target state's words (for its index at merge time). */
  readonly target?: number[];
}

export interface LaneFailure {
  /** Entry index (phase A); phase B: its rank, or -1 if the entry is not valid. */
  entry: number;
  readonly id: string;
  readonly message: string;
}

export interface ExpandOut {
  readonly count: number;
  readonly transitions: number;
  readonly overflow: boolean;
  /** Wall-clock milliseconds the lane took (balances the next level's slices; never in a result). */
  readonly ms: number;
  readonly events: LaneEvent[];
  readonly failures: LaneFailure[];
}

export interface RankOut {
  readonly valid: number;
  /** The phase-A events and failures with positions as ranks (events: valid entries before; failures: rank or -1). */
  readonly events: LaneEvent[];
  readonly failures: LaneFailure[];
}

/**
 * Between phases B and C: the final index of state `words` if stored, or if
 * new in this level (base[lane] + rank of the entry holding it); else -1.
 */
export function indexDuringLevel(store: StoreView, lv: LevelShared, words: Uint32Array, base: readonly number[]): number {
  const W = lv.words, table = store.table, mask = table.length - 1, lb = lv.laneBits, lm = (1 << lb) - 1;
  let i = hashWords(words, 0, W) & mask;
  for (;;) {
    const v = table[i]!;
    if (v === 0) return -1;
    let keys = store.keys, k: number, x = 0;
    if (v > 0) k = (v - 1) * W;
    else {
      x = -v - 1;
      keys = lv.bufs[x & lm]!.keys;
      k = (x >>> lb) * W;
    }
    let j = 0;
    while (j < W && keys[k + j] === words[j]) j++;
    if (j === W) return v > 0 ? v - 1 : base[x & lm]! + lv.bufs[x & lm]!.rank[x >>> lb]!; // v > 0: stored, or lane 0's
    i = (i + 1) & mask;
  }
}

/**
 * Phase A for lane `lane` over parents [from, to); the level's new states get
 * indices from `levelStart`. Lane 0 comes first in sequential order, so its
 * entries are never taken over: it writes them straight into the store
 * (keys and links reserved for `cap` more states) with their final index in
 * the slot, which the other lanes read as a state already stored.
 */
export function expandLane(sys: System, store: StoreView, lv: LevelShared, lane: number, from: number, to: number, levelStart: number, checkDeadlock: boolean): ExpandOut {
  const W = sys.words, lb = lv.laneBits, lm = (1 << lb) - 1, cap = lv.cap;
  const skeys = store.keys, table = store.table, mask = table.length - 1, flags = lv.flags;
  const my = lv.bufs[lane]!, mslot = my.slot;
  const direct = lane === 0;
  const mkeys = direct ? store.keys : my.keys, mparent = direct ? store.parent : my.parent, maction = direct ? store.action : my.action;
  const first = direct ? levelStart : 0;
  const bufs = lv.bufs;
  const cur = new Uint32Array(W), next = new Uint32Array(W);
  const checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  const deadlock = checkDeadlock && sys.deadlock ? sys.deadlock.bind(sys) : null;
  const props = sys.properties;
  const events: LaneEvent[] = [];
  const failures: LaneFailure[] = [];
  let count = 0, transitions = 0, enabled = 0, parent = 0, overflow = false;
  const t0 = performance.now();

  // Write the entry, then publish it in slot i if the slot still holds `expect`; the CAS result.
  const claim = (i: number, expect: number, a: number): number => {
    const e = first + count, o = e * W;
    for (let j = 0; j < W; j++) mkeys[o + j] = next[j]!;
    mparent[e] = parent;
    maction[e] = a;
    mslot[count] = i;
    return Atomics.compareExchange(table, i, expect, direct ? e + 1 : -(((count << lb) | lane) + 1));
  };
  const claimed = (): void => {
    for (let p = 0; p < props.length; p++) {
      const msg = props[p]!.check(next);
      if (msg !== null) failures.push({ entry: count, id: props[p]!.id, message: msg });
    }
    count++;
  };
  const full = (): void => {
    overflow = true;
    Atomics.store(flags, 0, 1);
  };
  const emit = (a: number): void => {
    if (overflow) return;
    transitions++;
    enabled++;
    if (checkT !== null) {
      const tv = checkT(cur, a, next);
      if (tv !== null) events.push({ at: count, kind: 'transition', parent, action: a, id: tv.id, message: tv.message, target: Array.from(next) });
    }
    let i = hashWords(next, 0, W) & mask;
    let v = Atomics.load(table, i);
    for (;;) {
      if (v === 0) {
        if (count >= cap) return full();
        const r = claim(i, 0, a);
        if (r === 0) return claimed();
        v = r;
        continue;
      }
      let keys = skeys, k: number, u = -1;
      if (v > 0) k = (v - 1) * W;
      else {
        const x = -v - 1;
        u = x & lm;
        keys = bufs[u]!.keys;
        k = (x >>> lb) * W;
      }
      let j = 0;
      while (j < W && keys[k + j] === next[j]) j++;
      if (j < W) {
        i = (i + 1) & mask;
        v = Atomics.load(table, i);
        continue;
      }
      if (u <= lane) return; // stored before this level, or met first by this lane or an earlier one
      if (count >= cap) return full();
      const r = claim(i, v, a);
      if (r === v) return claimed();
      v = r; // another lane moved it: compare again
    }
  };
  for (parent = from; parent < to && !overflow; parent++) {
    if ((parent & 63) === 0 && Atomics.load(flags, 0) !== 0) {
      overflow = true;
      break;
    }
    const k = parent * W;
    for (let j = 0; j < W; j++) cur[j] = skeys[k + j]!;
    enabled = 0;
    forEachSuccessor(sys, cur, next, emit);
    if (enabled === 0 && deadlock !== null) {
      const msg = deadlock(cur);
      if (msg !== null) events.push({ at: count, kind: 'deadlock', parent, action: -1, id: 'DEADLOCK', message: msg });
    }
  }
  return { count, transitions, overflow, events, failures, ms: performance.now() - t0 };
}

/** After an overflow: clear the slots the lane claimed (restoring the table as it was before the level). */
export function clearLane(store: StoreView, lv: LevelShared, lane: number, count: number): void {
  const slot = lv.bufs[lane]!.slot, table = store.table;
  for (let j = 0; j < count; j++) table[slot[j]!] = 0;
}

/** Phase B: rank the lane's valid entries; restate event and failure positions as ranks. */
export function rankLane(store: StoreView, lv: LevelShared, lane: number, a: ExpandOut): RankOut {
  // Lane 0's entries are all valid, in order.
  if (lane === 0) return { valid: a.count, events: a.events, failures: a.failures };
  const table = store.table, { slot, rank } = lv.bufs[lane]!;
  const events = a.events, n = a.count;
  let r = 0, e = 0;
  for (let j = 0; j < n; j++) {
    while (e < events.length && events[e]!.at === j) events[e++]!.at = r;
    rank[j] = Atomics.load(table, slot[j]!) === entryTag(lv, lane, j) ? r++ : -1;
  }
  while (e < events.length) events[e++]!.at = r;
  for (const f of a.failures) f.entry = rank[f.entry]!;
  return { valid: r, events, failures: a.failures.filter((f) => f.entry >= 0) };
}

/**
 * Phase C: store the lane's first `keep` valid entries at base + rank (the
 * index goes into the slot the entry holds); return the reachability indices
 * (of `pending`) they reach. Valid entries past `keep` keep their tag: the
 * caller rebuilds the table when it cuts a level short.
 */
export function commitLane(sys: System, store: StoreView, lv: LevelShared, lane: number, count: number, base: number, keep: number, pending: readonly number[]): number[] {
  const W = sys.words, { keys: lkeys, parent: lparent, action: laction, slot, rank } = lv.bufs[lane]!;
  const skeys = store.keys, sparent = store.parent, saction = store.action, table = store.table;
  const sometimes = sys.sometimes ?? [];
  let left = pending.slice();
  const reached: number[] = [];
  const st = new Uint32Array(W);
  if (lane === 0) {
    // Already in place (expandLane): only reachability is left.
    for (let idx = base; idx < base + keep && left.length > 0; idx++) {
      for (let w = 0; w < W; w++) st[w] = skeys[idx * W + w]!;
      const still = left.filter((k) => !sometimes[k]!.reached(st));
      for (const k of left) if (!still.includes(k)) reached.push(k);
      left = still;
    }
    return reached;
  }
  for (let j = 0; j < count; j++) {
    const r = rank[j]!;
    if (r < 0 || r >= keep) continue;
    const idx = base + r, o = idx * W, lo = j * W;
    for (let w = 0; w < W; w++) skeys[o + w] = lkeys[lo + w]!;
    sparent[idx] = lparent[j]!;
    saction[idx] = laction[j]!;
    table[slot[j]!] = idx + 1;
    if (left.length > 0) {
      for (let w = 0; w < W; w++) st[w] = lkeys[lo + w]!;
      const still = left.filter((k) => !sometimes[k]!.reached(st));
      if (still.length < left.length) {
        for (const k of left) if (!still.includes(k)) reached.push(k);
        left = still;
      }
    }
  }
  return reached;
}
