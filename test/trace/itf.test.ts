// ITF export (src/trace/itf.ts, `cramcheck export`): the shape ADR-015 and
// Quint use, integers as #bigint, and a round trip: export, read back into
// action ids (from #meta.action, or from mbt::actionTaken alone), replay, same
// verdict at the same step.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { resolveTraceSystem } from '../../src/cli/systems.ts';
import { parseTrace, type TraceFile } from '../../src/trace/format.ts';
import { ACTION_TAKEN, importItf } from '../../src/trace/itf.ts';
import { replaySteps } from '../../src/trace/replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'cramcheck-itf-'));
const FINDING = join('counterexamples', 'findings', 'set-pressure-serialized.json');

async function exportItf(file: string): Promise<string> {
  const out = join(dir, `${file.replace(/[/.]/g, '_')}.itf.json`);
  let err = '';
  const code = await runCli(['export', file, '--format', 'itf', '--out', out], { out: () => undefined, err: (s) => void (err += s) });
  if (code !== 0) throw new Error(err);
  return readFileSync(out, 'utf8');
}

function original(file: string): TraceFile {
  const p = parseTrace(readFileSync(file, 'utf8'));
  if (!p.ok) throw new Error(p.error);
  return p.trace;
}

const sysFor = (t: TraceFile) => resolveTraceSystem(t).sys;

type Json = Record<string, unknown> & { states: (Record<string, unknown> & { '#meta': { index: number; action?: number } })[]; vars: string[] };

test('itf: #meta, vars, states with #meta.index and mbt::actionTaken; every state sets every var; integers as #bigint', async (t) => {
  const j = JSON.parse(await exportItf(FINDING)) as Json;
  const tr = original(FINDING);
  t.is((j['#meta'] as { format: string }).format, 'ITF');
  t.true(j.vars.includes(ACTION_TAKEN) && j.vars.includes('folio') && j.vars.includes('machines'));
  t.is(j.states.length, tr.steps.length + 1);
  j.states.forEach((s, i) => {
    t.is(s['#meta'].index, i);
    for (const v of j.vars) t.true(v in s, `state ${i} lacks ${v}`);
  });
  t.is(j.states[0]![ACTION_TAKEN], 'init');
  t.is(j.states[1]![ACTION_TAKEN], `${tr.steps[0]!.actor} ${tr.steps[0]!.name}`);
  // No bare JSON number inside the states: ITF readers get #bigint.
  const numbers: unknown[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'number' && key !== 'index' && key !== 'action') numbers.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, ''));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(j.states, '');
  t.deepEqual(numbers, []);
  t.regex(JSON.stringify(j.states[1]), /\{"#bigint":"\d+"\}/);
});

for (const f of ['set-pressure-serialized', 'swapin-wrprotect', 'flush-swap-atomic']) {
  test(`itf: ${f} round-trips (export, import to action ids, replay: same verdict at the same step)`, async (t) => {
    const file = join('counterexamples', 'findings', `${f}.json`);
    const tr = original(file);
    const text = await exportItf(file);
    const back = importItf(text, sysFor);
    if (!back.ok) return t.fail(back.error);
    t.deepEqual(back.trace.steps, tr.steps);
    const { sys } = resolveTraceSystem(back.trace);
    const r = replaySteps(sys, back.trace.steps, back.trace.expect);
    t.is(r.outcome.kind, 'reproduced');
    t.is(back.trace.expect.step, tr.expect.step);
    // A tool that keeps only mbt::actionTaken (no #meta.action): the names resolve to the same ids.
    const j = JSON.parse(text) as Json;
    for (const s of j.states) delete s['#meta'].action;
    const byName = importItf(JSON.stringify(j), sysFor);
    if (!byName.ok) return t.fail(byName.error);
    t.deepEqual(byName.trace.steps, tr.steps);
  });
}

test('itf: an action the model does not know is refused with the state it is in', async (t) => {
  const j = JSON.parse(await exportItf(FINDING)) as Json;
  delete j.states[3]!['#meta'].action;
  j.states[3]![ACTION_TAKEN] = 'cpu9 fly';
  const r = importItf(JSON.stringify(j), sysFor);
  t.false(r.ok);
  if (!r.ok) t.regex(r.error, /states\[3\]: no action/);
  t.false(importItf('{', sysFor).ok);
});

test('export: bad input is one line, exit 2', async (t) => {
  let err = '';
  const code = await runCli(['export', FINDING, '--format', 'tla'], { out: () => undefined, err: (s) => void (err += s) });
  t.is(code, 2);
  t.regex(err, /^cramcheck: --format: unknown format 'tla' \(known: itf\)\n$/);
});
