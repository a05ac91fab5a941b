// Depth-first search: an explicit stack of frames, no recursion, so depth is
// bounded only by memory. Each frame is (state index, cursor). With expand() a
// frame's enabled successors are generated once, on entry, onto a successor
// stack of (action, words) entries and the cursor walks them; without it the
// cursor is the next action id to try through step(). Either way successors
// are taken in increasing action order, so the DFS tree is deterministic.
// A depth bound makes DFS incomplete in general (a state first met deep is not
// re-expanded when met shallower later), so hitting it reports maxDepth.
// Needs a store that reads states back (not the fingerprint store).

import { POLL_MASK, type CoreOut, type ExhaustReason, type Run } from './run.ts';
import { ADD_EXISTS, ADD_FULL } from './visited.ts';

export function dfs(run: Run, cur: Uint32Array, stoppedAtStart: boolean): CoreOut {
  const { sys, store } = run;
  const { maxStates, maxDepth } = run.limits;
  if (!store.read) throw new Error('dfs: the store cannot read states back (use bfs with a fingerprint store)');
  const read = store.read.bind(store);
  const W = sys.words;
  const E = W + 1; // successor entry: action, then the W words
  const next = new Uint32Array(W);
  const checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  const nActions = sys.actionCount;
  const useExpand = sys.expand !== undefined;
  let stIdx: Int32Array = new Int32Array(1024);
  let stCur: Int32Array = new Int32Array(1024); // step mode: next action; expand mode: next entry
  let stEnd: Int32Array = new Int32Array(1024); // expand mode: end of the frame's entries
  let succ: Uint32Array = new Uint32Array(1024 * E);
  let succTop = 0; // entries in use
  let sp = 0;
  let transitions = 0;
  let explored = 0;
  let deepest = 0;
  let loaded = -1; // which state `cur` holds
  let stop = stoppedAtStart;
  let exhausted: ExhaustReason | null = null;
  let hitDepth = false;
  let oom = false;

  const load = (idx: number): void => {
    if (loaded !== idx) {
      read(idx, cur);
      loaded = idx;
    }
  };
  // expand mode: copy each successor onto the successor stack.
  const emitSucc = (a: number): void => {
    if (oom) return;
    if ((succTop + 1) * E > succ.length) {
      const g = grow(succ, (n) => new Uint32Array(n));
      if (g === null) {
        oom = true;
        return;
      }
      succ = g;
    }
    const o = succTop * E;
    succ[o] = a;
    for (let j = 0; j < W; j++) succ[o + 1 + j] = next[j]!;
    succTop++;
  };
  const push = (idx: number): boolean => {
    if (sp === stIdx.length) {
      const g = grow(stIdx, (n) => new Int32Array(n)), h = grow(stCur, (n) => new Int32Array(n)), k = grow(stEnd, (n) => new Int32Array(n));
      if (g === null || h === null || k === null) return false;
      stIdx = g;
      stCur = h;
      stEnd = k;
    }
    stIdx[sp] = idx;
    if (useExpand) {
      load(idx);
      const base = succTop;
      sys.expand!(cur, next, emitSucc);
      if (oom) return false;
      stCur[sp] = base;
      stEnd[sp] = succTop;
    } else {
      stCur[sp] = 0;
    }
    sp++;
    return true;
  };
  const info = () => ({ states: store.size, explored, transitions, depth: sp, queue: sp, elapsedMs: run.elapsedMs(), storeBytes: store.bytes() });
  // A frame is done: check for deadlock if it had no successor at all.
  const pop = (top: number, idx: number, hadNone: boolean): boolean => {
    sp--;
    explored++;
    if (hadNone) {
      load(idx);
      if (run.deadState(cur, idx, top)) {
        stop = true;
        return true;
      }
    }
    if ((explored & POLL_MASK) === 0 && run.poll(info)) {
      exhausted = 'interrupted';
      return true;
    }
    return false;
  };

  if (!stop && maxDepth > 0 && !push(0)) exhausted = 'memory';
  if (maxDepth <= 0) hitDepth = true;

  while (!stop && exhausted === null && sp > 0) {
    const top = sp - 1;
    const idx = stIdx[top]!;
    let a: number;
    if (useExpand) {
      const e = stCur[top]!;
      if (e === stEnd[top]) {
        const base = top === 0 ? 0 : stEnd[top - 1]!;
        // The frame's entries start where its parent's end.
        succTop = base;
        if (pop(top, idx, stEnd[top] === base)) break;
        continue;
      }
      stCur[top] = e + 1;
      const o = e * E;
      a = succ[o]!;
      for (let j = 0; j < W; j++) next[j] = succ[o + 1 + j]!;
    } else {
      load(idx);
      const from = stCur[top]!;
      a = from;
      while (a < nActions && !sys.step(cur, a, next)) a++;
      if (a === nActions) {
        if (pop(top, idx, from === 0)) break;
        continue;
      }
      stCur[top] = a + 1;
    }
    transitions++;
    if (checkT !== null) {
      load(idx);
      const tv = checkT(cur, a, next);
      if (tv !== null && run.transitionViolation(idx, a, store.find(next), top + 1, tv.id, tv.message)) break;
    }
    if (store.size >= maxStates) {
      if (!store.has(next)) {
        exhausted = 'maxStates';
        break;
      }
      continue;
    }
    const n = store.add(next, idx, a);
    if (n === ADD_EXISTS) continue;
    if (n === ADD_FULL) {
      exhausted = 'memory';
      break;
    }
    if (top + 1 > deepest) deepest = top + 1;
    if (run.newState(next, n, top + 1)) {
      stop = true;
      break;
    }
    if (top + 1 >= maxDepth) {
      // Stored and checked, but not expanded.
      hitDepth = true;
      continue;
    }
    if (!push(n)) exhausted = 'memory';
  }
  if (exhausted === null && hitDepth) exhausted = 'maxDepth';
  return { explored, transitions, depth: deepest, exhausted, stoppedEarly: sp > 0 && exhausted === null, queueBytes: 0 };
}

function grow<T extends Int32Array | Uint32Array>(a: T, make: (n: number) => T): T | null {
  try {
    const n = make(a.length * 2);
    n.set(a);
    return n;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
