// Replay of a lasso trace (a liveness counterexample, or a deadlock): re-run
// the stem and the cycle and check, independently of the checker that found
// it, everything that makes it a counterexample:
//   - every step is enabled and named as the trace says;
//   - the cycle closes: the state after the last step is the state where the
//     cycle starts (byte for byte); an empty cycle means no fair actor can step
//     in the last state (the run may stutter there; for DEADLOCK: no action at
//     all is enabled);
//   - the property fails on the lasso: a state where the premise holds, and
//     the goal false from it to the end, cycle included (DEADLOCK: the last
//     state is a deadlock by System.deadlock);
//   - the cycle is fair: every weakly fair actor enabled in all its states
//     steps in it, every strongly fair actor enabled in one of them steps in it;
//     the same for each transition group (System.transitionFairness), and
//     no transition of a finite group is on the cycle.

import { match } from 'ts-pattern';
import type { ActionInfo, System, Temporal } from '../explore/system.ts';
import type { TraceStep } from './format.ts';

export const DEADLOCK = 'DEADLOCK';

export type LassoOutcome =
  | { readonly kind: 'reproduced'; readonly property: string; readonly message: string }
  | { readonly kind: 'unknown-property'; readonly property: string }
  | { readonly kind: 'step'; readonly step: number; readonly message: string }
  | { readonly kind: 'open'; readonly cycleStart: number; readonly steps: number }
  | { readonly kind: 'not-terminal'; readonly info: ActionInfo }
  | { readonly kind: 'no-deadlock' }
  | { readonly kind: 'goal-holds'; readonly property: string; readonly step: number }
  | { readonly kind: 'premise-absent'; readonly property: string }
  | { readonly kind: 'unfair'; readonly actor: string; readonly fairness: 'weak' | 'strong' }
  | { readonly kind: 'finite-on-cycle'; readonly group: string; readonly step: number };

/** Run actions from the initial state; the states, or the step that failed. */
function runSteps(sys: System, steps: readonly TraceStep[]): { states: Uint32Array[] } | { fail: LassoOutcome } {
  const states: Uint32Array[] = [];
  const s0 = new Uint32Array(sys.words);
  sys.initial(s0);
  states.push(s0);
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i]!;
    const n = i + 1;
    if (st.action >= sys.actionCount) return { fail: { kind: 'step', step: n, message: `action ${st.action} is outside the action table (${sys.actionCount} actions)` } };
    const info = sys.describe(st.action);
    if (info.actor !== st.actor || info.name !== st.name) {
      return { fail: { kind: 'step', step: n, message: `action ${st.action} is '${info.actor} ${info.name}' in the model but '${st.actor} ${st.name}' in the trace` } };
    }
    const next = new Uint32Array(sys.words);
    if (!sys.step(states[i]!, st.action, next)) return { fail: { kind: 'step', step: n, message: `action ${st.action} not enabled (${info.actor} ${info.name})` } };
    states.push(next);
  }
  return { states };
}

