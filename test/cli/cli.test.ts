// The CLI as a user runs it (a child process): exit codes 0/1/2, exactly one
// stderr line on bad input, byte-identical output but for timing, traces that
// replay, tampered traces that diverge, and atomic --out files.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, CI: '1' } }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'cramcheck-cli-'));

/** Bad input: exit 2, one line `cramcheck: ...` on stderr, nothing on stdout. */
async function badInput(t: import('ava').ExecutionContext, args: string[], expected: RegExp): Promise<void> {
  const r = await cli(...args);
  t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  t.is(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0]!, /^cramcheck: /);
  t.regex(lines[0]!, expected);
  t.notRegex(r.stderr, /\n\s+at .*:[0-9]+:[0-9]+/); // no stack trace
}

test('bad flags: unknown option, bad number, bad enum, unknown mutant/fix/command -> one line, exit 2', async (t) => {
  // Independent child processes: run them side by side.
  await Promise.all([
    badInput(t, ['explore', '--system', 'bm1', '--frobnicate'], /unknown option '--frobnicate'/),
    badInput(t, ['explore', '--system', 'bm1', '--max-states', 'x'], /^cramcheck: --max-states: expected a positive integer, got 'x'$/),
    badInput(t, ['explore', '--system', 'bm1', '--max-depth', '0'], /--max-depth: expected a positive integer, got '0'/),
    badInput(t, ['explore', '--system', 'bm1', '--max-states'], /--max-states: missing value/),
    badInput(t, ['explore', '--system', 'vax'], /--system: expected one of kernel, bm1, got 'vax'/),
    badInput(t, ['explore', '--system', 'bm1', '--strategy', 'astar'], /--strategy/),
    badInput(t, ['explore', '--system', 'bm1', '--mutant', 'nope'], /--mutant: unknown bm1 mutant 'nope'/),
    badInput(t, ['explore', '--system', 'bm1', '--fix', 'nope'], /--fix: unknown fix 'nope'/),
    badInput(t, ['explore', '--system', 'bm1', '--params', 'F=4,D=2'], /--params: .*missing C, P/),
    badInput(t, ['explore', 'extra'], /unexpected argument 'extra'/),
    badInput(t, ['frob'], /unknown command 'frob'/),
  ]);
});

test('bad config file: unreadable, not JSON, invalid field -> one line naming it, exit 2', async (t) => {
  await badInput(t, ['explore', '--config', join(tmp, 'missing.json')], /missing\.json: cannot read config file \(ENOENT\)/);
  const notJson = join(tmp, 'bad.json');
  writeFileSync(notJson, '{ nodes: ');
  await badInput(t, ['explore', '--config', notJson], /bad\.json: not valid JSON/);
  const badField = join(tmp, 'field.json');
  writeFileSync(badField, JSON.stringify({ name: 'x', nodes: [{ kind: 'weird', cpus: true, zones: [] }] }));
  await badInput(t, ['explore', '--config', badField], /field\.json: nodes\[0\]\.kind: /);
  await badInput(t, ['explore', '--config', 'no-such-config'], /--config: unknown config 'no-such-config'/);
});

test('corrupt trace: unreadable, not JSON, bad field -> one line, exit 2', async (t) => {
  await badInput(t, ['replay', join(tmp, 'nope.json')], /cannot read trace \(ENOENT\)/);
  const notJson = join(tmp, 'trace-bad.json');
  writeFileSync(notJson, '[1,2');
  await badInput(t, ['replay', notJson], /invalid trace: not JSON/);
  const bad = join(tmp, 'trace-field.json');
  writeFileSync(bad, JSON.stringify({ format: 'cramcheck-trace', version: 1, system: 'bm1', config: 'small', mutant: null, fixes: [], property: 'BM1-I1', source: '', steps: [{ action: -1, actor: 'a', name: 'b' }], expect: { verdict: 'violation', property: 'BM1-I1', step: 1 } }));
  await badInput(t, ['replay', bad], /invalid trace: steps\[0\]\.action: /);
  await badInput(t, ['replay'], /replay: missing TRACE file/);
  const badMutant = join(tmp, 'trace-mutant.json');
  writeFileSync(badMutant, JSON.stringify({ format: 'cramcheck-trace', version: 1, system: 'bm1', config: 'small', mutant: 'bogus', fixes: [], property: 'BM1-I1', source: '', steps: [], expect: { verdict: 'violation', property: 'BM1-I1', step: 0 } }));
  await badInput(t, ['replay', badMutant], /trace-mutant\.json: invalid trace: mutant: unknown bm1 mutant 'bogus'/);
});

test('determinism: two runs print the same bytes except timing (json and text)', async (t) => {
  const a = await cli('explore', '--system', 'bm1', '--params', 'small', '--json');
  const b = await cli('explore', '--system', 'bm1', '--params', 'small', '--json');
  t.is(a.code, 0);
  t.is(a.stderr, '');
  const ja = JSON.parse(a.stdout) as Record<string, unknown>;
  const jb = JSON.parse(b.stdout) as Record<string, unknown>;
  t.is(ja['states'], 32788); // BM1.md: small has 32,788 states, BFS depth 24
  t.is(ja['depth'], 24);
  t.is(ja['complete'], true);
  t.deepEqual(ja['violations'], []);
  t.truthy(ja['timing']);
  delete ja['timing'];
  delete jb['timing'];
  t.deepEqual(ja, jb);
  const strip = (s: string): string => s.replace(/^time .*$/m, '');
  const x = await cli('explore', '--system', 'bm1', '--mutant', 'promote-keeps-charge');
  const y = await cli('explore', '--system', 'bm1', '--mutant', 'promote-keeps-charge');
  t.is(x.code, 1);
  t.is(strip(x.stdout), strip(y.stdout));
  t.regex(x.stdout, /^BM1-I3 fails after step 4:$/m);
});

