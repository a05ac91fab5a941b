// `cramcheck liveness` end to end on the kernel system: a seeded liveness bug
// (hthresh-irq-no-ack: the hthresh thread never acts nor acks) gives a lasso
// the trace file records with its cycle start, `replay` re-checks it (cycle
// closes, property fails, cycle fair) and marks the cycle in the text; a
// tampered cycle start diverges; the faithful model holds the same property;
// reductions liveness is not sound with are refused (exit 2); `mutants` runs
// the liveness checker for a liveness mutant and writes a lasso.
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

const tmp = mkdtempSync(join(tmpdir(), 'cramcheck-live-'));
const PROP = 'LIVE-IRQ-HANDLED(hthresh)';

test('liveness: a seeded livelock is a lasso that replays; the faithful model holds the property', async (t) => {
  const dir = join(tmp, 'lassos');
  const r = await cli('liveness', '--config', 'tiny', '--fix', 'all', '--mutant', 'hthresh-irq-no-ack', '--only', PROP, '--out-dir', dir);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stdout, /LIVE-IRQ-HANDLED\(hthresh\)\s+leads-to\s+\d+\s+VIOLATED: premise holds at step \d+/);
  const file = join(dir, 'LIVE-IRQ-HANDLED_hthresh.json');
  const tr = JSON.parse(readFileSync(file, 'utf8')) as { cycle: number; steps: unknown[]; expect: { step: number } };
  t.true(tr.cycle < tr.steps.length);
  t.is(tr.expect.step, tr.steps.length);
  const rep = await cli('replay', file);
  t.is(rep.code, 0, rep.stdout + rep.stderr);
  t.regex(rep.stdout, /reproduced: LIVE-IRQ-HANDLED\(hthresh\) fails on the lasso/);
  t.regex(rep.stdout, /---- cycle starts here: steps \d+\.\.\d+ repeat for ever ----/);
  t.regex(rep.stdout, /---- cycle closes/);
  // A cycle start one step later does not close on the same state.
  const bad = join(tmp, 'open.json');
  writeFileSync(bad, JSON.stringify({ ...tr, cycle: tr.cycle + 1 }));
  const rb = await cli('replay', bad);
  t.is(rb.code, 1, rb.stdout);
  t.regex(rb.stdout, /diverged/);
  const ok = await cli('liveness', '--config', 'tiny', '--fix', 'all', '--only', PROP);
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /LIVE-IRQ-HANDLED\(hthresh\)\s+leads-to\s+\d+\s+holds/);
});

test('liveness: reductions it is not sound with are refused, unknown properties are bad input', async (t) => {
  const s = await cli('liveness', '--config', 'tiny', '--symmetry');
  t.is(s.code, 2);
  t.regex(s.stderr, /^cramcheck: liveness checking with --symmetry is refused/);
  const p = await cli('liveness', '--config', 'tiny', '--por');
  t.is(p.code, 2);
  t.regex(p.stderr, /partial-order/);
  const f = await cli('liveness', '--config', 'tiny', '--store', 'fingerprint');
  t.is(f.code, 2);
  t.regex(f.stderr, /^cramcheck: liveness checking with --store fingerprint is refused: [^\n]+\n$/);
  const u = await cli('liveness', '--config', 'tiny', '--only', 'LIVE-NOPE');
  t.is(u.code, 2);
  t.regex(u.stderr, /^cramcheck: --only: no liveness property 'LIVE-NOPE'/);
});

test('liveness: a bound that cuts the graph short and finds nothing is incomplete (exit 3)', async (t) => {
  const r = await cli('liveness', '--config', 'tiny', '--fix', 'all', '--only', PROP, '--max-states', '50');
  t.is(r.code, 3, r.stdout + r.stderr);
  t.regex(r.stdout, /INCOMPLETE/);
});

test('mutants --only a liveness mutant: caught by its temporal property, lasso written', async (t) => {
  const dir = join(tmp, 'mut');
  const r = await cli('mutants', '--only', 'hthresh-irq-no-ack', '--out-dir', dir, '--json');
  t.is(r.code, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as { mutants: { caughtBy: string; asExpected: boolean; traceFile: string }[] };
  t.is(j.mutants[0]!.caughtBy, PROP);
  t.true(j.mutants[0]!.asExpected);
  const rep = await cli('replay', j.mutants[0]!.traceFile);
  t.is(rep.code, 0, rep.stdout);
});

test('liveness --progress lines: the property phase is announced; a bad mode is bad input', async (t) => {
  const r = await cli('liveness', '--config', 'tiny', '--fix', 'all', '--progress', 'lines');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /^liveness: graph complete, 9,951 states, [\d,]+ transitions; checking the deadlock and \d+ temporal properties$/m);
  const off = await cli('liveness', '--config', 'tiny', '--fix', 'all', '--progress', 'off');
  t.notRegex(off.stderr, /checking the deadlock/);
  const bad = await cli('liveness', '--config', 'tiny', '--progress', 'loud');
  t.is(bad.code, 2);
  t.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
});
