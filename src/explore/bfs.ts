// Breadth-first search: shortest counterexamples, levels as index ranges.
//
// States are numbered in the order first seen, so the BFS queue is simply the
// index range [head, store.size): with a store that can read states back the
// queue costs nothing; with one that cannot (fingerprints) a FIFO of full
// states (StateQueue) holds exactly that range.

import { StateQueue } from './queue.ts';
import { POLL_MASK, type CoreOut, type ExhaustReason, type Run } from './run.ts';
import { Admission } from './admit.ts';

export function bfs(run: Run, cur: Uint32Array, stoppedAtStart: boolean): CoreOut {
  const { sys, store } = run;
  const { maxDepth } = run.limits;
  const next = new Uint32Array(sys.words);
  const read = store.read ? store.read.bind(store) : null;
  const queue = read ? null : new StateQueue(sys.words);
  if (queue) queue.push(cur);
  const adm = new Admission(run, queue, stoppedAtStart, null);
  let head = 0;
  let level = 0; // BFS level of the state being expanded
  let levelEnd = 1;
  let curIdx = 0;
  let enabled = 0; // successors of the state being expanded
  let exhausted: ExhaustReason | null = null;

  // One closure for the whole run; per transition it touches only typed arrays.
  const emit = (a: number): void => {
    if (adm.stop) return;
    enabled++;
    adm.admit(cur, curIdx, a, next, level);
  };
  const info = () => ({ states: store.size, explored: head, transitions: adm.transitions, depth: level, queue: store.size - head, elapsedMs: run.elapsedMs(), storeBytes: store.bytes() });

  while (!adm.stop && head < store.size) {
    if (head === levelEnd) {
      level++;
      levelEnd = store.size;
    }
    if (level >= maxDepth) {
      exhausted = 'maxDepth';
      break;
    }
    curIdx = head;
    if (queue) queue.shift(cur);
    else read!(head, cur);
    enabled = 0;
    if (sys.expand) sys.expand(cur, next, emit);
    else for (let a = 0; a < sys.actionCount; a++) if (sys.step(cur, a, next)) emit(a);
    if (!adm.stop && enabled === 0 && run.deadState(cur, curIdx, level)) adm.stop = true;
    if (adm.stop) break;
    head++;
    if ((head & POLL_MASK) === 0 && run.poll(info)) {
      exhausted = 'interrupted';
      break;
    }
  }
  exhausted = exhausted ?? adm.exhausted;
  return { explored: head, transitions: adm.transitions, depth: adm.deepest, exhausted, stoppedEarly: head < store.size && exhausted === null, queueBytes: adm.queuePeak };
}
