// Breadth-first search: shortest counterexamples, levels as index ranges.
//
// States are numbered in the order first seen, so the BFS queue is simply the
// index range [head, store.size): with a store that can read states back the
// queue costs nothing; with one that cannot (fingerprints) a FIFO of full
// states (StateQueue) holds exactly that range.

import { StateQueue } from './queue.ts';
import { POLL_MASK, type CoreOut, type ExhaustReason, type Run } from './run.ts';
import { ADD_FULL } from './visited.ts';

export function bfs(run: Run, cur: Uint32Array, stoppedAtStart: boolean): CoreOut {
  const { sys, store } = run;
  const { maxStates, maxDepth } = run.limits;
  const next = new Uint32Array(sys.words);
  const checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  const read = store.read ? store.read.bind(store) : null;
  const queue = read ? null : new StateQueue(sys.words);
  if (queue) queue.push(cur);
  let transitions = 0;
  let head = 0;
  let level = 0; // BFS level of the state being expanded
  let levelEnd = 1;
  let deepest = 0;
  let curIdx = 0;
  let enabled = 0; // successors of the state being expanded
  let stop = stoppedAtStart;
  let exhausted: ExhaustReason | null = null;
  let queuePeak = queue ? queue.bytes() : 0;

  // One closure for the whole run; per transition it touches only typed arrays.
  const emit = (a: number): void => {
    if (stop) return;
    transitions++;
    enabled++;
    if (checkT !== null) {
      const tv = checkT(cur, a, next);
      if (tv !== null && run.transitionViolation(curIdx, a, store.find(next), level + 1, tv.id, tv.message)) {
        stop = true;
        return;
      }
    }
    if (store.size >= maxStates) {
      // Only a new state would exceed the bound; an existing one is fine.
      if (!store.has(next)) {
        stop = true;
        exhausted = 'maxStates';
      }
      return;
    }
    const idx = store.add(next, curIdx, a);
    if (idx >= 0) {
      deepest = level + 1;
      if (queue) {
        queue.push(next);
        const b = queue.bytes();
        if (b > queuePeak) queuePeak = b;
      }
      if (run.newState(next, idx, level + 1)) stop = true;
    } else if (idx === ADD_FULL) {
      stop = true;
      exhausted = 'memory';
    }
  };
  const info = () => ({ states: store.size, explored: head, transitions, depth: level, queue: store.size - head, elapsedMs: run.elapsedMs(), storeBytes: store.bytes() });

  while (!stop && head < store.size) {
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
    if (!stop && enabled === 0 && run.deadState(cur, curIdx, level)) stop = true;
    if (stop) break;
    head++;
    if ((head & POLL_MASK) === 0 && run.poll(info)) {
      exhausted = 'interrupted';
      break;
    }
  }
  return { explored: head, transitions, depth: deepest, exhausted, stoppedEarly: head < store.size && exhausted === null, queueBytes: queuePeak };
}
