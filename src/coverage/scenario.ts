// Targeted search: turn one abstract machine path into a concrete scenario.
//
// The path is the machine's shortest path from an entity's concrete initial
// abstract state to the edge's source, then the edge. A BFS over pairs
// (concrete state, progress along the path) keeps only steps where that
// entity stutters or moves to the next state of the path; other entities are
// unconstrained. The first pair at the end of the path gives the actions.

import type { System } from '../explore/system.ts';
import type { MachineEdge, Relation, StateAbstraction } from '../../models/machine_graph.ts';

/** Shortest machine path (states, stutters excluded) from `from` to `to`, or null. */
export function machinePath(rel: Relation, from: string, to: string): string[] | null {
  if (from === to) return [from];
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h]!;
    for (const e of rel.edges) {
      if (e.from !== s || e.to === s || prev.has(e.to)) continue;
      prev.set(e.to, s);
      if (e.to === to) {
        const path = [to];
        let c = to;
        while (c !== from) {
          c = prev.get(c)!;
          path.unshift(c);
        }
        return path;
      }
      queue.push(e.to);
    }
  }
  return null;
}

function keyOf(state: Uint32Array, progress: number): string {
  return `${progress}:${Buffer.from(state.buffer, state.byteOffset, state.byteLength).toString('base64')}`;
}

/** Concrete actions whose abstraction, for one entity, follows the path to `edge`; null within budget. */
export function findScenario(sys: System, abs: StateAbstraction, rel: Relation, edge: MachineEdge, budget: number): { actions: number[]; entity: number } | null {
  const init = new Uint32Array(sys.words);
  sys.initial(init);
  const a0: string[] = [];
  abs.abstractState(init, a0);
  // A few entities per distinct starting state: entities that start alike behave alike
  // up to geometry, and the budget is per search.
  const triedPerStart = new Map<string, number>();
  for (let e = 0; e < abs.entities.length; e++) {
    const start = a0[e]!;
    const n = triedPerStart.get(start) ?? 0;
    if (n >= 2) continue;
    triedPerStart.set(start, n + 1);
    const head = machinePath(rel, start, edge.from);
    if (!head) continue;
    const path = [...head, edge.to];
    const found = search(sys, abs, e, path, init, budget);
    if (found) return { actions: found, entity: abs.entities[e]! };
  }
  return null;
}

function search(sys: System, abs: StateAbstraction, e: number, path: readonly string[], init: Uint32Array, budget: number): number[] | null {
  const goal = path.length - 1;
  const nodes: { state: Uint32Array; progress: number; parent: number; action: number }[] = [{ state: init, progress: 0, parent: -1, action: -1 }];
  const seen = new Set<string>([keyOf(init, 0)]);
  const out: string[] = [];
  const cur: string[] = [];
  for (let h = 0; h < nodes.length && nodes.length < budget; h++) {
    const n = nodes[h]!;
    abs.abstractState(n.state, cur);
    for (let a = 0; a < sys.actionCount; a++) {
      const next = new Uint32Array(sys.words);
      if (!sys.step(n.state, a, next)) continue;
      abs.abstractState(next, out);
      const s = out[e]!;
      let p: number;
      if (n.progress === goal - 1 && path[goal] === path[goal - 1]) {
        // a self-loop edge: the step itself must be the refusal; accept the stutter as a candidate
        p = s === path[goal] ? goal : -1;
      } else if (s === path[n.progress]) p = n.progress;
      else if (s === path[n.progress + 1]) p = n.progress + 1;
      else p = -1;
      if (p < 0) continue;
      const k = keyOf(next, p);
      if (seen.has(k)) continue;
      seen.add(k);
      nodes.push({ state: next, progress: p, parent: h, action: a });
      if (p === goal) {
        const actions: number[] = [];
        for (let i = nodes.length - 1; i > 0; i = nodes[i]!.parent) actions.unshift(nodes[i]!.action);
        return actions;
      }
    }
  }
  return null;
}
