// Bad input, table-driven: every row gives exactly one stderr line starting
// `cramcheck: `, exit 2, nothing on stdout, no stack trace, and leaves the
// scratch directory exactly as it was (nothing half written). Rows cover
// flags, config files of wrong shape and absurd size, trace files, output
// targets and baselines. In-process through runCli (the same code main runs),
// so the table stays fast; test/cli/signals.test.ts spawns the real bin.
import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { configByName } from '../../src/kernel/configs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cramcheck-bad-'));
const scratch = join(tmp, 'scratch');
mkdirSync(scratch);

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}
const json = (name: string, v: unknown): string => file(name, JSON.stringify(v));
const canonical = configByName('canonical');
const cfgFile = (name: string, over: Record<string, unknown>): string => json(name, { ...canonical, name, ...over });

// n DRAM nodes with one block each, an n x n distance table.
function nodes(n: number): Record<string, unknown> {
  const ns = Array.from({ length: n }, () => ({ kind: 'dram', cpus: true, zones: [{ type: 'NORMAL', blocks: 1 }] }));
  return { nodes: ns, distance: ns.map((_, i) => ns.map((__, j) => (i === j ? 10 : 20))), cpus: [{ node: 0, mm: 0, program: [] }] };
}

const readOnly = file('readonly.json', '{}');
chmodSync(readOnly, 0o444);
const link = join(tmp, 'link.json');
symlinkSync(file('target.json', 'keep'), link);
const emptyDir = join(tmp, 'empty');
mkdirSync(emptyDir);
const junkDir = join(tmp, 'junk');
mkdirSync(junkDir);
writeFileSync(join(junkDir, 'x.json'), '{"not": "a trace"}');
const trace = (over: Record<string, unknown>): string =>
  json(`trace-${Object.keys(over).join('-') || 'base'}.json`, {
    format: 'cramcheck-trace', version: 1, system: 'bm1', config: 'small', params: { F: 4, D: 2, C: 2, P: 4 }, mutant: null, fixes: [],
    property: 'BM1-I1', source: 's', steps: [], expect: { verdict: 'violation', property: 'BM1-I1', step: 0 }, ...over,
  });

const X = ['explore', '--out', join(scratch, 'o.json'), '--trace-dir', scratch];
const K = (...a: string[]): string[] => ['explore', '--trace-dir', scratch, ...a];

