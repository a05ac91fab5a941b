// The findings' .md files are generated (src/report/findings-md.ts) from
// their prose and their traces: the committed ones must be exactly what the
// generator writes today, so a changed trace or model cannot leave a stale
// document behind. Regenerate with `npx cramcheck report`.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { findingMarkdownFiles, loadFindingDocs } from '../../src/cli/finding-docs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { findingMarkdown, HEADER_MARK, proseSection, proseTitle, TRACE_MARK, type FindingDoc } from '../../src/report/findings-md.ts';

const docs = loadFindingDocs();
const files = findingMarkdownFiles(docs);

test('findings .md: every committed finding document is what the generator writes (npx cramcheck report regenerates them)', (t) => {
  // A liveness finding's .md is written by hand (counterexamples/liveness/findings/), not generated.
  t.is(files.length, FIXES.filter((f) => !f.mends.startsWith('LIVE-')).length);
  for (const f of files) t.is(readFileSync(f.file, 'utf8'), f.text, `${f.file} is stale: run npx cramcheck report`);
});

test('findings .md: a document whose trace changed no longer matches (the check can fail)', (t) => {
  const d = docs.find((x) => x.fix === 'swapin-wrprotect')!;
  const changed: FindingDoc = { ...d, mail: d.mail.slice(0, -1) };
  const [fresh] = findingMarkdownFiles([changed]);
  t.not(fresh!.text, readFileSync(fresh!.file, 'utf8'));
});

test('findings .md: the header and the trace come from the corpus, the rest from the prose', (t) => {
  const d = docs.find((x) => x.fix === 'swapin-wrprotect')!;
  const md = files.find((f) => f.file.endsWith('swapin-wrprotect.md'))!.text;
  t.true(md.startsWith(`# ${proseTitle(d.prose)}\n`));
  t.regex(md, new RegExp(`\\b${d.trace.steps.length} steps`));
  t.regex(md, /every fix on except `swapin-wrprotect`\)/);
  t.true(md.includes(['```text', ...d.mail, '```'].join('\n')));
  t.false(md.includes(HEADER_MARK) || md.includes(TRACE_MARK));
  // No line of the embedded trace is wider than a mail.
  for (const l of d.mail) t.true([...l].length <= 75, l);
});

test('findings .md: a prose without its markers is refused; sections are found by heading', (t) => {
  const d = docs[0]!;
  t.throws(() => findingMarkdown({ ...d, prose: '# t\n\nno markers\n' }, [], 'x'), { message: /no <!-- cramcheck:header -->/ });
  const prose = '# T\n\n## What breaks\n\nA.\n\n## v4 code responsible (tree)\n\nB\n\n## Fix\n\nC.\n';
  t.is(proseSection(prose, /^v4 code/), 'B');
  t.is(proseSection(prose, /^Fix\b/), 'C.');
  t.is(proseSection(prose, /^Nothing/), null);
});

test('review: the committed counterexamples/review.md is what `npx cramcheck report` writes from the recorded results', async (t) => {
  let out = '';
  const dir = mkdtempSync(join(tmpdir(), 'cramcheck-review-'));
  const code = await runCli(['report', '--out', '-', '--docs-dir', dir], { out: (s) => void (out += s), err: () => undefined });
  t.is(code, 0);
  t.is(out, readFileSync(join('counterexamples', 'review.md'), 'utf8'), 'counterexamples/review.md is stale: run npx cramcheck report');
});
