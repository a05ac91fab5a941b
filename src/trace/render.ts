// Plain-text rendering of a counterexample for review mails: a header saying
// what was modelled, one line per step (actor, action, what the kernel did
// according to sys.explain), then the broken property with its source and the
// parts of the final state that show it. No colours, no terminal tricks: the
// text is pasted as is.

import type { System } from '../explore/system.ts';
import type { SystemDescriptor } from './format.ts';
import { checkProperty, propertySource } from './replay.ts';

/** `kernel config 'canonical'` / `bm1 F=4,D=2,C=2,P=4`, the way headers and summaries name a system. */
export function describeSystem(d: SystemDescriptor): string {
  const cfg = typeof d.config === 'string' ? `'${d.config}'` : `'${typeof d.config['name'] === 'string' ? d.config['name'] : '?'}' (inline)`;
  const params = d.params ? ` ${Object.entries(d.params).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
  return d.system === 'bm1' ? `bm1${params}` : `${d.system} config ${cfg}${params}`;
}

export function describeVariant(d: SystemDescriptor): string {
  return `mutant ${d.mutant ?? 'none'}, fixes ${d.fixes.length === 0 ? 'none' : d.fixes.join(',')}`;
}

// Systems whose explain lines repeat the actor or the action name (already in
// the step's columns) would print them twice.
function stripPrefixes(line: string, prefixes: readonly string[]): string {
  let l = line;
  for (let again = true; again; ) {
    again = false;
    for (const p of prefixes) {
      if (l.startsWith(p) && l.length > p.length) {
        l = l.slice(p.length);
        again = true;
      }
    }
  }
  return l;
}

/**
 * Render the counterexample `actions` (action indices from the initial state)
 * violating `property`. Re-runs the steps on sys to explain them; a step that
 * is not enabled is shown as such and ends the rendering.
 */
export function renderCounterexample(sys: System, d: SystemDescriptor, property: string, actions: readonly number[]): string[] {
  const out: string[] = [];
  out.push(`counterexample: ${property} in ${describeSystem(d)}, ${describeVariant(d)}, ${actions.length} step${actions.length === 1 ? '' : 's'}`);
  const r = renderSteps(sys, actions);
  out.push(...r.lines);
  if (!r.ok) return out;
  const msg = checkProperty(sys, property, r.state, r.prev, r.lastAction);
  out.push(`VIOLATED ${property} (${propertySource(sys, property)}): ${msg ?? '(holds on replay)'}`);
  for (const line of sys.render(r.state, property)) out.push(`    ${line}`);
  return out;
}

/**
 * One line per step (number, actor, action, what the kernel did), re-running
 * the steps on sys; `marks` puts a line before the step with that 0-based
 * index (a lasso's cycle start). ok=false: a step was not enabled (the last
 * line says so) and rendering stopped there.
 */
export function renderSteps(
  sys: System,
  actions: readonly number[],
  marks: ReadonlyMap<number, string> = new Map(),
): { lines: string[]; ok: boolean; state: Uint32Array; prev: Uint32Array | null; lastAction: number } {
  const out: string[] = [];
  const infos = actions.map((a) => (a < sys.actionCount ? sys.describe(a) : { actor: '?', name: `action ${a}` }));
  // A loop, not Math.max(...): DFS traces can be longer than the argument limit.
  let actorWidth = 9;
  for (const i of infos) actorWidth = Math.max(actorWidth, i.actor.length + 1);
  const numWidth = Math.max(3, String(actions.length).length + 1);
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  let prev: Uint32Array | null = null;
  let lastA = -1;
  for (let i = 0; i < actions.length; i++) {
    const mark = marks.get(i);
    if (mark !== undefined) out.push(mark);
    const a = actions[i]!;
    const info = infos[i]!;
    const head = `${String(i + 1).padStart(numWidth)}  ${info.actor.padEnd(actorWidth)} ${info.name}`;
    const next = new Uint32Array(sys.words);
    if (a >= sys.actionCount || !sys.step(cur, a, next)) {
      out.push(`${head}: NOT ENABLED (replay stops here)`);
      return { lines: out, ok: false, state: cur, prev, lastAction: lastA };
    }
    const why = sys.explain(cur, a).map((l) => stripPrefixes(l, [`${info.actor}: `, `${info.name}: `]));
    out.push(why.length > 0 ? `${head}: ${why.join('; ')}` : head);
    prev = cur;
    cur = next;
    lastA = a;
  }
  const tail = marks.get(actions.length);
  if (tail !== undefined) out.push(tail);
  return { lines: out, ok: true, state: cur, prev, lastAction: lastA };
}
