// The mutant catalogue check of `cramcheck mutants`, in-process and fast: on the
// recorded traces (counterexamples/mutants/<name>.json, written by
// `npx cramcheck mutants --out-dir counterexamples/mutants`), not by exploring.
//  - every kernel mutant has its trace, recorded with that mutant on and on the
//    config its catalogue entry names;
//  - each trace replays with the mutant's expected invariant (`catches`) failing
//    at the recorded step;
//  - the same steps WITHOUT the mutant do not break that invariant (the catch is
//    the mutant's, not a finding of the faithful model with every fix on);
//  - every property id of properties/index.ts is the expected invariant of at
//    least one mutant.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROPERTY_ORDER } from '../../properties/index.ts';
import { resolveTraceSystem } from '../../src/cli/systems.ts';
import { MUTANTS } from '../../src/kernel/mutants/index.ts';
import { parseTrace, type TraceFile } from '../../src/trace/format.ts';
import { checkProperty, describeOutcome, replaySteps } from '../../src/trace/replay.ts';
import { describeLassoOutcome, replayLasso } from '../../src/trace/lasso.ts';

const DIR = join('counterexamples', 'mutants');

function load(name: string): TraceFile | string {
  const f = join(DIR, `${name}.json`);
  if (!existsSync(f)) return `${f} is missing (run: npx cramcheck mutants --out-dir ${DIR})`;
  const p = parseTrace(readFileSync(f, 'utf8'));
  return p.ok ? p.trace : `${f}: invalid trace: ${p.error}`;
}

test('every property id is the expected invariant of at least one mutant', (t) => {
  const expected = new Set(MUTANTS.map((m) => m.catches));
  const idle = PROPERTY_ORDER.filter((id) => !expected.has(id));
  t.deepEqual(idle, [], `invariants no mutant is expected to break: ${idle.join(', ')}`);
});

test('mutant names are unique', (t) => {
  t.is(new Set(MUTANTS.map((m) => m.name)).size, MUTANTS.length);
});

// Vacuity mutants (catches = a REACH- id) leave no trace: test/properties/reach.test.ts explores them.
for (const m of MUTANTS.filter((x) => !x.catches.startsWith('REACH-'))) {
  test(`mutant ${m.name}: its trace replays with ${m.catches}, and not without the mutant`, (t) => {
    const tr = load(m.name);
    if (typeof tr === 'string') {
      t.fail(tr);
      return;
    }
    t.is(tr.system, 'kernel');
    t.is(tr.mutant, m.name, 'trace recorded with its own mutant on');
    t.is(tr.config, m.config ?? 'canonical', 'trace recorded on the config the catalogue names');
    t.is(tr.expect.property, m.catches, 'trace expects the catalogue invariant');
    if (tr.cycle !== undefined) {
      // A liveness mutant: its lasso replays (cycle closes, property fails, cycle fair) and not without the mutant.
      const { sys: mut } = resolveTraceSystem(tr);
      const o = replayLasso(mut, tr.property, tr.steps, tr.cycle);
      t.is(o.kind, 'reproduced', `${m.name}: ${describeLassoOutcome(o)}`);
      const { sys: plain } = resolveTraceSystem({ ...tr, mutant: null });
      t.not(replayLasso(plain, tr.property, tr.steps, tr.cycle).kind, 'reproduced', `${m.catches}: the lasso is a lasso without ${m.name} too`);
      return;
    }
    const { sys } = resolveTraceSystem(tr);
    const r = replaySteps(sys, tr.steps, tr.expect);
    t.is(r.outcome.kind, 'reproduced', `${m.name}: ${describeOutcome(r.outcome)}`);
    // The same actions with the mutant off, every step checked for the expected invariant.
    const { sys: plain } = resolveTraceSystem({ ...tr, mutant: null });
    const s = new Uint32Array(plain.words);
    plain.initial(s);
    let cur = s;
    let broke: string | null = checkProperty(plain, m.catches, cur, null, -1);
    for (const st of tr.steps) {
      if (broke !== null) break;
      const next = new Uint32Array(plain.words);
      if (!plain.step(cur, st.action, next)) break; // the faithful model diverges here: nothing more to check
      broke = checkProperty(plain, m.catches, next, cur, st.action);
      cur = next;
    }
    t.is(broke, null, `${m.catches} also fails on these steps without ${m.name}`);
  });
}
