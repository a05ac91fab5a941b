// The exhaustive explorer: BFS (shortest counterexamples) and DFS over any
// System, storing visited states in a StateStore with parent links.
//
// Soundness and determinism rest on three rules:
// - a state is checked against every property exactly once, when first stored;
// - successors are visited in action order (System.expand/step contract), and
//   the store's index order is insertion order, so two runs of the same system
//   with the same options produce the same result (only `timing` differs);
// - the hot loop allocates nothing per transition: one reused `next` buffer,
//   one `emit` callback created per run, keys hashed straight from the words.

import { ADD_EXISTS, ADD_FULL, StateStore } from './store.ts';
import { ttyProgress, ttyProgressWanted, type ProgressFn } from './progress.ts';
import type { System } from './system.ts';

export type Strategy = 'bfs' | 'dfs';

export interface ExploreOptions {
  readonly strategy?: Strategy;
  /** Stop once this many distinct states are stored (never exceeded). */
  readonly maxStates?: number;
  /** Do not expand states at this depth (from the initial state). */
  readonly maxDepth?: number;
  /** Default true. If false, record the first violation of each property id and go on. */
  readonly stopAtFirstViolation?: boolean;
  /** Byte budget of the visited-state store (table + keys + parent links). */
  readonly maxBytes?: number;
  /** Initial store capacity in states (tests use tiny values to force growth). */
  readonly initialCapacity?: number;
  /** Called about every progressIntervalMs; overrides the TTY line. */
  readonly progress?: ProgressFn;
  /** Live stderr line: default on only for a TTY outside CI. */
  readonly tty?: boolean;
  readonly progressIntervalMs?: number;
}

export interface Violation {
  /** Property id (or the id checkTransition returned). */
  readonly property: string;
  readonly message: string;
  /** Store index of the violating state (for a transition check: the target). */
  readonly stateIndex: number;
  /** Length of trace. */
  readonly depth: number;
  /** Action ids from the initial state; the last one is the offending step. */
  readonly trace: number[];
  /** 'state' for a Property, 'transition' for checkTransition. */
  readonly kind: 'state' | 'transition';
}

export type ExhaustReason = 'memory' | 'maxStates' | 'maxDepth';

export interface ExploreResult {
  readonly system: string;
  readonly strategy: Strategy;
  /** Distinct states stored. */
  readonly states: number;
  /** States whose successors were all generated. */
  readonly explored: number;
  /** Enabled (state, action) pairs taken, including those to known states. */
  readonly transitions: number;
  /** Deepest stored state (BFS: its BFS level; DFS: its DFS-tree depth). */
  readonly depth: number;
  /** Every reachable state within the bounds expanded and no violation. */
  readonly complete: boolean;
  readonly violations: Violation[];
  readonly storeBytes: number;
  readonly bytesPerState: number;
  readonly exhausted?: { readonly reason: ExhaustReason };
  /** The only non-deterministic part of the result. */
  readonly timing: { readonly elapsedMs: number; readonly statesPerSec: number };
}

const PROGRESS_MASK = 0x3fff; // look at the clock every 16k expansions

interface Run {
  readonly sys: System;
  readonly store: StateStore;
  readonly stopFirst: boolean;
  readonly violations: Violation[];
  readonly seen: Set<string>;
}

// Record a violation (first per property id); true if exploration must stop.
function record(run: Run, v: Violation): boolean {
  if (!run.seen.has(v.property)) {
    run.seen.add(v.property);
    run.violations.push(v);
  }
  return run.stopFirst;
}

// Check every property on a newly stored state; true if exploration must stop.
function checkState(run: Run, state: Uint32Array, idx: number, depth: number): boolean {
  const props = run.sys.properties;
  let stop = false;
  for (let i = 0; i < props.length; i++) {
    const p = props[i]!;
    const msg = p.check(state);
    if (msg !== null && record(run, { property: p.id, message: msg, stateIndex: idx, depth, trace: run.store.traceTo(idx), kind: 'state' })) {
      stop = true;
      break;
    }
  }
  return stop;
}

function transitionViolation(run: Run, parentIdx: number, a: number, targetIdx: number, depth: number, id: string, message: string): boolean {
  const trace = run.store.traceTo(parentIdx);
  trace.push(a);
  return record(run, { property: id, message, stateIndex: targetIdx, depth, trace, kind: 'transition' });
}

