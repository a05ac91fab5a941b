// Verdicts that must never be wrong, in either direction (issue: trustworthy
// verdicts). Each test failed on the code before the fix: a config too large
// for the state layout gave a false DATA LOSS, a bounded run exited 0, config
// files ignored unknown names, a stopped run left no statistics.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATION } from '../../src/cli/command.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { ConfigFitError } from '../../src/kernel/fit.ts';
import { buildMachine, CHECK_WRITES, FieldOverflowError, Kernel } from '../../src/kernel/kernel.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cramcheck-verdicts-'));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

test('a config whose pfns exceed 16 bits is refused before anything runs (it used to report a false DATA LOSS)', (t) => {
  const c = configByName('canonical');
  const big = { ...c, blockPages: 1024, nodes: [{ ...c.nodes[0]!, zones: [{ type: 'NORMAL' as const, blocks: 70 }] }, c.nodes[1]!] };
  const e = t.throws(() => buildMachine(big), { instanceOf: ConfigFitError });
  t.regex(e?.message ?? '', /pfns \(blockPages x blocks\) = 72704 .*limit 65535/);
  t.notThrows(() => buildMachine(c));
});

test('every state write is checked against its field under test: a value past the maximum or an index past the field throws', (t) => {
  t.true(CHECK_WRITES, 'the ava config sets NODE_ENV=test');
  const k = Kernel.blank(buildMachine(configByName('tiny')));
  const L = k.L;
  t.throws(() => k.set(L.PG_CONTENT, 0, 65_536), { instanceOf: FieldOverflowError, message: /PG_CONTENT\[0\] = 65536: outside 0\.\.\d+/ });
  t.throws(() => k.set(L.PG_CONTENT, 0, L.PG_CONTENT.max + 1), { instanceOf: FieldOverflowError });
  t.throws(() => k.set(L.PG_CONTENT, L.PG_CONTENT.len, 0), { instanceOf: FieldOverflowError, message: /index out of range/ });
  t.throws(() => k.add(L.PG_REF, 0, -1), { instanceOf: FieldOverflowError, message: /= -1/ });
  t.throws(() => k.setBits(L.NODE_KSWAPD, 0, 4), { instanceOf: FieldOverflowError });
  k.set(L.PG_CONTENT, 0, L.PG_CONTENT.max);
  t.is(k.get(L.PG_CONTENT, 0), L.PG_CONTENT.max);
});

test('a bounded run without a violation is INCOMPLETE with exit 3, not OK: the bound hid the violation faithful canonical reaches at state 56', async (t) => {
  const r = await cli('explore', '--max-states', '50', '--trace-dir', join(tmp, 'b'));
  t.is(r.code, EXIT_INCOMPLETE, r.out);
  t.regex(r.out, /^INCOMPLETE: no violation in the 50 states explored, but the search stopped \(state bound reached\): not a proof$/m);
  t.regex(r.out, /search: INCOMPLETE after 50 states/);
  t.notRegex(r.out, /\bOK\b/);
  const d = await cli('explore', '--max-depth', '3', '--trace-dir', join(tmp, 'b'));
  t.is(d.code, EXIT_INCOMPLETE);
  t.regex(d.out, /depth bound reached/);
  // Past the bound, the violation is there.
  const v = await cli('explore', '--max-states', '2000', '--stop-at-first', '--trace-dir', join(tmp, 'b'));
  t.is(v.code, EXIT_VIOLATION);
});

test('explore goes on after a violation: one shortest trace per broken invariant, each written, then the summary; --stop-at-first stops at the first', async (t) => {
  const dir = join(tmp, 'tiny');
  const r = await cli('explore', '--config', 'tiny', '--trace-dir', dir);
  t.is(r.code, EXIT_VIOLATION, r.out);
  const broken = [...r.out.matchAll(/^ {2}(INV-[A-Z-]+|CONFORMANCE-\w+) +\d+ steps/gm)].map((m) => m[1]!);
  t.true(broken.length >= 1, r.out);
  t.deepEqual(readdirSync(dir).sort(), broken.map((p) => `${p}.json`).sort());
  t.regex(r.out, /== summary ==/);
  t.regex(r.out, /search: finished, [\d,]+ states/);
  t.regex(r.out, /verdict: v4 breaks \d+ invariant\(s\)/);
  t.regex(r.out, /next:\n {2}npx cramcheck replay /);
  for (const p of broken) t.is((await cli('replay', join(dir, `${p}.json`))).code, 0, p);
  const first = await cli('explore', '--config', 'tiny', '--stop-at-first', '--trace-dir', join(tmp, 'tiny1'));
  t.is(first.code, EXIT_VIOLATION);
  t.regex(first.out, /stopped at the first violation/);
  t.is(readdirSync(join(tmp, 'tiny1')).length, 1);
});