/** [argv, what the one line must say] */
const ROWS: readonly (readonly [readonly string[], RegExp])[] = [
  // flags
  [['explore', '--frobnicate'], /unknown option '--frobnicate'/],
  [['explore', '--max-states', 'x'], /--max-states: expected a positive integer, got 'x'/],
  [['explore', '--max-states', '0'], /--max-states: expected a positive integer/],
  [['explore', '--max-depth', '-1'], /--max-depth/],
  [['explore', '--max-states'], /--max-states: missing value/],
  [['explore', '--strategy', 'astar'], /--strategy/],
  [['explore', '--system', 'vax'], /--system: expected one of kernel, bm1/],
  [['explore', '--fix', 'nope'], /--fix: unknown fix 'nope'/],
  [['explore', '--fix', 'none,all'], /'none' cannot be combined/],
  [['explore', '--mutant', 'nope'], /--mutant: unknown mutant 'nope'/],
  [['explore', '--progress', 'sometimes'], /--progress/],
  [['explore', '--store', 'lossy'], /--store/],
  [['explore', '--config', 'nosuchconfig'], /--config: unknown config 'nosuchconfig'/],
  [['explore', 'extra'], /unexpected argument 'extra'/],
  [['frob'], /unknown command 'frob'/],
  [['help', 'frob'], /help: unknown command 'frob'/],
  [['mbt', '--seed', 'abc'], /--seed: expected an integer/],
  [['mbt', '--runs', '0'], /--runs: expected a positive integer/],
  [['mbt', '--mode', 'random'], /--mode/],
  [['mbt', '--all-mutants', '--mutant', 'x'], /--mutant and --all-mutants/],
  // config files: shape
  [K('--config', join(tmp, 'missing.json')), /missing\.json: cannot read config file \(ENOENT\)/],
  [K('--config', file('notjson.json', '{ nodes: ')), /notjson\.json: not valid JSON/],
  [K('--config', cfgFile('wrongtype.json', { blockPages: 'x' })), /blockPages/],
  [K('--config', cfgFile('unknownfield.json', { frob: 1 })), /frob/],
  [K('--config', json('badextends.json', { extends: 'nosuch' })), /extends: unknown config 'nosuch'/],
  [K('--config', cfgFile('badfix.json', { fixes: ['nosuchfix'] })), /config fixes: unknown fix 'nosuchfix'/],
  [K('--config', cfgFile('badmutant.json', { mutant: 'nosuchmutant' })), /config mutant: unknown mutant 'nosuchmutant'/],
  [K('--config', cfgFile('badchoice.json', { choices: { frob: 'x' } })), /config choices: unknown choice 'frob'/],
  [K('--config', cfgFile('badtable.json', { cpus: [{ node: 0, mm: 0, program: [{ op: 'node_private_set_ops', node: 1, table: 'nosuchtable' }] }] })), /unknown ops table 'nosuchtable'/],
  [K('--config', cfgFile('badvalue.json', { cpus: [{ node: 0, mm: 0, program: [{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 99 }] }] })), /value: 99 is not a content value/],
  // config files: absurd sizes (each used to wrap, hang or crash)
  [K('--config', cfgFile('pfns.json', { blockPages: 1024, nodes: [{ kind: 'dram', cpus: true, zones: [{ type: 'NORMAL', blocks: 70 }] }, canonical.nodes[1]] })), /pfns \(blockPages x blocks\) = 72704 does not fit .*limit 65535/],
  [K('--config', cfgFile('nodes20.json', nodes(20))), /nodes = 20 does not fit .*limit 16/],
  [K('--config', cfgFile('nodes100.json', nodes(100))), /nodes = 100 does not fit/],
  [K('--config', cfgFile('cpus2000.json', { cpus: Array.from({ length: 2000 }, () => ({ node: 0, mm: 0, program: [] })) })), /state size \(words\) = \d+ does not fit/],
  [K('--config', cfgFile('swap.json', { swapSlots: 65536 })), /swapSlots = 65536 does not fit/],
  [K('--config', cfgFile('content.json', { contentValues: 65536 })), /contentValues = 65536 does not fit/],
  [K('--config', cfgFile('blocks.json', { nodes: [{ kind: 'dram', cpus: true, zones: [{ type: 'NORMAL', blocks: 100_000 }] }, canonical.nodes[1]] })), /pfns \(blockPages x blocks\) = \d+ does not fit/],
  [K('--config', cfgFile('hugeblock.json', { blockPages: 2 ** 30 })), /pfns \(blockPages x blocks\) = \d+ does not fit/],
  [K('--config', cfgFile('maxorder.json', { maxOrder: 40, blockPages: 2 ** 40 })), /maxOrder = 40 does not fit/],
  // trace files
  [['replay'], /replay/],
  [['replay', join(tmp, 'nosuch.json')], /nosuch\.json/],
  [['replay', file('t-notjson.json', 'nope')], /not JSON/],
  [['replay', trace({ format: 'other' })], /format/],
  [['replay', trace({ expect: { verdict: 'violation', property: 'BM1-I1', step: 5 } })], /beyond the last step/],
  [['replay', trace({ system: 'kernel', config: 'nosuchconfig', params: undefined })], /unknown config 'nosuchconfig'/],
  // output targets and baselines
  [[...X.slice(0, 1), '--out', ''], /--out: empty file name/],
  [['explore', '--out', `${scratch}/`], /names a directory/],
  [['explore', '--out', emptyDir], /is a directory/],
  [['explore', '--out', link], /symbolic link; refusing/],
  [['explore', '--out', '/dev/null'], /not a regular file/],
  [['explore', '--out', readOnly], /read-only; refusing/],
  [['explore', '--out', '/proc/cramcheck/x.json'], /cannot create files in/],
  [['explore', '--trace-dir', readOnly], /exists and is not a directory/],
  [['mbt', '--dir', readOnly], /exists and is not a directory/],
  [['mbt', '--all-mutants', '--out', join(scratch, 'x.json')], /with --all-mutants use --dir/],
  [['explore', '--baseline', join(tmp, 'nosuchdir')], /--baseline: cannot read directory/],
  [['explore', '--baseline', emptyDir], /--baseline: no trace files/],
  [['explore', '--baseline', junkDir], /--baseline: .*x\.json: not a cramcheck trace/],
];

test(`${ROWS.length} bad inputs: one line, exit 2, no stack trace, nothing written`, async (t) => {
  t.true(ROWS.length >= 40);
  for (const [argv, expected] of ROWS) {
    const before = readdirSync(scratch).sort();
    let out = '';
    let err = '';
    const code = await runCli(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
    const what = argv.join(' ');
    t.is(code, 2, `${what}: exit ${code}: ${err}${out.slice(0, 300)}`);
    t.is(out, '', what);
    const lines = err.split('\n').filter((l) => l !== '');
    t.is(lines.length, 1, `${what}: ${err}`);
    t.regex(lines[0] ?? '', /^cramcheck: /, what);
    t.regex(lines[0] ?? '', expected, what);
    t.notRegex(err, /\n\s+at .*:\d+:\d+/, what);
    t.deepEqual(readdirSync(scratch).sort(), before, `${what} wrote into the scratch directory`);
  }
});