export function explore(sys: System, opts: ExploreOptions = {}): ExploreResult {
  const strategy = opts.strategy ?? 'bfs';
  const maxStates = opts.maxStates ?? Infinity;
  const maxDepth = opts.maxDepth ?? Infinity;
  const tty = opts.progress === undefined && (opts.tty ?? ttyProgressWanted()) ? ttyProgress(`${strategy} ${sys.name}`) : null;
  const progress: ProgressFn | undefined = opts.progress ?? tty?.report;
  const interval = opts.progressIntervalMs ?? 500;
  const store = new StateStore(sys.words, {
    // Start near 1 MiB of keys whatever the width (kernel states are ~200 words).
    initialCapacity: opts.initialCapacity ?? Math.max(16, Math.min(1 << 15, Math.floor((1 << 20) / (4 * sys.words)))),
    maxAction: sys.actionCount - 1,
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
  });
  const run: Run = { sys, store, stopFirst: opts.stopAtFirstViolation ?? true, violations: [], seen: new Set() };
  const t0 = performance.now();
  let lastReport = t0;

  const cur = new Uint32Array(sys.words);
  sys.initial(cur);
  store.add(cur, -1, 0);
  let stopped = checkState(run, cur, 0, 0);
  // A bound of one state leaves nothing to expand: report it as the bound.
  const boundAtStart: ExhaustReason | null = !stopped && maxStates <= 1 ? 'maxStates' : null;
  if (boundAtStart) stopped = true;

  const core = strategy === 'bfs' ? bfs : dfs;
  const out = core(run, cur, maxStates, maxDepth, stopped, (explored, transitions, depth) => {
    if (!progress) return;
    const now = performance.now();
    if (now - lastReport < interval) return;
    lastReport = now;
    progress({ states: store.size, explored, transitions, depth, elapsedMs: now - t0, storeBytes: store.bytes() });
  });
  tty?.done();
  const elapsedMs = performance.now() - t0;
  const storeBytes = store.bytes();
  const exhausted = out.exhausted ?? boundAtStart;
  const result: ExploreResult = {
    system: sys.name,
    strategy,
    states: store.size,
    explored: out.explored,
    transitions: out.transitions,
    depth: out.depth,
    complete: exhausted === null && run.violations.length === 0 && !out.interrupted,
    violations: run.violations,
    storeBytes,
    bytesPerState: store.size > 0 ? storeBytes / store.size : 0,
    ...(exhausted ? { exhausted: { reason: exhausted } } : {}),
    timing: { elapsedMs, statesPerSec: elapsedMs > 0 ? Math.round((out.explored * 1000) / elapsedMs) : 0 },
  };
  return result;
}

interface CoreOut {
  readonly explored: number;
  readonly transitions: number;
  readonly depth: number;
  readonly exhausted: ExhaustReason | null;
  /** Stopped by a violation before the frontier was empty. */
  readonly interrupted: boolean;
}

type Tick = (explored: number, transitions: number, depth: number) => void;

// BFS: the store's dense key array is the queue (states are appended in the
// order first seen), so `head` walks it and levels are index ranges.
function bfs(run: Run, cur: Uint32Array, maxStates: number, maxDepth: number, stoppedAtStart: boolean, tick: Tick): CoreOut {
  const { sys, store } = run;
  const next = new Uint32Array(sys.words);
  const checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  const hasProps = sys.properties.length > 0;
  let transitions = 0;
  let head = 0;
  let level = 0; // BFS level of the state being expanded
  let levelEnd = 1;
  let deepest = 0;
  let curIdx = 0;
  let stop = stoppedAtStart;
  let exhausted: ExhaustReason | null = null;

  // One closure for the whole run; per transition it touches only typed arrays.
  const emit = (a: number): void => {
    if (stop) return;
    transitions++;
    if (checkT !== null) {
      const tv = checkT(cur, a, next);
      if (tv !== null) {
        const target = store.find(next);
        if (transitionViolation(run, curIdx, a, target, level + 1, tv.id, tv.message)) {
          stop = true;
          return;
        }
      }
    }
    if (store.size >= maxStates) {
      // Only a new state would exceed the bound; an existing one is fine.
      if (store.find(next) < 0) {
        stop = true;
        exhausted = 'maxStates';
      }
      return;
    }
    const idx = store.add(next, curIdx, a);
    if (idx >= 0) {
      deepest = level + 1;
      if (hasProps && checkState(run, next, idx, level + 1)) stop = true;
    } else if (idx === ADD_FULL) {
      stop = true;
      exhausted = 'memory';
    }
  };

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
    store.read(head, cur);
    if (sys.expand) sys.expand(cur, next, emit);
    else for (let a = 0; a < sys.actionCount; a++) if (sys.step(cur, a, next)) emit(a);
    if (stop) break;
    head++;
    if ((head & PROGRESS_MASK) === 0) tick(head, transitions, level);
  }
  return { explored: head, transitions, depth: deepest, exhausted, interrupted: head < store.size && exhausted === null };
}

