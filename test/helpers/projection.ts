// Bound checks by projection: a model bound (retries, passes, attempts, queue
// duplicates) is shown to lose no state by exploring with two bounds and
// comparing the reachable states once the bounded counter is zeroed. Every
// such test records the same way; only what it zeroes differs.
import { explore } from '../../src/explore/explorer.ts';
import type { System } from '../../src/explore/system.ts';

export interface Projection {
  /** Reachable states (exhaustive). */
  readonly states: number;
  /** The distinct projected states (base64 of the 16-bit words after `project`). */
  readonly projected: Set<string>;
}

/**
 * Explore `sys` exhaustively (no conformance), hand a copy of each reachable
 * state's 16-bit words to `project` (which zeroes what the bound counts, and
 * may inspect the state first), and record the result. Throws if the search
 * does not complete: a partial set proves nothing.
 */
export function projectedReachable(sys: System, project: (w: Uint16Array) => void): Projection {
  const projected = new Set<string>();
  const recorder: System = {
    ...sys,
    checkTransition: undefined,
    properties: [{
      id: 'RECORD',
      source: 'test',
      check(state: Uint32Array): null {
        const w = new Uint16Array(state.buffer, state.byteOffset, state.length * 2).slice();
        project(w);
        projected.add(Buffer.from(w.buffer).toString('base64'));
        return null;
      },
    }],
  };
  const r = explore(recorder, {});
  if (!r.complete) throw new Error('exploration did not complete');
  return { states: r.states, projected };
}
