// The findings corpus (counterexamples/findings, written by `cramcheck
// findings`) against the fix catalogue: every fix has a trace of the invariant
// it says it mends (or is listed below as having none yet), the trace was
// recorded with that fix off, and the same steps with the fix switched on no
// longer break the invariant. The command itself reproduces a trace
// byte-for-byte and exits 1 on a fix without a finding.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveKernel } from '../../src/cli/kernel-systems.ts';
import { KERNEL_CONFIG_NAMES } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { parseTrace, type TraceFile } from '../../src/trace/format.ts';
import { failingPrefix } from '../../src/trace/minimize.ts';
import { describeLassoOutcome, isLassoReproduced, replayLasso } from '../../src/trace/lasso.ts';

const DIR = join('counterexamples', 'findings');
/** Fixes whose finding no named config reaches yet (shown by a unit test instead): none since offlineadd. */
const NO_TRACE: readonly string[] = [];

function load(file: string): TraceFile {
  const p = parseTrace(readFileSync(file, 'utf8'));
  if (!p.ok) throw new Error(`${file}: ${p.error}`);
  return p.trace;
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, CI: '1' }, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('findings: the catalogue names known configs and fixes', (t) => {
  const names = FIXES.map((f) => f.name);
  for (const f of FIXES) {
    if (f.config !== undefined) t.true((KERNEL_CONFIG_NAMES as readonly string[]).includes(f.config), `${f.name}: config ${f.config}`);
    for (const o of f.alsoOff ?? []) t.true(names.includes(o) && o !== f.name, `${f.name}: alsoOff ${o}`);
  }
});

for (const f of FIXES) {
  const file = join(DIR, `${f.name}.json`);
  if (NO_TRACE.includes(f.name)) {
    test(`findings: ${f.name} has no trace yet (drop it from NO_TRACE once it has one)`, (t) => {
      t.false(existsSync(file));
    });
    continue;
  }
  if (f.mends.startsWith('LIVE-')) {
    test(`findings: ${f.name}: the lasso breaks ${f.mends} with the fix off and not with it on`, (t) => {
      t.true(existsSync(file), `${file} missing: run npx cramcheck findings`);
      const tr = load(file);
      t.is(tr.property, f.mends);
      t.is(tr.mutant, null);
      t.false(tr.fixes.includes(f.name));
      t.is(tr.config, f.config ?? 'canonical');
      t.is(tr.note, f.description);
      t.true(tr.cycle !== undefined, 'a lasso');
      const off = resolveKernel(tr.config, null, tr.fixes).sys;
      const o = replayLasso(off, tr.property, tr.steps, tr.cycle!);
      t.true(isLassoReproduced(o), describeLassoOutcome(o));
      const on = resolveKernel(tr.config, null, [...tr.fixes, f.name]).sys;
      t.false(isLassoReproduced(replayLasso(on, tr.property, tr.steps, tr.cycle!)), `${f.name} does not mend its own lasso`);
    });
    continue;
  }
  test(`findings: ${f.name}: the trace breaks ${f.mends} with the fix off and not with it on`, (t) => {
    t.true(existsSync(file), `${file} missing: run npx cramcheck findings`);
    const tr = load(file);
    t.is(tr.property, f.mends);
    t.is(tr.mutant, null);
    t.false(tr.fixes.includes(f.name));
    t.is(tr.config, f.config ?? 'canonical');
    t.is(tr.note, f.description);
    const actions = tr.steps.map((s) => s.action);
    const off = resolveKernel(tr.config, null, tr.fixes).sys;
    t.is(failingPrefix(off, tr.property, actions), tr.expect.step);
    const on = resolveKernel(tr.config, null, [...tr.fixes, f.name]).sys;
    t.is(failingPrefix(on, tr.property, actions), -1, `${f.name} does not mend its own trace`);
  });
}

test('findings: canonical-faithful.json is the faithful model on canonical', (t) => {
  const tr = load(join(DIR, 'canonical-faithful.json'));
  t.is(tr.config, 'canonical');
  t.deepEqual(tr.fixes, []);
  t.is(tr.mutant, null);
  const sys = resolveKernel('canonical', null, []).sys;
  t.is(failingPrefix(sys, tr.property, tr.steps.map((s) => s.action)), tr.expect.step);
});

test('findings command: reproduces a committed trace byte for byte; a fix without a finding (a bound too small to reach it) exits 1', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'cramcheck-findings-'));
  const [ok, none] = await Promise.all([
    cli('findings', '--only', 'sysram-hotplug-busy-while-cram', '--out-dir', out),
    cli('findings', '--only', 'unregister-busy-while-present', '--max-states', '2', '--out-dir', out, '--json'),
  ]);
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /sysram-hotplug-busy-while-cram\s+INV-LIFECYCLE-ORDER\s+6 steps\s+driver\s+holds/);
  t.is(readFileSync(join(out, 'sysram-hotplug-busy-while-cram.json'), 'utf8'), readFileSync(join(DIR, 'sysram-hotplug-busy-while-cram.json'), 'utf8'));
  t.is(none.code, 1, none.stdout + none.stderr);
  const j = JSON.parse(none.stdout) as { ok: boolean; findings: { fix: string; found: unknown; traceFile: unknown }[] };
  t.false(j.ok);
  t.is(j.findings[0]?.fix, 'unregister-busy-while-present');
  t.is(j.findings[0]?.found, null);
  t.is(j.findings[0]?.traceFile, null);
});