// DFS: an explicit stack of frames, no recursion, so depth is bounded only by
// memory. Each frame is (state index, cursor). With expand() a frame's enabled
// successors are generated once, on entry, onto a successor stack of
// (action, words) entries and the cursor walks them; without it the cursor is
// the next action id to try through step(). Either way successors are taken
// in increasing action order, so the DFS tree is deterministic.
// A depth bound makes DFS incomplete in general (a state first met deep is not
// re-expanded when met shallower later), so hitting it reports maxDepth.
function dfs(run: Run, cur: Uint32Array, maxStates: number, maxDepth: number, stoppedAtStart: boolean, tick: Tick): CoreOut {
  const { sys, store } = run;
  const W = sys.words;
  const E = W + 1; // successor entry: action, then the W words
  const next = new Uint32Array(W);
  const checkT = sys.checkTransition ? sys.checkTransition.bind(sys) : null;
  const hasProps = sys.properties.length > 0;
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

  const push = (idx: number): boolean => {
    if (sp === stIdx.length) {
      const g = growInt32(stIdx), h = growInt32(stCur), k = growInt32(stEnd);
      if (g === null || h === null || k === null) return false;
      stIdx = g;
      stCur = h;
      stEnd = k;
    }
    stIdx[sp] = idx;
    if (useExpand) {
      if (loaded !== idx) {
        store.read(idx, cur);
        loaded = idx;
      }
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
  // expand mode: copy each successor onto the successor stack.
  const emitSucc = (a: number): void => {
    if (oom) return;
    if ((succTop + 1) * E > succ.length) {
      const g = growUint32(succ);
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

  if (!stop && maxDepth > 0 && !push(0)) exhausted = 'memory';
  if (maxDepth <= 0) hitDepth = true;

  while (!stop && exhausted === null && sp > 0) {
    const top = sp - 1;
    const idx = stIdx[top]!;
    let a: number;
    if (useExpand) {
      const e = stCur[top]!;
      if (e === stEnd[top]) {
        sp--;
        // The frame's entries start where its parent's end.
        succTop = top === 0 ? 0 : stEnd[top - 1]!;
        explored++;
        if ((explored & PROGRESS_MASK) === 0) tick(explored, transitions, top);
        continue;
      }
      stCur[top] = e + 1;
      const o = e * E;
      a = succ[o]!;
      for (let j = 0; j < W; j++) next[j] = succ[o + 1 + j]!;
    } else {
      if (loaded !== idx) {
        store.read(idx, cur);
        loaded = idx;
      }
      a = stCur[top]!;
      while (a < nActions && !sys.step(cur, a, next)) a++;
      if (a === nActions) {
        sp--;
        explored++;
        if ((explored & PROGRESS_MASK) === 0) tick(explored, transitions, top);
        continue;
      }
      stCur[top] = a + 1;
    }
    transitions++;
    if (checkT !== null) {
      if (loaded !== idx) {
        store.read(idx, cur);
        loaded = idx;
      }
      const tv = checkT(cur, a, next);
      if (tv !== null && transitionViolation(run, idx, a, store.find(next), top + 1, tv.id, tv.message)) break;
    }
    if (store.size >= maxStates) {
      if (store.find(next) < 0) {
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
    if (hasProps && checkState(run, next, n, top + 1)) {
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
  return { explored, transitions, depth: deepest, exhausted, interrupted: sp > 0 && exhausted === null };
}

function growInt32(a: Int32Array): Int32Array | null {
  try {
    const n = new Int32Array(a.length * 2);
    n.set(a);
    return n;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

function growUint32(a: Uint32Array): Uint32Array | null {
  try {
    const n = new Uint32Array(a.length * 2);
    n.set(a);
    return n;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
