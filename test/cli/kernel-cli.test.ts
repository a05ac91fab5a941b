// The CLI on the kernel system: a JSON config file (extends a named config) is
// inlined into the trace so the trace is self-contained, and replays; the
// seeded bug fixup-migration-pte-keeps-write (internal.h:
// folio_managed_fixup_migration_pte restores a writable PTE on P) is caught by
// INV-RO; JSON output is identical between runs but for timing.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, CI: '1' }, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'cramcheck-kcli-'));
const MUTANT = 'fixup-migration-pte-keeps-write';

test('kernel: a file config is inlined in the trace, which replays to the same INV-RO violation', async (t) => {
  const cfg = join(tmp, 'mine.json');
  writeFileSync(cfg, JSON.stringify({ extends: 'canonical', name: 'canonical-file' }));
  const out = join(tmp, 'ro.json');
  const r = await cli('explore', '--config', cfg, '--mutant', MUTANT, '--fix', 'all', '--out', out);
  t.is(r.code, 1, r.stderr);
  // The protocol machines (transition checks) may see the writable CRAM PTE first.
  t.regex(r.stdout, /^(INV-RO|CONFORMANCE-folio) fails after step \d+:$/m);
  const tr = JSON.parse(readFileSync(out, 'utf8')) as { config: unknown; mutant: string; fixes: string[]; property: string };
  t.is(typeof tr.config, 'object');
  t.is((tr.config as { name: string }).name, 'canonical-file');
  t.is(tr.mutant, MUTANT);
  t.true(tr.fixes.length > 0);
  t.true(tr.property === 'INV-RO' || tr.property === 'CONFORMANCE-folio', tr.property);
  const rep = await cli('replay', out);
  t.is(rep.code, 0, rep.stdout + rep.stderr);
  t.regex(rep.stdout, /reproduced: (INV-RO|CONFORMANCE-folio) first fails at step/);
  // Without the mutant (v4 as written, fixes on) the same steps do not break it.
  const faithful = join(tmp, 'ro-faithful.json');
  writeFileSync(faithful, JSON.stringify({ ...tr, mutant: null }));
  const d = await cli('replay', faithful);
  t.is(d.code, 1);
  t.regex(d.stdout, /diverged at step [0-9]+: /);
});

test('kernel: --json output is byte-identical between runs except timing', async (t) => {
  const args = ['explore', '--config', 'tiny', '--max-states', '300', '--json'];
  const a = await cli(...args);
  const b = await cli(...args);
  t.true(a.code === 0 || a.code === 1, a.stderr);
  const ja = JSON.parse(a.stdout) as Record<string, unknown>;
  const jb = JSON.parse(b.stdout) as Record<string, unknown>;
  for (const k of ['states', 'transitions', 'depth', 'complete', 'violations', 'timing']) t.true(k in ja, k);
  delete ja['timing'];
  delete jb['timing'];
  t.deepEqual(ja, jb);
});

test('kernel: unknown config, mutant and fix are bad input (exit 2, one line)', async (t) => {
  for (const [args, re] of [
    [['explore', '--config', 'huge'], /--config: unknown config 'huge' \(known: tiny, small, canonical, .*; or a JSON file\)/],
    [['explore', '--config', 'tiny', '--mutant', 'nope'], /--mutant: unknown mutant 'nope'/],
    [['explore', '--config', 'tiny', '--fix', 'nope'], /--fix: unknown fix 'nope'/],
    [['explore', '--params', 'F=1,D=1,C=1,P=1'], /--params: only for --system bm1/],
  ] as const) {
    const r = await cli(...args);
    t.is(r.code, 2);
    t.is(r.stdout, '');
    t.is(r.stderr.trimEnd().split('\n').length, 1);
    t.regex(r.stderr, re);
  }
});

test('kernel mutants --only: the seeded INV-RO bug is caught by INV-RO, its trace replays', async (t) => {
  const dir = join(tmp, 'mut');
  const r = await cli('mutants', '--config', 'canonical', '--only', MUTANT, '--max-states', '5000', '--out-dir', dir, '--json');
  t.is(r.code, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as { mutants: { mutant: string; caughtBy: string; asExpected: boolean; traceFile: string }[]; ok: boolean };
  t.is(j.mutants.length, 1);
  t.true(j.mutants[0]!.caughtBy === 'INV-RO' || j.mutants[0]!.caughtBy === 'CONFORMANCE-folio');
  t.true(j.mutants[0]!.asExpected); // INV-RO itself catches it, whichever check fires first
  t.is((await cli('replay', j.mutants[0]!.traceFile)).code, 0);
  const bad = await cli('mutants', '--only', 'no-such-mutant');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--only: unknown mutant 'no-such-mutant'/);
});