test('--baseline: exit 0 when every violated invariant is a known finding, 1 when one is not', async (t) => {
  const known = await cli('explore', '--config', 'tiny', '--baseline', 'counterexamples/findings', '--trace-dir', join(tmp, 'bl'));
  t.is(known.code, EXIT_OK, known.out);
  t.regex(known.out, /every violated invariant is a known finding/);
  // A baseline that knows nothing of tiny's violations: one BM1 trace.
  const dir = join(tmp, 'bm1-baseline');
  mkdirSync(dir);
  const bm1 = { format: 'cramcheck-trace', version: 1, system: 'bm1', config: 'small', mutant: null, fixes: [], property: 'BM1-I1', source: 's', steps: [], expect: { verdict: 'violation', property: 'BM1-I1', step: 0 } };
  writeFileSync(join(dir, 'bm1.json'), JSON.stringify(bm1));
  const other = await cli('explore', '--config', 'tiny', '--baseline', dir, '--trace-dir', join(tmp, 'bl2'));
  t.is(other.code, EXIT_VIOLATION, other.out);
  t.regex(other.out, /not in the baseline/);
});

test('--out on a passing run writes the statistics; an existing file keeps its mode', async (t) => {
  const out = join(tmp, 'stats.json');
  const r = await cli('explore', '--system', 'bm1', '--out', out, '--trace-dir', join(tmp, 's'));
  t.is(r.code, EXIT_OK);
  const j = JSON.parse(readFileSync(out, 'utf8')) as { complete: boolean; generator?: string };
  t.true(j.complete);
  t.regex(r.out, /--out: run statistics \(JSON\) written to/);
  t.false(existsSync(`${out}.tmp-${process.pid}`));
});

// The real bin, as a user runs it: SIGTERM mid-run -> partial statistics, exit 3.
test('SIGTERM to the bin stops the exploration cleanly: partial statistics, "interrupted", exit 3, no orphan', async (t) => {
  const child = spawn(process.execPath, ['bin/cramcheck.mjs', 'explore', '--config', 'canonical', '--fix', 'all', '--progress', 'tty', '--trace-dir', join(tmp, 'sig')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  // Wait for the first progress line: the exploration is running.
  await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.is(code, EXIT_INCOMPLETE, out);
  t.regex(out, /search: INCOMPLETE after [\d,]+ states, depth \d+: stopped by SIGTERM/);
  t.regex(out, /interrupted by a signal/);
});

// `timeout`, a terminal and a hangup signal the whole process group: the explorer
// child gets the SIGTERM as well as the bin, and must not die before printing.
test('SIGTERM to the whole process group (as timeout(1) sends it) also stops cleanly with partial statistics, exit 3', async (t) => {
  const child = spawn(process.execPath, ['bin/cramcheck.mjs', 'explore', '--config', 'canonical', '--fix', 'all', '--progress', 'tty', '--trace-dir', join(tmp, 'sig-group')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
  process.kill(-child.pid!, 'SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.is(code, EXIT_INCOMPLETE, out);
  t.regex(out, /search: INCOMPLETE after [\d,]+ states, depth \d+: stopped by SIGTERM/);
});

test('mbt writes its traces under out/mbt in the repository (or --dir), never into the directory it was started from', async (t) => {
  const cwd = process.cwd();
  const here = mkdtempSync(join(tmpdir(), 'cramcheck-cwd-'));
  process.chdir(here);
  try {
    const r = await cli('mbt', '--system', 'bm1', '--mutant', 'demote-keeps-write', '--runs', '200', '--seed', '1');
    t.is(r.code, EXIT_VIOLATION, r.out);
    t.deepEqual(readdirSync(here), [], 'nothing written into the current directory');
    const m = /trace written to (\S+)/.exec(r.out);
    t.truthy(m, r.out);
    t.true(existsSync(m![1]!));
    t.regex(m![1]!, /out\/mbt\/bm1-small-mutant-demote-keeps-write-v4-seed1\.json$/);
    const dir = join(here, 'chosen');
    const d = await cli('mbt', '--system', 'bm1', '--mutant', 'demote-keeps-write', '--runs', '200', '--seed', '1', '--dir', dir);
    t.is(d.code, EXIT_VIOLATION);
    t.deepEqual(readdirSync(dir), ['bm1-small-mutant-demote-keeps-write-v4-seed1.json']);
  } finally {
    process.chdir(cwd);
  }
});

test('--version, <command> --help, and --fix none wherever --fix is accepted', async (t) => {
  const v = await cli('--version');
  t.is(v.code, 0);
  t.regex(v.out, /^cramcheck \d+\.\d+\.\d+\n$/);
  for (const c of ['explore', 'replay', 'mutants', 'mbt', 'liveness', 'list', 'explain', 'report', 'view', 'export']) {
    const h = await cli(c, '--help');
    t.is(h.code, 0, c);
    t.regex(h.out, new RegExp(`cramcheck ${c}`), c);
  }
  const none = await cli('explore', '--config', 'tiny', '--fix', 'none', '--trace-dir', join(tmp, 'none'));
  t.is(none.code, EXIT_VIOLATION, 'faithful v4: the tiny findings');
  t.regex(none.out, /v4 as written \(no fixes\)/);
  t.is((await cli('explore', '--system', 'bm1', '--fix', 'none', '--trace-dir', join(tmp, 'none2'))).code, EXIT_OK);
  t.is((await cli('mbt', '--system', 'bm1', '--fix', 'none', '--runs', '20', '--dir', join(tmp, 'none3'))).code, EXIT_OK);
});
