// `cramcheck explore`: exhaustive BFS/DFS of one system. By default it goes on
// after a violation (TLC's -continue) and keeps the shortest trace of each
// distinct property broken, writes each as a replayable trace file, and ends
// with a summary a newcomer can act on. Exit codes (command.ts): 0 complete and
// every property holds; 1 a violation (with --baseline: one the baseline does
// not know); 3 incomplete (a bound, memory or a signal stopped it) without a
// violation; 2 bad input, found before anything runs.

import { explore, type ExploreResult } from '../explore/explorer.ts';
import { exploreJson, exploreText } from '../report/explore-report.ts';
import { makeTrace, serializeTrace, type SystemDescriptor } from '../trace/format.ts';
import { minimizeTrace } from '../trace/minimize.ts';
import { propertySource, replaySteps } from '../trace/replay.ts';
import type { System } from '../explore/system.ts';
import { flag, list, oneOf, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { loadBaseline, newViolations, type Baseline } from './baseline.ts';
import { EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { ENGINE_OPTIONS, ENGINE_USAGE, engineOptions } from './engine-options.ts';
import { exploreSummary, type WrittenTrace } from './explore-summary.ts';
import { checkOutDir, checkOutFile, writeOut, type OutTarget } from './out-path.ts';
import { defaultTraceDir } from './paths.ts';
import { installStopPipe } from './stop.ts';
import { kernelCatalog } from './kernel-systems.ts';
import { MAIL_WIDTH, wrapParagraph } from '../trace/mail/layout.ts';
import { mailLines } from './narrators.ts';
import { resolveSystem } from './systems.ts';
import { join } from 'node:path';
import { GENERATOR } from '../version.ts';

/** Flags shared by commands that select a system. */
export const SYSTEM_OPTIONS = {
  system: { type: 'string' },
  config: { type: 'string' },
  params: { type: 'string' },
  mutant: { type: 'string' },
  fix: { type: 'string', multiple: true },
} as const;

export const exploreCommand: Command = {
  name: 'explore',
  summary: 'explore every reachable state and check every invariant',
  usage: [
    'cramcheck explore [--config NAME|FILE] [--system kernel|bm1] [--params F=6,D=3,C=3,P=8]',
    '                  [--strategy bfs|dfs] [--max-states N] [--max-depth N] [--mutant NAME]',
    '                  [--fix NAME|all|none]... [--stop-at-first] [--baseline DIR] [--trace-dir DIR]',
    '                  [--minimize] [--no-conformance] [--json] [--out FILE|-]',
    'Goes on after a violation and keeps the shortest trace of each property broken (--stop-at-first: stop at the first).',
    'Exit 0: complete, every property holds; 1: a violation (with --baseline: one the baseline does not know);',
    '     2: bad input; 3: incomplete (bound, memory or signal) without a violation.',
    '--trace-dir DIR: where the counterexample traces go (default out/traces/<config>/ in the repository).',
    '--out FILE|-: the first counterexample as a trace, or on a passing run the statistics as JSON.',
    '--baseline DIR: exit 0 when every violated property is broken by some trace in DIR (e.g. counterexamples/findings).',
    '--minimize shrinks counterexamples (shortcuts, then delta debugging); always on for dfs.',
    'Kernel transitions are also judged by the protocol machines (CONFORMANCE-<machine>); --no-conformance skips that.',
    ...ENGINE_USAGE,
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      {
        ...SYSTEM_OPTIONS,
        ...ENGINE_OPTIONS,
        strategy: { type: 'string' },
        'max-states': { type: 'string' },
        'max-depth': { type: 'string' },
        'stop-at-first': { type: 'boolean' },
        baseline: { type: 'string' },
        'trace-dir': { type: 'string' },
        minimize: { type: 'boolean' },
        'no-conformance': { type: 'boolean' },
        json: { type: 'boolean' },
        out: { type: 'string' },
      },
      0,
    );
    // Every input is checked before the run: a bad path must not throw away a long verdict.
    const system = oneOf(p, 'system', ['kernel', 'bm1'] as const, 'kernel');
    const strategy = oneOf(p, 'strategy', ['bfs', 'dfs'] as const, 'bfs');
    const maxStates = positiveInt(p, 'max-states');
    const maxDepth = positiveInt(p, 'max-depth');
    const outArg = str(p, 'out');
    const out: OutTarget | null = outArg === undefined ? null : checkOutFile('--out', outArg);
    const json = flag(p, 'json');
    const baselineArg = str(p, 'baseline');
    const baseline: Baseline | null = baselineArg === undefined ? null : loadBaseline(baselineArg);
    const request = { system, config: str(p, 'config'), params: str(p, 'params'), mutant: str(p, 'mutant') ?? null, fixes: list(p, 'fix'), conformance: !flag(p, 'no-conformance') };
    const { sys, descriptor } = resolveSystem(request);
    const traceDirArg = str(p, 'trace-dir');
    const traceDir = checkOutDir('--trace-dir', traceDirArg ?? defaultTraceDir('explore', descriptor));
    const engine = engineOptions(p, request);
    refuseReductions(sys, descriptor, engine);
    const stop = installStopPipe();
    stop.holdGroupSignals();

    let r: ExploreResult = explore(sys, {
      ...engine,
      strategy,
      stopAtFirstViolation: flag(p, 'stop-at-first'),
      shouldStop: stop.requested,
      ...(maxStates !== undefined ? { maxStates } : {}),
      ...(maxDepth !== undefined ? { maxDepth } : {}),
    });
    // DFS finds deep counterexamples (often 10^5 steps); nobody reads those raw.
    if (flag(p, 'minimize') || strategy === 'dfs') r = minimized(sys, r);

    const written: WrittenTrace[] = r.violations.map((v) => {
      const path = join(traceDir, `${v.property}.json`);
      writeOut(checkOutFile('--trace-dir', path), serializeTrace(traceOf(sys, descriptor, v, strategy)), io.out);
      return { property: v.property, path, steps: v.trace.length };
    });
    const first = r.violations[0];
    if (out !== null) {
      const text = first ? serializeTrace(traceOf(sys, descriptor, first, strategy)) : `${JSON.stringify(exploreJson(sys, descriptor, r))}\n`;
      writeOut(out, text, io.out);
    }
    const unknown = baseline ? newViolations(baseline, r.violations.map((v) => v.property)) : null;
    // Finished: nothing left unexplored (no bound, no signal, no stop at the first violation).
    const finished = r.exhausted === undefined && (r.violations.length === 0 || !flag(p, 'stop-at-first'));
    const code = first && (unknown === null || unknown.length > 0) ? EXIT_VIOLATION : finished ? EXIT_OK : EXIT_INCOMPLETE;
    const stoppedBy = stop.reason();
    // With --out - the standard output carries the file; the report goes to stderr.
    const say = out?.kind === 'stdout' ? io.err : io.out;
    // Scope (issue 10): the instrumented kernel functions this run never executed.
    const cov = sys.coverage?.();
    if (json) {
      say(`${JSON.stringify({ ...exploreJson(sys, descriptor, r, written[0]?.path), ...(cov ? { coverage: cov } : {}), traces: written, ...(baseline ? { baseline: baseline.dir, newViolations: unknown } : {}), exitCode: code, generator: GENERATOR })}\n`);
    } else {
      const lines = [
        // The shortest counterexample as a review mail shows it; the others are in their trace files.
        ...exploreText(sys, descriptor, r, undefined, { render: (prop, t) => mailLines(sys, descriptor, prop, t), renderFirst: 1 }),
        // Wrapped: the list runs to dozens of names.
        ...(cov ? wrapParagraph(`kernel functions never run (${cov.never.length} of ${cov.ran.length + cov.never.length}): ${cov.never.length ? cov.never.join(', ') : 'none'}`, MAIL_WIDTH) : []),
        '',
        ...exploreSummary({ sys, d: descriptor, r, finished, written, baseline, unknown, stoppedBy, outPath: out?.kind === 'file' ? out.path : out ? '-' : null }, system === 'kernel' ? kernelCatalog().fixes.length : null),
      ];
      say(`${lines.join('\n')}\n`);
    }
    return code;
  },
};

/** --symmetry on a system without interchangeable actors, --por on one without instrumentation: one line, exit 2. */
export function refuseReductions(sys: System, d: SystemDescriptor, o: { readonly symmetry?: boolean; readonly por?: boolean }): void {
  const name = typeof d.config === 'string' ? d.config : 'this configuration';
  if (o.symmetry && !sys.symmetry) {
    throw new UsageError(`--symmetry: ${name} has no interchangeable actors (${sys.noSymmetry ?? 'the model declares none'})`);
  }
  if (o.por && !sys.instrument) throw new UsageError(`--por: ${name} has no access instrumentation (kernel configs only)`);
}

function traceOf(sys: System, d: SystemDescriptor, v: ExploreResult['violations'][number], strategy: string) {
  const steps = v.trace.map((a) => ({ action: a, ...sys.describe(a) }));
  return makeTrace(d, { property: v.property, source: propertySource(sys, v.property), steps }, `found by cramcheck explore (${strategy})`);
}

function minimized(sys: System, r: ExploreResult): ExploreResult {
  return {
    ...r,
    violations: r.violations.map((v) => {
      const trace = minimizeTrace(sys, v.property, v.trace);
      // The message must describe the shrunk trace's final state, not the original one.
      const o = replaySteps(sys, trace.map((a) => ({ action: a, ...sys.describe(a) })), { property: v.property, step: trace.length }).outcome;
      return { ...v, trace, depth: trace.length, message: o.kind === 'reproduced' ? o.message : v.message };
    }),
  };
}
