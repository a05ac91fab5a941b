// Traces: the versioned format, replay's verdicts, rendering and minimization,
// on a toy system (test/trace/toy.ts) so they do not depend on the kernel model.
import test from 'ava';
import { makeTrace, parseTrace, serializeTrace, type SystemDescriptor, type TraceStep } from '../../src/trace/format.ts';
import { describeOutcome, replaySteps } from '../../src/trace/replay.ts';
import { renderCounterexample } from '../../src/trace/render.ts';
import { failingPrefix, minimizeTrace, shortcutTrace } from '../../src/trace/minimize.ts';
import { toySystem } from './toy.ts';

const D: SystemDescriptor = { system: 'bm1', config: 'toy', params: { F: 1 }, mutant: null, fixes: [] };
const sys = toySystem();
const steps = (actions: number[]): TraceStep[] => actions.map((a) => ({ action: a, ...sys.describe(a) }));

test('format: a made trace serializes and parses back unchanged (version 1)', (t) => {
  const tr = makeTrace(D, { property: 'LIMIT', source: 'toy rule', steps: steps([0, 0, 1, 0]) });
  const p = parseTrace(serializeTrace(tr));
  t.true(p.ok);
  if (p.ok) t.deepEqual(p.trace, tr);
  t.is(tr.expect.step, 4);
});

test('format: a corrupt trace names the bad field', (t) => {
  const tr = makeTrace(D, { property: 'LIMIT', source: 's', steps: steps([0]) });
  const bad = JSON.parse(serializeTrace(tr)) as { steps: { action: unknown }[] };
  bad.steps[0]!.action = 'x';
  const p = parseTrace(JSON.stringify(bad));
  t.false(p.ok);
  if (!p.ok) t.regex(p.error, /^steps\[0\]\.action: /);
  const p2 = parseTrace('{"format":"cramcheck-trace","version":2}');
  t.false(p2.ok);
  if (!p2.ok) t.regex(p2.error, /^version: /);
  const p3 = parseTrace('not json');
  t.false(p3.ok);
  if (!p3.ok) t.regex(p3.error, /^not JSON/);
});

test('replay: the same property first fails at the same step -> reproduced', (t) => {
  const r = replaySteps(sys, steps([0, 0, 1, 0]), { property: 'LIMIT', step: 4 });
  t.is(r.outcome.kind, 'reproduced');
  t.is(r.states.length, 5);
  t.regex(describeOutcome(r.outcome), /LIMIT first fails at step 4/);
});

test('replay: a disabled step is a divergence naming the step and action', (t) => {
  const r = replaySteps(sys, steps([2, 0, 0, 0, 0]), { property: 'LIMIT', step: 5 });
  t.is(r.outcome.kind, 'disabled');
  t.is(describeOutcome(r.outcome), 'diverged at step 1: action 2 not enabled (cpu0 dec(x))');
});

test('replay: a step whose description differs from the model diverges', (t) => {
  const st = steps([0, 0, 0, 0]);
  st[2] = { action: 0, actor: 'cpu1', name: 'inc(x)' };
  const r = replaySteps(sys, st, { property: 'LIMIT', step: 4 });
  t.is(r.outcome.kind, 'mismatch');
  t.regex(describeOutcome(r.outcome), /^diverged at step 3: /);
});

test('replay: property failing earlier, or not at all, is a divergence', (t) => {
  const early = replaySteps(sys, steps([0, 0, 0, 0, 1]), { property: 'LIMIT', step: 5 });
  t.is(early.outcome.kind, 'early');
  const absent = replaySteps(sys, steps([0, 0, 2, 0]), { property: 'LIMIT', step: 4 });
  t.is(absent.outcome.kind, 'absent');
  const range = replaySteps(sys, [{ action: 9, actor: 'cpu0', name: 'x' }], { property: 'LIMIT', step: 1 });
  t.is(range.outcome.kind, 'out-of-range');
});

test('replay: transition properties are checked on each step', (t) => {
  const r = replaySteps(sys, steps([3]), { property: 'NO-RESET-AT-0', step: 1 });
  t.is(r.outcome.kind, 'reproduced');
});

test('render: header, one line per step with explain, the violated property and its source', (t) => {
  const lines = renderCounterexample(sys, D, 'LIMIT', [0, 1, 0, 1]);
  t.is(lines[0], 'counterexample: LIMIT in bm1 F=1, mutant none, fixes none, 4 steps');
  const stepLines = lines.filter((l) => /^ +[0-9]+ {2}/.test(l));
  t.is(stepLines.length, 4);
  t.is(stepLines[2], '  3  cpu0      inc(x): inc(x) from x=1 y=1');
  t.true(lines.includes('VIOLATED LIMIT (toy rule): x + y = 4 >= 4'));
  t.is(lines[lines.length - 1], '    x=2 y=2');
});

test('render: a disabled step is shown and ends the rendering', (t) => {
  const lines = renderCounterexample(sys, D, 'LIMIT', [2, 0]);
  t.regex(lines[1]!, /dec\(x\): NOT ENABLED/);
  t.is(lines.length, 2);
});

test('minimize: removes steps that do not matter, keeps a failing trace', (t) => {
  const long = [0, 2, 0, 3, 1, 0, 2, 1, 1, 0, 0, 0];
  t.true(failingPrefix(sys, 'LIMIT', long) > 0);
  const m = minimizeTrace(sys, 'LIMIT', long);
  t.is(m.length, 4);
  t.is(failingPrefix(sys, 'LIMIT', m), 4);
  t.deepEqual(minimizeTrace(sys, 'LIMIT', [0, 1]), [0, 1]);
});

test('minimize: shortcuts cut detours out of very long (DFS-like) traces, keeping the last step', (t) => {
  const long: number[] = [];
  for (let i = 0; i < 1000; i++) long.push(0, 2); // x up and down: revisits the initial state
  long.push(0, 0, 1, 1);
  t.deepEqual(shortcutTrace(sys, long), [0, 0, 1, 1]);
  const m = minimizeTrace(sys, 'LIMIT', long);
  t.is(m.length, 4);
  t.is(failingPrefix(sys, 'LIMIT', m), 4);
  // A transition property keeps its final transition (reset from x=y=0).
  t.deepEqual(minimizeTrace(sys, 'NO-RESET-AT-0', [0, 2, 0, 2, 3]), [3]);
});