test('a bm1 mutant violation written with --out replays (exit 0); a tampered copy diverges (exit 1)', async (t) => {
  const out = join(tmp, 'sub', 'keeps-write.json');
  const r = await cli('explore', '--system', 'bm1', '--mutant', 'demote-keeps-write', '--out', out);
  t.is(r.code, 1);
  t.regex(r.stdout, /VIOLATION: BM1-I1 at step 3/);
  t.true(existsSync(out));
  const ok = await cli('replay', out);
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /reproduced: BM1-I1 first fails at step 3/);

  const tr = JSON.parse(readFileSync(out, 'utf8')) as { steps: { action: number; actor: string; name: string }[]; mutant: string | null };
  // Drop the Online step: the Demote is then not enabled.
  const dropped = { ...tr, steps: tr.steps.filter((s) => s.name !== 'Online') };
  const f1 = join(tmp, 'dropped.json');
  writeFileSync(f1, JSON.stringify({ ...dropped, expect: { verdict: 'violation', property: 'BM1-I1', step: dropped.steps.length } }));
  const d1 = await cli('replay', f1);
  t.is(d1.code, 1);
  t.regex(d1.stdout, /diverged at step 2: action [0-9]+ not enabled/);
  // Same steps on the faithful model: the property never fails.
  const f2 = join(tmp, 'faithful.json');
  writeFileSync(f2, JSON.stringify({ ...tr, mutant: null }));
  const d2 = await cli('replay', f2);
  t.is(d2.code, 1);
  t.regex(d2.stdout, /diverged at step 3: BM1-I1 holds/);
  // A step whose name no longer matches its action index.
  const f3 = join(tmp, 'renamed.json');
  writeFileSync(f3, JSON.stringify({ ...tr, steps: tr.steps.map((s, i) => (i === 0 ? { ...s, name: 'Alloc(f9)' } : s)) }));
  const d3 = await cli('replay', f3, '--json');
  t.is(d3.code, 1);
  t.is((JSON.parse(d3.stdout) as { outcome: { kind: string } }).outcome.kind, 'mismatch');
});

test('--out gets the statistics when nothing is violated, and nothing when the input is bad', async (t) => {
  const out = join(tmp, 'none.json');
  const r = await cli('explore', '--system', 'bm1', '--out', out);
  t.is(r.code, 0);
  const stats = JSON.parse(readFileSync(out, 'utf8')) as { states: number; complete: boolean; violations: unknown[] };
  t.true(stats.complete);
  t.is(stats.violations.length, 0);
  t.true(stats.states > 0);
  rmSync(out);
  const bad = await cli('explore', '--system', 'bm1', '--mutant', 'demote-keeps-write', '--max-states', 'q', '--out', out);
  t.is(bad.code, 2);
  t.false(existsSync(out));
});

test('mutants --system bm1: every mutant caught by its invariant, one trace each; bounded too tightly -> exit 1', async (t) => {
  const dir = join(tmp, 'mut');
  const r = await cli('mutants', '--system', 'bm1', '--out-dir', dir);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /demote-keeps-write +caught by BM1-I1 at step 3 \(expected\)/);
  t.regex(r.stdout, /5\/5 mutants caught/);
  t.deepEqual(readdirSync(dir).sort(), ['alloc-ignores-capacity.json', 'demote-ignores-budget.json', 'demote-keeps-write.json', 'offline-ignores-cram.json', 'promote-keeps-charge.json']);
  for (const f of readdirSync(dir)) t.is((await cli('replay', join(dir, f))).code, 0, f);
  const tight = await cli('mutants', '--system', 'bm1', '--max-depth', '2', '--out-dir', join(tmp, 'mut2'), '--json');
  t.is(tight.code, 1);
  const j = JSON.parse(tight.stdout) as { escaped: string[]; invariantsCatchingNone: string[] };
  t.true(j.escaped.length > 0);
  t.true(j.invariantsCatchingNone.length > 0);
});

test('help: lists commands, exit 0; help for a command shows its usage', async (t) => {
  const r = await cli('help');
  t.is(r.code, 0);
  t.regex(r.stdout, /explore/);
  t.regex(r.stdout, /replay/);
  t.regex(r.stdout, /mutants/);
  const e = await cli('help', 'explore');
  t.is(e.code, 0);
  t.regex(e.stdout, /--max-states N/);
});

test('dfs: the deep counterexample is minimized, and the written trace replays', async (t) => {
  const out = join(tmp, 'dfs.json');
  const r = await cli('explore', '--system', 'bm1', '--params', 'medium', '--strategy', 'dfs', '--mutant', 'demote-ignores-budget', '--stop-at-first', '--out', out);
  t.is(r.code, 1, r.stderr);
  const steps = r.stdout.split('\n').filter((l) => /^ +[0-9]+ {2}/.test(l));
  t.true(steps.length > 0 && steps.length < 20, `${steps.length} steps`);
  t.is((await cli('replay', out)).code, 0);
});
