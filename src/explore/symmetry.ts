// Symmetry reduction (`--symmetry`): the search stores one representative per
// orbit of the system's symmetry group (Stateright's `Representative`, TLC's
// SYMMETRY). The model says what is interchangeable (System.symmetry: it
// writes the representative of a state); the engines stay model-agnostic,
// because the reduction is a System wrapper: every successor it hands out is
// already canonical, so BFS, DFS and every store work unchanged.
//
// Sound for safety only, under the model's promise (System.symmetry): every
// permutation commutes with the transition relation and leaves every
// property, reachability, deadlock and transition-check verdict unchanged.
// Liveness is refused: a lasso of representatives need not be a lasso of
// the concrete system under fairness (TLC's documented pitfall), and the
// CLI refuses --symmetry with `liveness`.
//
// Transition checks are judged on the concrete successor (before it is
// canonicalised), never on the representative.
//
// Traces: a path of representatives is not a path of the concrete system.
// concreteTrace replays from the concrete initial state and, at each step,
// takes the first action whose concrete successor has the next stored
// representative, so the trace handed out is a real, replayable one.

import type { System } from './system.ts';

export interface SymmetricSystem extends System {
  /** The wrapped (concrete) system. */
  readonly concrete: System;
  canonicalize(state: Uint32Array, out: Uint32Array): void;
}

/** sys with canonical states; sys must declare a symmetry (System.symmetry). */
export function withSymmetry(sys: System): SymmetricSystem {
  const sym = sys.symmetry;
  if (!sym) throw new Error(`${sys.name}: no symmetry declared`);
  const canon = (s: Uint32Array, out: Uint32Array): void => sym.canonicalize(s, out);
  const W = sys.words;
  const scratch = new Uint32Array(W);
  // The concrete successor of each action's last step, and the state it was
  // taken from, for checkTransition (called right after the step, or after
  // every action of the same state was stepped, as por.ts does).
  const concAll = new Uint32Array(sys.actionCount * W);
  const concOf = (a: number): Uint32Array => concAll.subarray(a * W, (a + 1) * W);
  const lastState: (Uint32Array | null)[] = new Array<Uint32Array | null>(sys.actionCount).fill(null);
  const inner = sys.checkTransition?.bind(sys);
  const wrapped: SymmetricSystem = {
    name: `${sys.name}+symmetry`,
    words: sys.words,
    actionCount: sys.actionCount,
    concrete: sys,
    canonicalize: canon,
    initial(out: Uint32Array): void {
      sys.initial(scratch);
      canon(scratch, out);
    },
    step(state: Uint32Array, a: number, next: Uint32Array): boolean {
      if (a < 0 || a >= sys.actionCount) return false;
      const c = concOf(a);
      if (!sys.step(state, a, c)) return false;
      lastState[a] = state;
      canon(c, next);
      return true;
    },
    describe: (a) => sys.describe(a),
    explain: (s, a) => sys.explain(s, a),
    render: (s, f) => sys.render(s, f),
    properties: sys.properties,
    ...(sys.sometimes ? { sometimes: sys.sometimes } : {}),
    ...(sys.deadlock ? { deadlock: (s: Uint32Array) => sys.deadlock!(s) } : {}),
    ...(sys.coverage ? { coverage: () => sys.coverage!() } : {}),
    // The concrete step's accesses (canonicalisation itself reads the raw words, outside the model).
    ...(sys.instrument ? { instrument: sys.instrument } : {}),
    symmetry: sym,
    ...(inner
      ? {
          checkTransition(state: Uint32Array, a: number, _next: Uint32Array) {
            if (a >= 0 && a < sys.actionCount && lastState[a] === state) return inner(state, a, concOf(a));
            // Not the successor just made: make it again (never on the hot path).
            const t = new Uint32Array(sys.words);
            return sys.step(state, a, t) ? inner(state, a, t) : null;
          },
        }
      : {}),
  };
  return wrapped;
}

function equal(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface ConcreteTrace {
  readonly trace: number[];
  /** The violation's message re-judged on the concrete trace (null if it no longer says anything). */
  readonly message: string | null;
}

/**
 * Turn a trace found on representatives (actions applied to representative
 * states) into a trace of the concrete system from its initial state.
 * `property` and `kind` re-judge the final state or step, so the message names
 * the concrete actors.
 */
export function concreteTrace(s: SymmetricSystem, repTrace: readonly number[], property: string, kind: 'state' | 'transition'): ConcreteTrace {
  const sys = s.concrete;
  const W = sys.words;
  let rep = new Uint32Array(W);
  s.initial(rep);
  let cur = new Uint32Array(W);
  sys.initial(cur);
  let prev = cur.slice();
  const out: number[] = [];
  const repNext = new Uint32Array(W);
  const cand = new Uint32Array(W);
  const candCanon = new Uint32Array(W);
  for (let i = 0; i < repTrace.length; i++) {
    if (!sys.step(rep, repTrace[i]!, cand)) throw new Error(`symmetry: stored trace step ${i + 1} is not enabled`);
    s.canonicalize(cand, repNext);
    const last = i === repTrace.length - 1;
    let found = -1;
    for (let b = 0; b < sys.actionCount && found < 0; b++) {
      if (!sys.step(cur, b, cand)) continue;
      s.canonicalize(cand, candCanon);
      if (!equal(candCanon, repNext)) continue;
      // The last step of a transition violation must break the same check.
      if (last && kind === 'transition' && sys.checkTransition && sys.checkTransition(cur, b, cand)?.id !== property) continue;
      found = b;
    }
    if (found < 0) throw new Error(`symmetry: no concrete step matches stored step ${i + 1} (the model's symmetry is unsound)`);
    out.push(found);
    sys.step(cur, found, cand);
    prev = cur;
    cur = cand.slice();
    rep = repNext.slice();
  }
  return { trace: out, message: rejudge(sys, property, kind, prev, out[out.length - 1], cur) };
}

function rejudge(sys: System, id: string, kind: 'state' | 'transition', prev: Uint32Array, a: number | undefined, cur: Uint32Array): string | null {
  if (kind === 'transition') return a !== undefined && sys.checkTransition ? (sys.checkTransition(prev, a, cur)?.message ?? null) : null;
  if (id === 'DEADLOCK') return sys.deadlock ? sys.deadlock(cur) : null;
  const p = sys.properties.find((x) => x.id === id);
  return p ? p.check(cur) : null;
}
