// The review (src/report/review.ts): every invariant answers exactly one
// claim of the cover letter; verdicts follow the findings and the recorded
// runs; the command reads recorded results or says how to make them.
import test from 'ava';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROPERTY_ORDER } from '../../properties/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { CLAIMS } from '../../src/report/claims.ts';
import type { FindingDoc } from '../../src/report/findings-md.ts';
import { RESULTS_FORMAT, serializeResults, type ResultsFile } from '../../src/report/results.ts';
import { reviewMarkdown } from '../../src/report/review.ts';

test('claims: every invariant of properties/ belongs to exactly one claim', (t) => {
  const all = CLAIMS.flatMap((c) => c.invariants);
  t.deepEqual([...all].sort(), [...PROPERTY_ORDER].sort());
  t.is(new Set(all).size, all.length);
});

const results: ResultsFile = {
  format: RESULTS_FORMAT,
  version: 1,
  maxStates: 100,
  runs: [
    { config: 'tiny', fixes: 'all', conformance: true, states: 50, transitions: 80, depth: 9, exhaustive: true, violations: [] },
    { config: 'nomig', fixes: 'all', conformance: true, states: 100, transitions: 200, depth: 13, exhaustive: false, violations: [{ property: 'INV-BACKPRESSURE-COHERENT', step: 13 }] },
  ],
};

const finding = {
  fix: 'swapin-wrprotect',
  trace: { property: 'INV-RO', config: 'swapasync', steps: [{ action: 0, actor: 'cpu0', name: 'step' }] },
  prose: '# do_swap_page maps P writable\n\n## v4 code responsible\n\nTHE-V4-CODE\n\n## Fix\n\nTHE-FIX-PROSE\n',
  mail: ['MAIL-LINE'],
} as unknown as FindingDoc;

test('review: a claim with a finding is broken as posted; a run with every fix on that fails its invariant is reported', (t) => {
  const md = reviewMarkdown({
    findings: [finding],
    fixes: [{ name: 'swapin-wrprotect', description: 'wrprotect in do_swap_page', design: false }],
    sources: { 'INV-RO': 'SEMANTICS 9.7' },
    results,
    resultsOrigin: 'from a test',
  });
  t.regex(md, /^Subject: Re: \[RFC PATCH v4 00\/27\]/);
  t.regex(md, /\| Read-only \| INV-RO, INV-WRITE-PATH, INV-FAULT-LOCK, INV-DATA, INV-GUP-PIN-EXCL, INV-PIN-STAYS-EXCL \| broken \(1 finding\) \| holds \|/);
  t.regex(md, /\| Backpressure \| .* \| no violation found \| fails \(1\) \|/);
  t.regex(md, /\*\*With every fix on: still fails\*\* in `nomig`: INV-BACKPRESSURE-COHERENT at step 13\./);
  t.regex(md, /- `INV-RO` \(SEMANTICS 9\.7\)/);
  t.regex(md, /\| `tiny` \| 50 \| 80 \| 9 \| exhaustive \| none \|/);
  t.regex(md, /\| `nomig` \| 100 \| 200 \| 13 \| bounded \| INV-BACKPRESSURE-COHERENT at step 13 \|/);
  for (const s of ['MAIL-LINE', 'THE-V4-CODE', 'THE-FIX-PROSE', 'wrprotect in do_swap_page']) t.true(md.includes(s), s);
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

test('report command: no recorded results is bad input naming --run; recorded results give the review on stdout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cramcheck-report-'));
  const none = await cli('report', '--results', join(dir, 'none.json'), '--out', '-');
  t.is(none.code, 2);
  t.regex(none.err, /no recorded results \(run 'cramcheck report --run'/);
  t.is((await cli('report', '--max-states', '5')).code, 2);
  const file = join(dir, 'results.json');
  writeFileSync(file, serializeResults(results));
  const r = await cli('report', '--results', file, '--out', '-', '--docs-dir', dir);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /## The claims of the cover letter/);
  t.regex(r.out, /### F1\. /);
  t.true(existsSync(join(dir, 'swapin-wrprotect.md')));
});
