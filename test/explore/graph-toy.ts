// A System given as an explicit graph, for liveness tests: states are small
// integers (one word), every edge is its own action (enabled only in its
// source state), named by its actor, and each actor has a declared fairness.
import type { Fairness, System, Temporal } from '../../src/explore/system.ts';

export interface ToyEdge {
  readonly from: number;
  readonly to: number;
  readonly actor: string;
}

export function graphSystem(edges: readonly ToyEdge[], fairness: Readonly<Record<string, Fairness>>, liveness: readonly Temporal[] = [], deadlock?: (s: number) => string | null): System {
  // Actions by source state, so a 10^5-state chain expands in linear time.
  const out = new Map<number, number[]>();
  edges.forEach((e, a) => out.set(e.from, [...(out.get(e.from) ?? []), a]));
  return {
    name: 'graph-toy',
    words: 1,
    actionCount: edges.length,
    initial(out) {
      out[0] = 0;
    },
    step(s, a, next) {
      const e = edges[a];
      if (!e || e.from !== s[0]) return false;
      next[0] = e.to;
      return true;
    },
    expand(s, next, emit) {
      for (const a of out.get(s[0]!) ?? []) {
        next[0] = edges[a]!.to;
        emit(a);
      }
    },
    describe(a) {
      const e = edges[a]!;
      return { actor: e.actor, name: `${e.from}->${e.to}`, fairness: fairness[e.actor] ?? 'none' };
    },
    explain(s, a) {
      return [`${edges[a]?.actor} from ${s[0]}`];
    },
    properties: [],
    liveness,
    ...(deadlock ? { deadlock: (s: Uint32Array) => deadlock(s[0]!) } : {}),
    render(s) {
      return [`state ${s[0]}`];
    },
  };
}

/** <> (state in goal). */
export function eventually(id: string, goal: readonly number[]): Temporal {
  return { id, kind: 'eventually', source: 'test', description: id, goal: (s) => goal.includes(s[0]!) };
}

export function leadsTo(id: string, premise: readonly number[], goal: readonly number[]): Temporal {
  return { id, kind: 'leads-to', source: 'test', description: id, premise: (s) => premise.includes(s[0]!), goal: (s) => goal.includes(s[0]!) };
}

export function alwaysEventually(id: string, goal: readonly number[]): Temporal {
  return { id, kind: 'always-eventually', source: 'test', description: id, goal: (s) => goal.includes(s[0]!) };
}
