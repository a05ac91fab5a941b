// One lane's side of the parallel BFS phases (expand-chunk.ts) as tasks: a
// worker thread (bfs-worker.ts) runs them as the main thread posts them;
// tests run them inline, in any order, to play the lanes' races out.

import { commitLane, expandLane, rankLane, type ExpandOut, type LevelShared } from './expand-chunk.ts';
import type { StoreView } from './store.ts';
import type { System } from './system.ts';

export type LaneTask =
  | { readonly phase: 'A'; readonly store: StoreView; readonly lv: LevelShared; readonly lane: number; readonly from: number; readonly to: number; readonly levelStart: number; readonly checkDeadlock: boolean }
  | { readonly phase: 'B'; readonly store: StoreView; readonly lv: LevelShared; readonly lane: number }
  | { readonly phase: 'C'; readonly store: StoreView; readonly lv: LevelShared; readonly lane: number; readonly base: number; readonly keep: number; readonly pending: readonly number[] };

/** What parallelBfs needs of its helpers: lanes 1..size, each task posted to one, results in order. */
export interface LanePool {
  readonly size: number;
  start<R>(tasks: readonly LaneTask[]): () => R[];
}

export class LaneRunner {
  // The phase-A result, which phases B and C go on from.
  private last: ExpandOut = { count: 0, transitions: 0, overflow: false, events: [], failures: [], ms: 0 };

  constructor(private readonly sys: System) {}

  run(t: LaneTask): unknown {
    switch (t.phase) {
      case 'A':
        this.last = expandLane(this.sys, t.store, t.lv, t.lane, t.from, t.to, t.levelStart, t.checkDeadlock);
        return this.last;
      case 'B':
        return rankLane(t.store, t.lv, t.lane, this.last);
      case 'C':
        return commitLane(this.sys, t.store, t.lv, t.lane, this.last.count, t.base, t.keep, t.pending);
    }
  }
}
