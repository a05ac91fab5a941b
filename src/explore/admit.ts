// How a breadth-first search admits one successor: the transition check, the
// state bound, the store, the queue and the new-state checks. Plain BFS
// (bfs.ts) and partial-order BFS (por.ts) share it so that a reduced search
// can never admit a state by a different rule from the unreduced one.

import type { StateQueue } from './queue.ts';
import type { ExhaustReason, Run } from './run.ts';
import { ADD_FULL } from './visited.ts';

/** Runs a check under the caller's guard (POR's footprint guard), or as is when null. */
export type CheckWrap = <T>(f: () => T) => T;

export class Admission {
  stop: boolean;
  exhausted: ExhaustReason | null = null;
  transitions = 0;
  /** Level of the deepest state admitted. */
  deepest = 0;
  queuePeak: number;
  private readonly checkT: ((cur: Uint32Array, a: number, next: Uint32Array) => { readonly id: string; readonly message: string } | null) | null;

  constructor(
    private readonly run: Run,
    private readonly queue: StateQueue | null,
    stoppedAtStart: boolean,
    private readonly wrap: CheckWrap | null,
  ) {
    this.stop = stoppedAtStart;
    this.queuePeak = queue ? queue.bytes() : 0;
    const sys = run.sys;
    this.checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  }

  /** Admits `next`, reached from state `curIdx` (at `level`) by action `a`. Sets `stop` when the search must end. */
  admit(cur: Uint32Array, curIdx: number, a: number, next: Uint32Array, level: number): void {
    const { run, wrap } = this;
    const store = run.store;
    this.transitions++;
    if (this.checkT !== null) {
      const checkT = this.checkT;
      const tv = wrap ? wrap(() => checkT(cur, a, next)) : checkT(cur, a, next);
      if (tv !== null && run.transitionViolation(curIdx, a, store.find(next), level + 1, tv.id, tv.message)) {
        this.stop = true;
        return;
      }
    }
    if (store.size >= run.limits.maxStates) {
      // Only a new state would exceed the bound; an existing one is fine.
      if (!store.has(next)) {
        this.stop = true;
        this.exhausted = 'maxStates';
      }
      return;
    }
    const idx = store.add(next, curIdx, a);
    if (idx >= 0) {
      this.deepest = level + 1;
      const queue = this.queue;
      if (queue) {
        queue.push(next);
        const b = queue.bytes();
        if (b > this.queuePeak) this.queuePeak = b;
      }
      if (wrap ? wrap(() => run.newState(next, idx, level + 1)) : run.newState(next, idx, level + 1)) this.stop = true;
    } else if (idx === ADD_FULL) {
      this.stop = true;
      this.exhausted = 'memory';
    }
  }
}
