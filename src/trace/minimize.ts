// Delta-debugging shrink of a counterexample: drop chunks of steps while the
// remaining steps are all enabled and the same property still fails (the
// candidate is cut at the first failing state). BFS traces are already
// shortest; this is for DFS and MBT traces. Deterministic: chunks are tried
// largest first, left to right.

import type { System } from '../explore/system.ts';
import { checkProperty } from './replay.ts';

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

/** A shortest-found subsequence of `actions` that still violates `property` (the input itself if nothing shrinks). */
export function minimizeTrace(sys: System, property: string, actions: readonly number[]): number[] {
  const first = failingPrefix(sys, property, actions);
  if (first < 0) return [...actions];
  let best = actions.slice(0, first);
  let chunk = Math.max(1, Math.floor(best.length / 2));
  for (;;) {
    let shrunk = false;
    for (let start = 0; start < best.length; ) {
      const cand = [...best.slice(0, start), ...best.slice(start + chunk)];
      const n = failingPrefix(sys, property, cand);
      if (n >= 0) {
        best = cand.slice(0, n);
        shrunk = true;
      } else {
        start += chunk;
      }
    }
    if (chunk === 1 && !shrunk) return best;
    if (!shrunk) chunk = Math.max(1, Math.floor(chunk / 2));
  }
}
