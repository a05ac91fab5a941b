// Vacuity without engine support: the same system with one extra, always
// holding, property in front that evaluates every Reachability entry
// (System.sometimes) on each state the engine stores, and remembers which
// were reached. After a COMPLETE exploration, an entry not in `reached` is
// unreachable in that configuration. Engine-agnostic (System -> System), so
// `cramcheck mutants` and the tests can judge vacuity with any engine; an
// explorer that implements `sometimes` itself reports the same sets.

import type { Property, System } from './system.ts';

export const REACH_PROBE_ID = 'REACH-PROBE';

export interface ReachProbe {
  readonly sys: System;
  /** Ids of the Reachability entries some stored state satisfied so far. */
  readonly reached: Set<string>;
  /** Ids declared by the system, in declaration order. */
  readonly declared: readonly string[];
}

export function withReachProbe(sys: System): ReachProbe {
  const reached = new Set<string>();
  const todo = [...(sys.sometimes ?? [])];
  const probe: Property = {
    id: REACH_PROBE_ID,
    source: 'System.sometimes (vacuity)',
    check(state: Uint32Array): string | null {
      for (let i = todo.length - 1; i >= 0; i--) {
        const r = todo[i]!;
        if (r.reached(state)) {
          reached.add(r.id);
          todo.splice(i, 1);
        }
      }
      return null;
    },
  };
  const wrapped: System = Object.create(sys, { properties: { value: [probe, ...sys.properties], enumerable: true } }) as System;
  return { sys: wrapped, reached, declared: (sys.sometimes ?? []).map((r) => r.id) };
}
