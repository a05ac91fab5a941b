// The lasso of a liveness violation, built on the stored graph: the stem is
// the BFS parent path to the premise state (shortest) then a shortest path
// inside the not-goal region to a fair component; the cycle walks inside the
// component through one step of every fair actor that steps there and one
// state where every other weakly fair actor is disabled, and back to where it
// entered, never taking a transition of a finite group, so the cycle is itself
// fair (src/trace/lasso.ts re-checks that).

import { edgeAction, edgeInGroup, enabledIn, inGroupSet, onFairCycle, type StateGraph } from './liveness-graph.ts';
import type { FairComponent } from './liveness.ts';

/** A lasso: actions from the initial state to the cycle's first state, then the cycle's actions (empty: no fair actor can step in the last state). */
export interface Lasso {
  readonly stem: readonly number[];
  readonly cycle: readonly number[];
}

/**
 * Shortest path of actions from `from` to the first state `isTarget` accepts,
 * moving only through states `inside` accepts. Returns [actions, end state].
 */
function pathWithin(g: StateGraph, from: number, inside: (s: number) => boolean, isTarget: (s: number) => boolean, edgeOk: (e: number) => boolean = () => true): [number[], number] {
  if (isTarget(from)) return [[], from];
  const prev = new Map<number, number>(); // state -> edge index that reached it
  prev.set(from, -1);
  const q: number[] = [from];
  for (let h = 0; h < q.length; h++) {
    const s = q[h]!;
    for (let e = g.edgeStart[s]!; e < g.edgeStart[s + 1]!; e++) {
      const w = g.edgeTo[e]!;
      if (prev.has(w) || !inside(w) || !edgeOk(e)) continue;
      prev.set(w, e);
      if (isTarget(w)) {
        const acts: number[] = [];
        let cur = w;
        while (cur !== from) {
          const pe = prev.get(cur)!;
          acts.push(edgeAction(g, pe));
          cur = edgeSource(g, pe);
        }
        return [acts.reverse(), w];
      }
      q.push(w);
    }
  }
  throw new Error('liveness: no path inside the region (internal error)');
}

function edgeSource(g: StateGraph, e: number): number {
  // edgeStart is sorted: the source of edge e is the last s with edgeStart[s] <= e.
  let lo = 0;
  let hi = g.expanded - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.edgeStart[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  // skip empty rows sharing the same start
  while (lo + 1 < g.expanded && g.edgeStart[lo + 1]! <= e) lo++;
  return lo;
}

export function buildLasso(
  g: StateGraph,
  witness: number,
  inRegion: (s: number) => boolean,
  compOf: Int32Array,
  comps: readonly Pick<FairComponent, 'stepped' | 'terminal'>[],
): { lasso: Lasso; premiseStep: number; comp: number } {
  const toWitness = g.store.traceTo(witness);
  const [toComp, entry] = pathWithin(g, witness, inRegion, (s) => compOf[s]! >= 0);
  const ci = compOf[entry]!;
  const c = comps[ci]!;
  const stem = toWitness.concat(toComp);
  if (c.terminal) return { lasso: { stem, cycle: [] }, premiseStep: toWitness.length, comp: ci };
  const inC = (s: number): boolean => compOf[s] === ci;
  const cycle: number[] = [];
  let cur = entry;
  const walk = (isTarget: (s: number) => boolean): void => {
    const [p, end] = pathWithin(g, cur, inC, isTarget, (e) => onFairCycle(g, e));
    for (const a of p) cycle.push(a); // no spread: a cycle can be longer than the argument limit
    cur = end;
  };
  const takeEdge = (grp: number): void => {
    // Reach a state with an edge of group grp inside C, then take it.
    const hasEdge = (s: number): boolean => {
      for (let e = g.edgeStart[s]!; e < g.edgeStart[s + 1]!; e++) if (inC(g.edgeTo[e]!) && onFairCycle(g, e) && edgeInGroup(g, e, grp)) return true;
      return false;
    };
    walk(hasEdge);
    for (let e = g.edgeStart[cur]!; e < g.edgeStart[cur + 1]!; e++) {
      if (inC(g.edgeTo[e]!) && onFairCycle(g, e) && edgeInGroup(g, e, grp)) {
        cycle.push(edgeAction(g, e));
        cur = g.edgeTo[e]!;
        return;
      }
    }
  };
  g.groups.forEach((grp, b) => {
    if (inGroupSet(c.stepped, b)) takeEdge(b);
    else if (grp.fairness === 'weak') walk((s) => !enabledIn(g, s, b));
  });
  if (cycle.length === 0) {
    // No fair actor steps here (all 'none', or none enabled): any edge inside C and back.
    for (let e = g.edgeStart[cur]!; e < g.edgeStart[cur + 1]!; e++) {
      if (inC(g.edgeTo[e]!) && onFairCycle(g, e)) {
        cycle.push(edgeAction(g, e));
        cur = g.edgeTo[e]!;
        break;
      }
    }
  }
  walk((s) => s === entry);
  return { lasso: { stem, cycle }, premiseStep: toWitness.length, comp: ci };
}

