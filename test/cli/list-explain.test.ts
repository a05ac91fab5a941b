// `cramcheck list` and `cramcheck explain`: catalogue listings (stable,
// deterministic, JSON too), every named config described, the design fix
// labelled, invariant docs with their sources, bad subjects and unknown ids as
// one line with exit 2, and docs/invariants.md equal to what the generator prints.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROPERTY_ORDER } from '../../properties/index.ts';
import { invariantsMarkdown, listedIds } from '../../src/cli/invariant-docs.ts';
import { firstSentence } from '../../src/cli/list-cmd.ts';
import { runCli } from '../../src/cli/main.ts';
import { CONFIG_PURPOSE } from '../../src/kernel/config-docs.ts';
import { KERNEL_CONFIG_NAMES } from '../../src/kernel/configs.ts';
import { DESIGN_FIXES, FIXES } from '../../src/kernel/fixes.ts';
import { MUTANTS } from '../../src/kernel/mutants/index.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

test('list configs: every named config, in catalogue order, with what it exists to reach and its shape', async (t) => {
  const missing = KERNEL_CONFIG_NAMES.filter((n) => CONFIG_PURPOSE[n] === undefined);
  t.deepEqual(missing, [], `configs without a purpose in src/kernel/config-docs.ts: ${missing.join(', ')}`);
  const r = await run('list', 'configs');
  t.is(r.code, 0);
  const names = r.out.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
  t.deepEqual(names, [...KERNEL_CONFIG_NAMES]);
  t.regex(r.out, /\ncanonical\s+the main job: .*\[D0\+P1 \(private\), probed at boot, 1 CPU, 1 mm; actors: kswapd, device IRQs\]/);
  t.regex(r.out, /\ndriver\s+.*actors: kswapd, device IRQs, driver thread\]/);
});

test('list fixes: every fix with the invariant it mends; design fixes labelled', async (t) => {
  const r = await run('list', 'fixes');
  t.is(r.code, 0);
  for (const f of FIXES) {
    const line = r.out.split('\n').find((l) => l.startsWith(`${f.name} `));
    t.truthy(line, f.name);
    t.true(line!.includes(`mends ${f.mends}`), f.name);
    t.is(line!.includes('[design fix]'), DESIGN_FIXES.includes(f), f.name);
  }
  t.true(DESIGN_FIXES.length > 0);
  t.is(firstSentence('Refuse file-backed folios (leave them on the list). Demoted page-cache folios, e.g. shared ones, can be written.'), 'Refuse file-backed folios (leave them on the list).');
  t.is(firstSentence('Swap, e.g. with xchg(), instead. Then more.'), 'Swap, e.g. with xchg(), instead.');
});

test('list mutants: name, expected catcher and config of each', async (t) => {
  const r = await run('list', 'mutants');
  t.is(r.code, 0);
  const rows = r.out.trimEnd().split('\n').slice(1).map((l) => l.split(/ {2,}/));
  t.deepEqual(rows, MUTANTS.map((m) => [m.name, m.catches, m.config ?? 'canonical']));
});

test('list invariants: every property id, conformance and deadlock, each with its one-line statement', async (t) => {
  const r = await run('list', 'invariants');
  t.is(r.code, 0);
  const ids = r.out.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
  t.deepEqual(ids.slice(0, PROPERTY_ORDER.length), [...PROPERTY_ORDER]);
  t.true(ids.includes('CONFORMANCE-folio') && ids.includes('DEADLOCK'));
  t.notRegex(r.out, /no description yet/);
});

test('list: deterministic, and --json carries the same items', async (t) => {
  for (const s of ['configs', 'fixes', 'mutants', 'invariants']) {
    const [a, b, j] = await Promise.all([run('list', s), run('list', s), run('list', s, '--json')]);
    t.is(a.out, b.out, s);
    t.is(j.code, 0);
    const parsed = JSON.parse(j.out) as { subject: string; generator: string; items: unknown[] };
    t.is(parsed.subject, s);
    t.regex(parsed.generator, /^cramcheck /);
    t.is(parsed.items.length, a.out.trimEnd().split('\n').length - 1, s);
  }
});

