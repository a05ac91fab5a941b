// The review of v4 as a reply to the RFC would be written: for each claim of
// the cover letter, the invariants that state it, the configurations explored
// (states, exhaustive or bounded), the verdict for v4 as posted and with the
// fixes; then each finding with its trace in mail form, the v4 code and the
// fix. Pure: the CLI (src/cli/report-cmd.ts) gathers the inputs.

import { CLAIMS, type Claim } from './claims.ts';
import { proseSection, proseTitle, traceBlock, type FindingDoc } from './findings-md.ts';
import type { ConfigRun, ResultsFile } from './results.ts';

export const V4_TREE = 'katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f';

export interface ReviewInput {
  readonly findings: readonly FindingDoc[];
  /** Catalogue entries of the findings' fixes. */
  readonly fixes: readonly { readonly name: string; readonly description: string; readonly design: boolean }[];
  /** Property id -> its source (RFC / kernel / SEMANTICS). */
  readonly sources: Readonly<Record<string, string>>;
  readonly results: ResultsFile;
  /** Where the results come from, in words ('recorded in docs/exploration-results.json ...'). */
  readonly resultsOrigin: string;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function runRow(r: ConfigRun): string {
  const v = r.violations.map((x) => `${x.property} at step ${x.step}`).join('; ');
  return `| \`${r.config}\` | ${fmt(r.states)} | ${fmt(r.transitions)} | ${r.depth} | ${r.exhaustive ? 'exhaustive' : 'bounded'} | ${v === '' ? 'none' : v} |`;
}

function findingsOf(c: Claim, docs: readonly FindingDoc[]): FindingDoc[] {
  return docs.filter((d) => c.invariants.includes(d.trace.property));
}

/** Violations of the claim's invariants with every fix on, per run. */
function fixedFailures(c: Claim, runs: readonly ConfigRun[]): string[] {
  const out: string[] = [];
  for (const r of runs) for (const v of r.violations) if (c.invariants.includes(v.property)) out.push(`\`${r.config}\`: ${v.property} at step ${v.step}`);
  return out;
}

function anchor(d: FindingDoc): string {
  return `finding-${d.fix}`;
}

function claimSection(c: Claim, i: number, input: ReviewInput): string[] {
  const found = findingsOf(c, input.findings);
  const fails = fixedFailures(c, input.results.runs);
  const runs = input.results.runs;
  const exhaustive = runs.filter((r) => r.exhaustive).length;
  const out = [
    `### ${i + 1}. ${c.title}`,
    '',
    `> ${c.quote}`,
    '',
    'Invariants:',
    '',
    ...c.invariants.map((id) => `- \`${id}\` (${input.sources[id] ?? 'no source recorded'})`),
    '',
    found.length > 0
      ? `**v4 as posted: broken.** ${found.map((d) => `[${d.trace.property}: ${proseTitle(d.prose)}](#${anchor(d)})`).join('; ')}.`
      : '**v4 as posted: no violation found** in the findings runs.',
    '',
    fails.length > 0
      ? `**With every fix on: still fails** in ${fails.join('; ')}.`
      : `**With every fix on: holds** in all ${runs.length} configurations explored (${exhaustive} of them exhaustively; see the table below).`,
    '',
  ];
  return out;
}

function findingSection(d: FindingDoc, i: number, input: ReviewInput): string[] {
  const fix = input.fixes.find((f) => f.name === d.fix);
  const cfg = typeof d.trace.config === 'string' ? d.trace.config : String(d.trace.config['name'] ?? '(inline)');
  const v4 = proseSection(d.prose, /^v4 code/);
  const fixProse = proseSection(d.prose, /^Fix\b/);
  return [
    `<a id="${anchor(d)}"></a>`,
    `### F${i + 1}. ${proseTitle(d.prose)}`,
    '',
    `Invariant \`${d.trace.property}\`, config \`${cfg}\`, ${d.trace.steps.length} steps; replay: \`npx cramcheck replay counterexamples/findings/${d.fix}.json\`; full write-up: [${d.fix}.md](findings/${d.fix}.md).`,
    '',
    traceBlock(d.mail),
    '',
    '**The v4 code.**',
    '',
    v4 ?? `See [${d.fix}.md](findings/${d.fix}.md).`,
    '',
    `**The fix** (\`${d.fix}\`${fix?.design ? ', a design fix' : ''}): ${fix?.description ?? ''}`,
    '',
    ...(fixProse ? [fixProse, ''] : []),
  ];
}

export function reviewMarkdown(input: ReviewInput): string {
  const runs = input.results.runs;
  const conformance = runs.flatMap((r) => r.violations.filter((v) => v.property.startsWith('CONFORMANCE-') || v.property === 'DEADLOCK').map((v) => `\`${r.config}\`: ${v.property} at step ${v.step}`));
  const out = [
    'Subject: Re: [RFC PATCH v4 00/27] Private Memory Nodes (w/ Compressed RAM)',
    '',
    'Hi Gregory,',
    '',
    `We model-checked v4 (${V4_TREE}) with cramcheck, an explicit-state model checker.`,
    'It runs an executable model of the code v4 adds and changes (node states, `__GFP_PRIVATE`, zonelists, the',
    'buddy allocator, `node_private_ops`, the hotplug lifecycle, faults, migration, demotion and reclaim,',
    '`mm/cram.c`, the CXL compression driver and the device) in every interleaving of small configurations and',
    'checks the invariants below in every reachable state.',
    '',
    `It found ${input.findings.length} violations on v4 as posted. Each comes with a trace anyone can replay, the v4 code`,
    'responsible, and a fix that makes it go away.',
    '',
    `This review is generated by \`npx cramcheck report\` from the findings corpus (counterexamples/findings) and the exploration results ${input.resultsOrigin}.`,
    '',
    '## The claims of the cover letter',
    '',
    '| claim | invariants | v4 as posted | every fix on |',
    '|---|---|---|---|',
    ...CLAIMS.map((c) => {
      const found = findingsOf(c, input.findings);
      const fails = fixedFailures(c, runs);
      return `| ${c.title.split(':')[0]} | ${c.invariants.join(', ')} | ${found.length > 0 ? `broken (${found.length} finding${found.length === 1 ? '' : 's'})` : 'no violation found'} | ${fails.length > 0 ? `fails (${fails.length})` : 'holds'} |`;
    }),
    '',
    ...CLAIMS.flatMap((c, i) => claimSection(c, i, input)),
    '## Configurations explored, every fix on',
    '',
    `Breadth-first, every invariant and the protocol machines' conformance checked in every state, at most ${fmt(input.results.maxStates)} states each; the first violation of each property is listed (the search goes on past it).`,
    '',
    '| config | states | transitions | depth | search | violations |',
    '|---|---|---|---|---|---|',
    ...runs.map(runRow),
    '',
    'A violation with every fix on has no catalogue fix yet; each is triaged in counterexamples/findings/README.md',
    '(a second caller of the exported node_private / CRAM API on a node the CXL driver owns is an API-contract',
    'question for the RFC rather than a one-line fix). A bounded search proves nothing beyond its states.',
    '',
    '## Protocol machines',
    '',
    conformance.length > 0
      ? `With every fix on, conformance to the protocol machines (hotplug lifecycle, folio write-protect/promote, back-pressure) or deadlock freedom fails in ${conformance.join('; ')}.`
      : 'With every fix on, every explored step conforms to the protocol machines (hotplug lifecycle, folio write-protect/promote, back-pressure), and no configuration deadlocks.',
    '',
    '## Findings',
    '',
    ...input.findings.flatMap((d, i) => findingSection(d, i, input)),
    'Thanks,',
    'cramcheck',
    '',
  ];
  return out.join('\n');
}
