// One slice of a BFS level, expanded without touching the store: the unit of
// work of the parallel BFS (parallel-bfs.ts), run by the main thread and by
// each worker alike. For parents [from, to) in index order and their enabled
// actions in action order, it emits the successors not already stored (looked
// up read-only in the shared table) and not already emitted by this slice, as
// (parent, action, words) entries, plus the transition-check failures and
// deadlocks met on the way, each placed by how many entries precede it, and
// every safety property failing on an entry (the checks run here, in
// parallel; the merge records them only for entries that are new). The
// merge replays all of it in the same order a sequential BFS meets it, which
// is what keeps counts, indices and counterexamples identical.

import { ADD_EXISTS, findInView, StateStore, type StoreView } from './store.ts';
import { forEachSuccessor, type System } from './system.ts';

export interface ChunkEvent {
  /** Entries emitted before this event. */
  readonly at: number;
  readonly kind: 'transition' | 'deadlock';
  readonly parent: number;
  readonly action: number;
  readonly id: string;
  readonly message: string;
  /** Transition: the target state's words (for its index at merge time). */
  readonly target?: number[];
}

/** A safety property failing on entry `entry` (checked here, in parallel; recorded at merge if the entry is new). */
export interface ChunkFailure {
  readonly entry: number;
  readonly id: string;
  readonly message: string;
}

export interface ChunkOut {
  readonly transitions: number;
  /** Entries: parent, action, then the state's words. */
  readonly count: number;
  readonly buf: Uint32Array;
  readonly events: ChunkEvent[];
  /** Property failures by entry, in entry order then property order. */
  readonly failures: ChunkFailure[];
}

export function expandChunk(sys: System, view: StoreView, from: number, to: number, checkDeadlock: boolean): ChunkOut {
  const W = sys.words, E = W + 2, keys = view.keys;
  const cur = new Uint32Array(W), next = new Uint32Array(W);
  const local = new StateStore(W, { initialCapacity: 1024 });
  const checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  const deadlock = checkDeadlock && sys.deadlock ? sys.deadlock.bind(sys) : null;
  let buf = new Uint32Array(Math.max(64, (to - from) * 2) * E);
  let count = 0, transitions = 0, enabled = 0, parent = 0;
  const events: ChunkEvent[] = [];
  const failures: ChunkFailure[] = [];
  const props = sys.properties;
  const emit = (a: number): void => {
    transitions++;
    enabled++;
    if (checkT !== null) {
      const tv = checkT(cur, a, next);
      if (tv !== null) events.push({ at: count, kind: 'transition', parent, action: a, id: tv.id, message: tv.message, target: Array.from(next) });
    }
    if (findInView(view, next) >= 0 || local.add(next, 0, 0) === ADD_EXISTS) return;
    if ((count + 1) * E > buf.length) {
      const b = new Uint32Array(buf.length * 2);
      b.set(buf);
      buf = b;
    }
    const o = count * E;
    buf[o] = parent;
    buf[o + 1] = a;
    for (let j = 0; j < W; j++) buf[o + 2 + j] = next[j]!;
    for (let i = 0; i < props.length; i++) {
      const msg = props[i]!.check(next);
      if (msg !== null) failures.push({ entry: count, id: props[i]!.id, message: msg });
    }
    count++;
  };
  for (parent = from; parent < to; parent++) {
    const k = parent * W;
    for (let j = 0; j < W; j++) cur[j] = keys[k + j]!;
    enabled = 0;
    forEachSuccessor(sys, cur, next, emit);
    if (enabled === 0 && deadlock !== null) {
      const msg = deadlock(cur);
      if (msg !== null) events.push({ at: count, kind: 'deadlock', parent, action: -1, id: 'DEADLOCK', message: msg });
    }
  }
  return { transitions, count, buf: buf.subarray(0, count * E), events, failures };
}
