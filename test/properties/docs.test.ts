// properties/docs.ts against what the kernel System reports: every property
// id a run can name (state invariants, CONFORMANCE-<machine>, DEADLOCK) has a
// statement, a reason and sources a reader can follow; every RFC quote is a
// verbatim sentence of the cover letter; every kernel citation is `file: function`.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { ConformanceChecker } from '../../models/conformance.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { PROPERTY_DOCS, undocumented } from '../../properties/docs.ts';
import { PROPERTY_ORDER } from '../../properties/index.ts';
import { configByName } from '../../src/kernel/configs.ts';

/** Every id a kernel run on `canonical` can report. */
function reportedIds(): string[] {
  const sys = kernelSystem(configByName('canonical'));
  const machines = new ConformanceChecker(sys.machine).machines.map((mc) => `CONFORMANCE-${mc.rel.spec.name}`);
  return [...new Set([...PROPERTY_ORDER, ...sys.properties.map((p) => p.id), ...machines, 'DEADLOCK'])];
}

/** The failure message names exactly the ids that lack docs. */
function missingDocsMessage(ids: readonly string[]): string {
  const missing = undocumented(ids);
  return missing.length === 0 ? '' : `ids without an entry in properties/docs.ts (add statement, why, kernel, rfc): ${missing.join(', ')}`;
}

test('every property id the kernel System reports has an entry in properties/docs.ts', (t) => {
  t.is(missingDocsMessage(reportedIds()), '');
});

test('the check names the ids that lack docs (a new invariant without docs fails)', (t) => {
  t.is(missingDocsMessage(['INV-RO', 'INV-NEW-ONE', 'INV-OTHER-NEW']), 'ids without an entry in properties/docs.ts (add statement, why, kernel, rfc): INV-NEW-ONE, INV-OTHER-NEW');
});

test('no stale entries: every documented id is one a kernel run reports', (t) => {
  const ids = new Set(reportedIds());
  const stale = Object.keys(PROPERTY_DOCS).filter((id) => !ids.has(id));
  t.deepEqual(stale, [], `entries for ids no run reports: ${stale.join(', ')}`);
});

const COVER_LETTER = readFileSync('docs/rfc-v4-cover-letter.txt', 'utf8').replace(/\s+/g, ' ');

for (const [id, d] of Object.entries(PROPERTY_DOCS)) {
  test(`${id}: one-line summary, statement, reason, kernel citations as file: function, RFC quote verbatim`, (t) => {
    t.true(d.summary.length > 10 && !d.summary.includes('\n'), 'summary');
    t.true(d.statement.length > 40, 'statement');
    t.true(d.why.length > 20, 'why');
    t.true(d.kernel.length > 0, 'at least one kernel citation');
    for (const k of d.kernel) t.regex(k, /^(mm|drivers|include|kernel)\/[\w./-]+\.[ch]: \w+/, `kernel citation '${k}'`);
    if (d.rfc !== null) t.true(COVER_LETTER.includes(d.rfc), `rfc quote is not in the cover letter: ${d.rfc}`);
    for (const text of [d.summary, d.statement, d.why, ...d.kernel]) t.notRegex(text, /SEMANTICS|§/, 'cites a document that is not in the repository');
  });
}