test('list and explain: bad input is one line, exit 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['list'], /list: missing subject \(one of configs, fixes, mutants, invariants\)/],
    [['list', 'bogus'], /list: unknown subject 'bogus' \(one of configs, fixes, mutants, invariants\)/],
    [['list', 'configs', 'extra'], /unexpected argument 'extra'/],
    [['list', 'configs', '--markdown'], /list: --markdown is for 'list invariants' only/],
    [['list', 'invariants', '--json', '--markdown'], /list: --json and --markdown cannot be combined/],
    [['list', 'configs', '--bogus'], /unknown option '--bogus'/],
    [['explain'], /explain: missing invariant id \(see 'cramcheck list invariants'\)/],
    [['explain', 'INV-NOPE'], /explain: unknown invariant 'INV-NOPE' \(see 'cramcheck list invariants'\)/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(...argv);
    t.is(r.code, 2, argv.join(' '));
    t.is(r.out, '', argv.join(' '));
    t.is(r.err.split('\n').filter((l) => l !== '').length, 1, argv.join(' '));
    t.regex(r.err, new RegExp(`^cramcheck: ${re.source}`), argv.join(' '));
  }
});

test('explain: statement, why, kernel sources and the cover-letter sentence; any case; conformance and deadlock too', async (t) => {
  const r = await run('explain', 'inv-ro');
  t.is(r.code, 0, r.err);
  t.regex(r.out, /^INV-RO: no present writable PTE maps/);
  t.regex(r.out, /What it says:\n {2}\S/);
  t.regex(r.out, /Why it matters:\n {2}\S/);
  t.regex(r.out, /Kernel source \(v4 patch code, https:\/\/github\.com\/katherinemohr\/ltram-linux\/tree\/bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f\):\n {2}mm\/internal\.h: folio_managed_fixup_migration_pte\n/);
  t.regex(r.out, /RFC cover letter \(https:\/\/lore\.kernel\.org\/[^)]*\):\n {2}"This MVP takes a conservative position: all compressed memory is mapped read-only\."/);
  t.regex(r.out, /Seeded bugs it catches: .*numa-fault-maps-writable/);
  t.regex(r.out, /v4 findings that break it: swapin-wrprotect/);
  t.notRegex(r.out, /SEMANTICS/);
  const design = await run('explain', 'INV-DEVICE-CAPACITY');
  t.regex(design.out, /cram-alloc-checks-device \(design fix\)/);
  for (const id of ['CONFORMANCE-folio', 'DEADLOCK', 'INV-FLUSH-BIT']) {
    const e = await run('explain', id);
    t.is(e.code, 0, id);
    t.true(e.out.startsWith(`${id}: `), id);
  }
  const j = await run('explain', 'INV-SCRUB', '--json');
  const parsed = JSON.parse(j.out) as { id: string; doc: { kernel: string[]; rfc: string } };
  t.is(parsed.id, 'INV-SCRUB');
  t.true(parsed.doc.kernel.includes('mm/cram.c: cram_free_folio_cb'));
});

test('docs/invariants.md is what `cramcheck list invariants --markdown` prints (regenerate it when this fails)', async (t) => {
  const r = await run('list', 'invariants', '--markdown');
  t.is(r.code, 0);
  t.is(r.out, invariantsMarkdown());
  t.is(readFileSync('docs/invariants.md', 'utf8'), r.out, 'docs/invariants.md is stale: npx cramcheck list invariants --markdown > docs/invariants.md');
  for (const id of listedIds()) t.true(r.out.includes(`\n## ${id}\n`), id);
});

test('explore points a newcomer at `cramcheck explain` for the invariant it found broken', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cramcheck-explain-'));
  const r = await run('explore', '--stop-at-first', '--trace-dir', dir);
  t.is(r.code, 1, r.err);
  t.regex(r.out, /\n {2}npx cramcheck explain INV-FOLIO-GET-ZERO {3}# what it says/);
});
