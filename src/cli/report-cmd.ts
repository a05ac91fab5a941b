// `cramcheck report`: the review of v4 as a reply to the RFC
// (src/report/review.ts), regenerated from the findings corpus and the
// recorded exploration results; it also rewrites every finding's .md from its
// prose and its trace, so the corpus's documents are never stale.
// `--run` explores the configurations now (every fix on, bounded) and records
// the results first.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { explore } from '../explore/explorer.ts';
import { KERNEL_CONFIG_NAMES } from '../kernel/configs.ts';
import { DESIGN_FIXES, FIXES } from '../kernel/fixes.ts';
import { reviewMarkdown } from '../report/review.ts';
import { RESULTS_FORMAT, ResultsFileSchema, serializeResults, type ConfigRun, type ResultsFile } from '../report/results.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { firstIssue } from '../trace/format.ts';
import { flag, list, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { FINDINGS_DIR, findingMarkdownFiles, loadFindingDocs } from './finding-docs.ts';
import { resolveSystem } from './systems.ts';

// Not under counterexamples/: every .json there is a trace the corpus test replays.
const DEFAULT_RESULTS = join('docs', 'exploration-results.json');
const DEFAULT_OUT = join('counterexamples', 'review.md');
const DEFAULT_MAX_STATES = 500_000;
/** `large` exists for MBT: no bound a report can afford explores a meaningful part of it. */
const DEFAULT_CONFIGS = KERNEL_CONFIG_NAMES.filter((c) => c !== 'large');

function write(file: string, text: string, what: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw new UsageError(`${what}: cannot write '${file}' (${(e as { code?: string }).code ?? 'error'})`);
  }
}

function runConfig(config: string, maxStates: number): ConfigRun {
  const { sys } = resolveSystem({ system: 'kernel', config, mutant: null, fixes: ['all'] });
  const r = explore(sys, { strategy: 'bfs', maxStates, tty: false, stopAtFirstViolation: false });
  return {
    config,
    fixes: 'all',
    conformance: true,
    states: r.states,
    transitions: r.transitions,
    depth: r.depth,
    exhaustive: r.exhausted === undefined && r.explored === r.states,
    violations: r.violations.map((v) => ({ property: v.property, step: v.depth })),
  };
}

function readResults(file: string): ResultsFile {
  if (!existsSync(file)) throw new UsageError(`${file}: no recorded results (run 'cramcheck report --run' to explore the configurations and record them)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = ResultsFileSchema.safeParse(raw);
  if (!r.success) throw new UsageError(`${file}: invalid results: ${firstIssue(r.error)}`);
  return r.data;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'write the review of v4 (claims, invariants, configs explored, verdicts, findings) and regenerate the findings .md',
  usage: [
    'cramcheck report [--out FILE|-] [--docs-dir DIR] [--results FILE] [--run [--max-states N] [--config NAME]...]',
    `Writes the review to FILE (default ${DEFAULT_OUT}; - for stdout) and DIR/<fix>.md (default ${FINDINGS_DIR}) from <fix>.prose.md.`,
    `The configurations explored are read from --results (default ${DEFAULT_RESULTS}); with --run they are explored now`,
    `(BFS, every fix on, with conformance, at most N states each, default ${DEFAULT_MAX_STATES}; default configs: all but large)`,
    'and recorded there first.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      { out: { type: 'string' }, 'docs-dir': { type: 'string' }, results: { type: 'string' }, run: { type: 'boolean' }, 'max-states': { type: 'string' }, config: { type: 'string', multiple: true } },
      0,
    );
    const out = str(p, 'out') ?? DEFAULT_OUT;
    const resultsFile = str(p, 'results') ?? DEFAULT_RESULTS;
    const run = flag(p, 'run');
    const configs = list(p, 'config');
    const maxStates = positiveInt(p, 'max-states') ?? DEFAULT_MAX_STATES;
    if (!run && (configs.length > 0 || positiveInt(p, 'max-states') !== undefined)) throw new UsageError('--config and --max-states: only with --run');
    for (const c of configs) if (!(KERNEL_CONFIG_NAMES as readonly string[]).includes(c)) throw new UsageError(`--config: unknown config '${c}' (known: ${KERNEL_CONFIG_NAMES.join(', ')})`);

    let results: ResultsFile;
    let origin: string;
    if (run) {
      const chosen = configs.length > 0 ? configs : DEFAULT_CONFIGS;
      results = { format: RESULTS_FORMAT, version: 1, maxStates, runs: chosen.map((c) => runConfig(c, maxStates)) };
      write(resultsFile, serializeResults(results), '--results');
      origin = `explored by this run (every fix on, at most ${maxStates.toLocaleString('en-US')} states per configuration) and recorded in ${resultsFile}`;
    } else {
      results = readResults(resultsFile);
      origin = `recorded in ${resultsFile} by \`cramcheck report --run\` (every fix on, at most ${results.maxStates.toLocaleString('en-US')} states per configuration)`;
    }

    const docs = loadFindingDocs();
    const docsDir = str(p, 'docs-dir') ?? FINDINGS_DIR;
    for (const w of findingMarkdownFiles(docs)) write(join(docsDir, basename(w.file)), w.text, '--docs-dir');
    const { sys } = resolveSystem({ system: 'kernel', config: 'tiny', mutant: null, fixes: [], conformance: false });
    const sources = Object.fromEntries(sys.properties.map((q) => [q.id, q.source]));
    const fixes = FIXES.map((f) => ({ name: f.name, description: f.description, design: DESIGN_FIXES.includes(f) }));
    const text = reviewMarkdown({ findings: docs, fixes, sources, results, resultsOrigin: origin });
    if (out === '-') io.out(text);
    else {
      write(out, text, '--out');
      io.out(`cramcheck report: ${out} (${docs.length} findings, ${results.runs.length} configurations), ${docs.length} finding .md files regenerated\n`);
    }
    return EXIT_OK;
  },
};
