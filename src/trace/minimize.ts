// Shrinking a counterexample: BFS traces are already shortest; DFS and MBT
// traces are not. Two passes, both deterministic:
// 1. shortcuts: walk the trace's states; from state i, if one action leads
//    straight to a later state j of the same trace, skip i+1..j-1 (linear in
//    the trace length times the action count, so it works on the very long
//    traces DFS produces). The last step is kept so a transition property
//    still sees the same final transition.
// 2. delta debugging on what is left, if short enough: drop chunks of steps
//    (largest first, left to right) while every step stays enabled and the
//    same property still fails (the candidate is cut at its first failure).

import type { System } from '../explore/system.ts';
import { checkProperty } from './replay.ts';

/** Delta debugging is quadratic in the trace length: only below this. */
const DDMIN_LIMIT = 400;

/** Length of the prefix after which `property` first fails, or -1 if it never does or a step is disabled. */
export function failingPrefix(sys: System, property: string, actions: readonly number[]): number {
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  if (checkProperty(sys, property, cur, null, -1) !== null) return 0;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (a >= sys.actionCount) return -1;
    const next = new Uint32Array(sys.words);
    if (!sys.step(cur, a, next)) return -1;
    if (checkProperty(sys, property, next, cur, a) !== null) return i + 1;
    cur = next;
  }
  return -1;
}

function keyOf(s: Uint32Array): string {
  return s.join(',');
}

/** Pass 1: replace detours between two states of the trace by a single step where one exists. */
export function shortcutTrace(sys: System, actions: readonly number[]): number[] {
  const n = actions.length;
  if (n < 2) return [...actions];
  const states: Uint32Array[] = [];
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  states.push(cur);
  for (const a of actions) {
    const next = new Uint32Array(sys.words);
    if (a >= sys.actionCount || !sys.step(cur, a, next)) return [...actions];
    states.push(next);
    cur = next;
  }
  // Last index of each state among states[0..n-1] (the last step is kept as is).
  const last = new Map<string, number>();
  for (let i = 0; i < n; i++) last.set(keyOf(states[i]!), i);
  const out: number[] = [];
  const next = new Uint32Array(sys.words);
  let i = last.get(keyOf(states[0]!))!;
  while (i < n - 1) {
    let bestJ = i + 1;
    let bestA = actions[i]!;
    for (let a = 0; a < sys.actionCount; a++) {
      if (!sys.step(states[i]!, a, next)) continue;
      const j = last.get(keyOf(next));
      if (j !== undefined && j > bestJ) {
        bestJ = j;
        bestA = a;
      }
    }
    if (bestJ === i + 1) {
      // The recorded step; jump over any later revisit of its target.
      bestJ = last.get(keyOf(states[i + 1]!))!;
    }
    out.push(bestA);
    i = bestJ;
  }
  out.push(actions[n - 1]!);
  return out;
}

/** A short subsequence of `actions` that still violates `property` (the input itself if it does not). */
export function minimizeTrace(sys: System, property: string, actions: readonly number[]): number[] {
  const first = failingPrefix(sys, property, actions);
  if (first < 0) return [...actions];
  let best = shortcutTrace(sys, actions.slice(0, first));
  const n = failingPrefix(sys, property, best);
  if (n < 0) best = actions.slice(0, first);
  else best = best.slice(0, n);
  if (best.length > DDMIN_LIMIT) return best;
  let chunk = Math.max(1, Math.floor(best.length / 2));
  for (;;) {
    let shrunk = false;
    for (let start = 0; start < best.length; ) {
      const cand = [...best.slice(0, start), ...best.slice(start + chunk)];
      const m = failingPrefix(sys, property, cand);
      if (m >= 0) {
        best = cand.slice(0, m);
        shrunk = true;
      } else {
        start += chunk;
      }
    }
    if (chunk === 1 && !shrunk) return best;
    if (!shrunk) chunk = Math.max(1, Math.floor(chunk / 2));
  }
}
