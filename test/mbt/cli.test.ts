// `cramcheck mbt` and `cramcheck coverage` through their Command objects.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mbtCommand } from '../../src/cli/mbt-cmd.ts';
import { coverageCommand } from '../../src/cli/coverage-cmd.ts';
import { replayCommand } from '../../src/cli/replay-cmd.ts';
import { parseTrace } from '../../src/trace/format.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

test('mbt on a BM1 mutant: exit 1, prints seed and path, writes a trace that `replay` reproduces (BM1.md I2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mbt-'));
  const file = join(dir, 'trace.json');
  const a = io();
  const code = await mbtCommand.run(['--system', 'bm1', '--config', 'medium', '--mutant', 'demote-ignores-budget', '--seed', '4', '--runs', '500', '--out', file], a.io);
  t.is(code, 1);
  const text = a.out.join('');
  t.regex(text, /seed 4, fast-check path \S+/);
  t.regex(text, /BM1-I2/);
  const parsed = parseTrace(readFileSync(file, 'utf8'));
  t.true(parsed.ok);
  const b = io();
  t.is(await replayCommand.run([file], b.io), 0);
  t.regex(b.out.join(''), /reproduced/);
});

test('mbt on the correct BM1: exit 0 and the same output for the same seed', async (t) => {
  const a = io();
  const b = io();
  t.is(await mbtCommand.run(['--system', 'bm1', '--config', 'small', '--seed', '9', '--runs', '50', '--json'], a.io), 0);
  t.is(await mbtCommand.run(['--system', 'bm1', '--config', 'small', '--seed', '9', '--runs', '50', '--json'], b.io), 0);
  t.is(a.out.join(''), b.out.join(''));
  t.is(JSON.parse(a.out.join('')).ok, true);
});

test('mbt --all-mutants on BM1: every mutant caught, shrunk length beside the BFS shortest length', async (t) => {
  const a = io();
  t.is(await mbtCommand.run(['--system', 'bm1', '--config', 'small', '--all-mutants', '--runs', '300', '--json'], a.io), 0);
  const rows = JSON.parse(a.out.join('')).mutants as { mbtCaught: boolean; mbtShrunkLength: number; bfsShortestLength: number; mbtProperty: string; expected: string }[];
  t.is(rows.length, 5);
  for (const r of rows) {
    t.true(r.mbtCaught);
    t.is(r.mbtProperty, r.expected);
    t.true(r.mbtShrunkLength >= r.bfsShortestLength);
  }
});

test('coverage on BM1 small: every bm1-folio transition covered, exit 0', async (t) => {
  const a = io();
  t.is(await coverageCommand.run(['--system', 'bm1', '--config', 'small'], a.io), 0);
  t.regex(a.out.join(''), /8 transitions: 8 covered, 0 unreachable, 0 gaps/);
});

test('mbt on a kernel mutant the uniform mode missed: exit 1, the written trace replays, output identical for the seed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mbt-'));
  const file = join(dir, 'trace.json');
  const args = ['--config', 'cycles', '--mutant', 'promote-leaks-src', '--fix', 'all', '--property', 'INV-DEVICE-CAPACITY', '--seed', '1', '--runs', '1000', '--max-commands', '600', '--out', file];
  const a = io();
  const b = io();
  t.is(await mbtCommand.run(args, a.io), 1);
  t.regex(a.out.join(''), /\(enabled mode\)/);
  t.regex(a.out.join(''), /INV-DEVICE-CAPACITY violated/);
  const r = io();
  t.is(await replayCommand.run([file], r.io), 0);
  t.regex(r.out.join(''), /reproduced: INV-DEVICE-CAPACITY/);
  t.is(await mbtCommand.run(args, b.io), 1);
  t.is(a.out.join(''), b.out.join(''));
});

test('mbt judges DEADLOCK as explore does: a drain that never ends is caught, written as a lasso with an empty cycle, and replays', async (t) => {
  // cram-unregister-drain-to-zero: cram_unregister_private_node waits for a refcount that only it holds.
  const dir = mkdtempSync(join(tmpdir(), 'mbt-'));
  const file = join(dir, 'deadlock.json');
  const a = io();
  const code = await mbtCommand.run(['--config', 'driver', '--fix', 'all', '--mutant', 'cram-unregister-drain-to-zero', '--seed', '1', '--runs', '300', '--out', file], a.io);
  t.is(code, 1);
  t.regex(a.out.join(''), /verdict: DEADLOCK violated: .*refcount_dec_if_one/);
  const parsed = parseTrace(readFileSync(file, 'utf8'));
  if (!parsed.ok) return t.fail(parsed.error);
  t.is(parsed.trace.property, 'DEADLOCK');
  t.is(parsed.trace.cycle, parsed.trace.steps.length, 'the run stops: nothing is enabled at the end');
  const b = io();
  t.is(await replayCommand.run([file], b.io), 0);
  t.regex(b.out.join(''), /DEADLOCK: reproduced/);
});
