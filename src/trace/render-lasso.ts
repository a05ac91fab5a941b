// Plain-text rendering of a lasso (a liveness counterexample or a deadlock):
// the stem, a line marking where the cycle starts, the cycle, then what the
// lasso shows: the cycle closes on the state where it started (the run loops
// for ever) or no action is enabled (the run ends there), and the final state.

import type { System } from '../explore/system.ts';
import type { SystemDescriptor } from './format.ts';
import { DEADLOCK, describeLassoOutcome, replayLasso } from './lasso.ts';
import { describeSystem, describeVariant, renderSteps } from './render.ts';

export function renderLasso(sys: System, d: SystemDescriptor, property: string, actions: readonly number[], cycleStart: number): string[] {
  const cycleLen = actions.length - cycleStart;
  const out: string[] = [];
  out.push(`lasso: ${property} in ${describeSystem(d)}, ${describeVariant(d)}, stem ${cycleStart} step${cycleStart === 1 ? '' : 's'}, cycle ${cycleLen === 0 ? 'none (the run may stop at the end)' : `${cycleLen} step${cycleLen === 1 ? '' : 's'}`}`);
  const marks = new Map<number, string>();
  marks.set(cycleStart, cycleLen === 0 ? (property === DEADLOCK ? '  ---- end: no action is enabled from here (the run stutters for ever) ----' : '  ---- end: no fair actor can step from here (the run may stop here for ever) ----') : `  ---- cycle starts here: steps ${cycleStart + 1}..${actions.length} repeat for ever ----`);
  const r = renderSteps(sys, actions, marks);
  out.push(...r.lines);
  if (!r.ok) return out;
  if (cycleLen > 0) out.push(`  ---- cycle closes: the state after step ${actions.length} is the state after step ${cycleStart} ----`);
  const t = sys.liveness?.find((x) => x.id === property);
  const steps = actions.map((a) => ({ action: a, ...sys.describe(a) })).map(({ action, actor, name }) => ({ action, actor, name }));
  const verdict = describeLassoOutcome(replayLasso(sys, property, steps, cycleStart));
  out.push(property === DEADLOCK ? `DEADLOCK: ${verdict}` : `VIOLATED ${property} (${t?.kind ?? '?'}; ${t?.source ?? '?'}): ${t?.description ?? ''}; ${verdict}`);
  for (const line of sys.render(r.state, property)) out.push(`    ${line}`);
  return out;
}
