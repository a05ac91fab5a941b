// Replay: re-run a trace's steps on a rebuilt system and confirm that the same
// property first fails at the same step. Steps are numbered from 1; "step 0"
// is the initial state. A step that is not enabled, that indexes outside the
// action table, or whose static description (actor, name) no longer matches
// the file is a divergence: the model changed under the trace.

import { match } from 'ts-pattern';
import type { ActionInfo, System } from '../explore/system.ts';
import type { TraceStep } from './format.ts';

export type ReplayOutcome =
  /** The expected property first fails exactly at the expected step. */
  | { readonly kind: 'reproduced'; readonly property: string; readonly step: number; readonly message: string }
  | { readonly kind: 'out-of-range'; readonly step: number; readonly action: number; readonly actionCount: number }
  | { readonly kind: 'mismatch'; readonly step: number; readonly action: number; readonly file: ActionInfo; readonly model: ActionInfo }
  | { readonly kind: 'disabled'; readonly step: number; readonly action: number; readonly info: ActionInfo }
  /** The expected property already fails before the expected step. */
  | { readonly kind: 'early'; readonly property: string; readonly step: number; readonly expectedStep: number; readonly message: string }
  /** The expected property holds at the expected step. */
  | { readonly kind: 'absent'; readonly property: string; readonly step: number };

export interface ReplayResult {
  readonly outcome: ReplayOutcome;
  /** states[i] is the state after i steps (states[0] the initial state), as far as replay got. */
  readonly states: readonly Uint32Array[];
}

/** Which property the replay must see fail, and after how many steps. */
export interface ReplayExpectation {
  readonly property: string;
  readonly step: number;
}

/**
 * The expected property's message in `state` (reached from `prev` by action a),
 * or null if it holds. State properties and transition checks share one id space.
 */
export function checkProperty(
  sys: System,
  property: string,
  state: Uint32Array,
  prev: Uint32Array | null,
  a: number,
): string | null {
  for (const p of sys.properties) {
    if (p.id !== property) continue;
    const m = p.check(state);
    if (m !== null) return m;
  }
  if (prev !== null && sys.checkTransition) {
    const t = sys.checkTransition(prev, a, state);
    if (t !== null && t.id === property) return t.message;
  }
  return null;
}

/** Source reference for a property id (transition-only ids have none in the table). */
export function propertySource(sys: System, property: string): string {
  const p = sys.properties.find((q) => q.id === property);
  return p ? p.source : 'transition check';
}

export function replaySteps(sys: System, steps: readonly TraceStep[], expect: ReplayExpectation): ReplayResult {
  const states: Uint32Array[] = [];
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  states.push(cur);
  const at0 = checkProperty(sys, expect.property, cur, null, -1);
  if (at0 !== null) return { outcome: judge(expect, 0, at0), states };
  for (let i = 0; i < steps.length && i < expect.step; i++) {
    const s = steps[i]!;
    const n = i + 1;
    if (s.action >= sys.actionCount) {
      return { outcome: { kind: 'out-of-range', step: n, action: s.action, actionCount: sys.actionCount }, states };
    }
    const info = sys.describe(s.action);
    if (info.actor !== s.actor || info.name !== s.name) {
      return { outcome: { kind: 'mismatch', step: n, action: s.action, file: { actor: s.actor, name: s.name }, model: info }, states };
    }
    const next = new Uint32Array(sys.words);
    if (!sys.step(cur, s.action, next)) {
      return { outcome: { kind: 'disabled', step: n, action: s.action, info }, states };
    }
    states.push(next);
    const m = checkProperty(sys, expect.property, next, cur, s.action);
    cur = next;
    if (m !== null) return { outcome: judge(expect, n, m), states };
  }
  return { outcome: { kind: 'absent', property: expect.property, step: expect.step }, states };
}

function judge(expect: ReplayExpectation, step: number, message: string): ReplayOutcome {
  if (step === expect.step) return { kind: 'reproduced', property: expect.property, step, message };
  return { kind: 'early', property: expect.property, step, expectedStep: expect.step, message };
}

export function isReproduced(o: ReplayOutcome): boolean {
  return o.kind === 'reproduced';
}

/** One line for the reviewer saying what replay found. */
export function describeOutcome(o: ReplayOutcome): string {
  return match(o)
    .with({ kind: 'reproduced' }, (r) => `reproduced: ${r.property} first fails at step ${r.step}: ${r.message}`)
    .with({ kind: 'out-of-range' }, (r) => `diverged at step ${r.step}: action ${r.action} is outside the action table (${r.actionCount} actions)`)
    .with(
      { kind: 'mismatch' },
      (r) => `diverged at step ${r.step}: action ${r.action} is '${r.model.actor} ${r.model.name}' in the model but '${r.file.actor} ${r.file.name}' in the trace`,
    )
    .with({ kind: 'disabled' }, (r) => `diverged at step ${r.step}: action ${r.action} not enabled (${r.info.actor} ${r.info.name})`)
    .with({ kind: 'early' }, (r) => `diverged at step ${r.step}: ${r.property} already fails (expected first at step ${r.expectedStep}): ${r.message}`)
    .with({ kind: 'absent' }, (r) => `diverged at step ${r.step}: ${r.property} holds (expected to fail here)`)
    .exhaustive();
}