function sameState(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The first enabled action (only those of fair actors when `fairOnly`), or -1. */
function firstEnabled(sys: System, s: Uint32Array, fairOnly: boolean): number {
  const next = new Uint32Array(sys.words);
  const groups = (sys.transitionFairness ?? []).filter((t) => t.fairness !== 'finite');
  for (let a = 0; a < sys.actionCount; a++) {
    const actorFair = (sys.describe(a).fairness ?? 'none') !== 'none';
    if (fairOnly && !actorFair && !groups.some((t) => t.actions.includes(a))) continue;
    if (!sys.step(s, a, next)) continue;
    // Without actor fairness, the transition is owed a step only through a (weak or strong) transition group.
    if (fairOnly && !actorFair && !groups.some((t) => t.actions.includes(a) && t.has(s, a, next))) continue;
    return a;
  }
  return -1;
}

/** Replay a lasso for `property` (a Temporal id of sys.liveness, or DEADLOCK). cycleStart: steps before the cycle. */
export function replayLasso(sys: System, property: string, steps: readonly TraceStep[], cycleStart: number): LassoOutcome {
  const t = sys.liveness?.find((x) => x.id === property);
  if (!t && property !== DEADLOCK) return { kind: 'unknown-property', property };
  const r = runSteps(sys, steps);
  if ('fail' in r) return r.fail;
  const { states } = r;
  const last = states[states.length - 1]!;
  if (cycleStart === steps.length) {
    // A deadlock: nothing at all may be enabled; a liveness lasso: no fair actor (the run may stop there).
    const a = firstEnabled(sys, last, t !== undefined);
    if (a >= 0) return { kind: 'not-terminal', info: sys.describe(a) };
  } else if (!sameState(last, states[cycleStart]!)) {
    return { kind: 'open', cycleStart, steps: steps.length };
  }
  if (!t) {
    const m = sys.deadlock?.(last) ?? null;
    return m === null ? { kind: 'no-deadlock' } : { kind: 'reproduced', property, message: m };
  }
  return judgeTemporal(sys, t, states, steps, cycleStart);
}

function judgeTemporal(sys: System, t: Temporal, states: readonly Uint32Array[], steps: readonly TraceStep[], cycleStart: number): LassoOutcome {
  // The goal must fail from the premise state to the end; the cycle repeats states[cycleStart..].
  const end = states.length - 1;
  let lastGoal = -1;
  for (let i = 0; i <= end; i++) if (t.goal(states[i]!)) lastGoal = i;
  if (lastGoal >= cycleStart && cycleStart < end) return { kind: 'goal-holds', property: t.id, step: lastGoal };
  if (lastGoal === end) return { kind: 'goal-holds', property: t.id, step: lastGoal };
  let premiseAt = -1;
  for (let i = lastGoal + 1; i <= end && premiseAt < 0; i++) {
    const p = match(t.kind)
      .with('eventually', () => i === 0)
      .with('always-eventually', () => true)
      .with('leads-to', () => (t.premise ? t.premise(states[i]!) : true))
      .exhaustive();
    if (p) premiseAt = i;
  }
  if (premiseAt < 0) return t.kind === 'eventually' && lastGoal >= 0 ? { kind: 'goal-holds', property: t.id, step: lastGoal } : { kind: 'premise-absent', property: t.id };
  const unfair = cycleFairness(sys, states, steps, cycleStart);
  if (unfair) return unfair;
 const tail = cycleStart === end ? 'no fair actor can step at the end' : `the cycle of steps ${cycleStart + 1}..${end} closes and is fair`;
  return { kind: 'reproduced', property: t.id, message: `premise at step ${premiseAt}, goal false from there on, ${tail}` };
}

function cycleFairness(sys: System, states: readonly Uint32Array[], steps: readonly TraceStep[], cycleStart: number): LassoOutcome | null {
  if (cycleStart === steps.length) return null;
  const stepped = new Set<string>();
  // Only an actor's fair actions discharge its fairness (a driver's sysfs toggle is not the driver thread stepping).
  for (let i = cycleStart; i < steps.length; i++) if ((sys.describe(steps[i]!.action).fairness ?? 'none') !== 'none') stepped.add(steps[i]!.actor);
  // actor -> number of cycle states where it is enabled
  const enabledIn = new Map<string, number>();
  const fairness = new Map<string, 'weak' | 'strong'>();
  const next = new Uint32Array(sys.words);
  const cycleStates = steps.length - cycleStart;
  for (let i = cycleStart; i < steps.length; i++) {
    const seen = new Set<string>();
    for (let a = 0; a < sys.actionCount; a++) {
      const info = sys.describe(a);
      const f = info.fairness ?? 'none';
      if (f === 'none' || seen.has(info.actor)) continue;
      if (sys.step(states[i]!, a, next)) {
        seen.add(info.actor);
        fairness.set(info.actor, f);
        enabledIn.set(info.actor, (enabledIn.get(info.actor) ?? 0) + 1);
      }
    }
  }
  // Transition groups (System.transitionFairness): enabled where one of their transitions is, stepped when one is taken.
  for (const t of sys.transitionFairness ?? []) {
    if (t.fairness === 'finite') {
      for (let i = cycleStart; i < steps.length; i++) {
        const a = steps[i]!.action;
        if (t.actions.includes(a) && t.has(states[i]!, a, states[i + 1]!)) return { kind: 'finite-on-cycle', group: t.name, step: i + 1 };
      }
      continue;
    }
    fairness.set(t.name, t.fairness);
    for (let i = cycleStart; i < steps.length; i++) {
      const a = steps[i]!.action;
      if (t.actions.includes(a) && t.has(states[i]!, a, states[i + 1]!)) stepped.add(t.name);
      if (t.actions.some((x) => sys.step(states[i]!, x, next) && t.has(states[i]!, x, next))) enabledIn.set(t.name, (enabledIn.get(t.name) ?? 0) + 1);
    }
  }
  for (const [actor, n] of enabledIn) {
    if (stepped.has(actor)) continue;
    const f = fairness.get(actor)!;
    if (f === 'strong' || n === cycleStates) return { kind: 'unfair', actor, fairness: f };
  }
  return null;
}

export function isLassoReproduced(o: LassoOutcome): boolean {
  return o.kind === 'reproduced';
}

export function describeLassoOutcome(o: LassoOutcome): string {
  return match(o)
    .with({ kind: 'reproduced' }, (r) => `reproduced: ${r.property} fails on the lasso: ${r.message}`)
    .with({ kind: 'unknown-property' }, (r) => `diverged: ${r.property} is not a liveness property of this system`)
    .with({ kind: 'step' }, (r) => `diverged at step ${r.step}: ${r.message}`)
    .with({ kind: 'open' }, (r) => `diverged: the cycle does not close (the state after step ${r.steps} is not the state after step ${r.cycleStart})`)
    .with({ kind: 'not-terminal' }, (r) => `diverged: the lasso ends without a cycle but ${r.info.actor} ${r.info.name} is enabled there (${r.info.fairness ?? 'no'} fairness)`)
    .with({ kind: 'no-deadlock' }, () => 'diverged: the last state has no enabled action but is a legitimate end (no deadlock)')
    .with({ kind: 'goal-holds' }, (r) => `diverged: ${r.property}'s goal holds at step ${r.step}, on the lasso's repeated part or at its end`)
    .with({ kind: 'premise-absent' }, (r) => `diverged: ${r.property}'s premise never holds where the goal stays false`)
    .with({ kind: 'finite-on-cycle' }, (r) => `diverged: step ${r.step} of the cycle is ${r.group}, which happens only finitely often (no fair cycle repeats it)`)
    .with({ kind: 'unfair' }, (r) => `diverged: the cycle is unfair to ${r.actor} (${r.fairness} fairness: ${r.fairness === 'weak' ? 'enabled in every cycle state' : 'enabled in some cycle state'}, never steps)`)
    .exhaustive();
}
