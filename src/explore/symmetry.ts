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

import type { AccessRecorder, InstrumentHook, System } from './system.ts';

/**
 * The model's symmetry failed the run-time check: a state and its
 * representative disagree on a verdict or on their successors modulo the
 * symmetry. The run stops (exit 4) rather than report a verdict the orbit
 * merge may have made up.
 */
export class SymmetryUnsound extends Error {
  override readonly name = 'SymmetryUnsound';
}

/**
 * The sampling rate of the run-time check. With System.symmetry.images, one
 * expanded representative in ORBIT_CHECK_EVERY (chosen by a hash of the
 * state, so deterministic) is checked against every other member of its
 * orbit: one more expansion per image, about +1/8 of the work with two
 * interchangeable CPUs. Without images, one concrete successor in
 * ORBIT_CHECK_EVERY that is not its own representative is checked against it.
 */
export const ORBIT_CHECK_EVERY = 8;

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
  // The recorder --por installed, so the orbit check's own steps do not count as the action's accesses.
  let recorder: AccessRecorder | null = null;
  const hook = sys.instrument;
  const instrument: InstrumentHook | undefined = hook
    ? {
        accessWords: hook.accessWords,
        wordName: (w) => hook.wordName(w),
        widen: (w) => hook.widen(w),
        group: (st, a) => hook.group(st, a),
        actor: (a) => hook.actor(a),
        install(rec) {
          recorder = rec;
          hook.install(rec);
        },
      }
    : undefined;
  let stepsSinceCheck = 0;
  let lastSource: Uint32Array | null = null;
  const checkA = new Uint32Array(W);
  const checkB = new Uint32Array(W);
  const checkCanon = new Uint32Array(W);
  /** Verdicts and successors (canonical, with the transition check's id) of x and of its representative y. */
  const orbitCheck = (x: Uint32Array, y: Uint32Array): void => {
    const saved = recorder;
    if (saved && hook) hook.install(null);
    try {
      for (const p of sys.properties) {
        if ((p.check(x) === null) !== (p.check(y) === null)) throw new SymmetryUnsound(`--symmetry: the model's symmetry is unsound: ${p.id} judges a state and its representative differently (rerun without --symmetry)`);
      }
      for (const r of sys.sometimes ?? []) {
        if (r.reached(x) !== r.reached(y)) throw new SymmetryUnsound(`--symmetry: the model's symmetry is unsound: ${r.id} is reached in a state but not in its representative (rerun without --symmetry)`);
      }
      if (sys.deadlock && (sys.deadlock(x) === null) !== (sys.deadlock(y) === null)) throw new SymmetryUnsound("--symmetry: the model's symmetry is unsound: a state and its representative disagree on a deadlock (rerun without --symmetry)");
      const succ = (st: Uint32Array, buf: Uint32Array): Set<string> => {
        const out = new Set<string>();
        for (let a = 0; a < sys.actionCount; a++) {
          if (!sys.step(st, a, buf)) continue;
          sym.canonicalize(buf, checkCanon);
          out.add(`${checkCanon.join(',')}|${inner ? (inner(st, a, buf)?.id ?? '') : ''}`);
        }
        return out;
      };
      const sx = succ(x, checkA);
      const sy = succ(y, checkB);
      const missing = [...sx].filter((e) => !sy.has(e)).length + [...sy].filter((e) => !sx.has(e)).length;
      if (missing > 0) throw new SymmetryUnsound(`--symmetry: the model's symmetry is unsound: a state and its representative have different successors up to symmetry (${sx.size} vs ${sy.size}, ${missing} without a match); rerun without --symmetry`);
    } finally {
      if (saved && hook) hook.install(saved);
    }
  };
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
      // A sample of the model's promise, checked where a concrete state meets its representative.
      if (sym.images) {
        // Each representative the search expands, against every other member of its orbit: with
        // this the orbit relation on the explored states is a bisimulation up to canon, which is
        // what makes the quotient exact. The first action of an expansion is where a new source
        // state is seen.
        if (lastSource === null || !equal(lastSource, state)) {
          lastSource = state.slice();
          // Sampled by a hash of the state, not by a count: a count aliases with the BFS order
          // (every eighth state of a regular level), a hash picks states independently of it.
          if (sampled(state)) {
            const src = state.slice();
            for (const img of sym.images(src)) if (!equal(img, src)) orbitCheck(img, src);
          }
        }
      } else if (++stepsSinceCheck >= ORBIT_CHECK_EVERY && !equal(c, next)) {
        stepsSinceCheck = 0;
        orbitCheck(c.slice(), next.slice());
      }
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
    ...(instrument ? { instrument } : {}),
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

/** One state in ORBIT_CHECK_EVERY, by an FNV-1a hash of its words (deterministic). */
function sampled(s: Uint32Array): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s[i]!, 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  }
  return ((h ^ (h >>> 13)) >>> 0) % ORBIT_CHECK_EVERY === 0;
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
