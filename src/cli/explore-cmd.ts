// `cramcheck explore`: exhaustive BFS/DFS of one system; prints the summary
// and verdict (or one JSON object), renders the counterexample, and with
// --out writes the first violation as a replayable trace file.

import { explore, type ExploreResult } from '../explore/explorer.ts';
import { exploreJson, exploreText } from '../report/explore-report.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { makeTrace, serializeTrace } from '../trace/format.ts';
import { minimizeTrace } from '../trace/minimize.ts';
import { propertySource, replaySteps } from '../trace/replay.ts';
import { flag, list, oneOf, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { resolveSystem } from './systems.ts';

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
    '                  [--fix NAME|all]... [--minimize] [--no-conformance] [--json] [--out FILE]',
    'Exit 0: every invariant holds (within the bounds); 1: a violation; 2: bad input.',
    '--out FILE writes the first counterexample as a trace for `cramcheck replay`.',
    '--minimize shrinks counterexamples (shortcuts, then delta debugging); always on for dfs.',
    'Kernel transitions are also judged by the protocol machines (CONFORMANCE-<machine>); --no-conformance skips that.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      {
        ...SYSTEM_OPTIONS,
        strategy: { type: 'string' },
        'max-states': { type: 'string' },
        'max-depth': { type: 'string' },
        minimize: { type: 'boolean' },
        'no-conformance': { type: 'boolean' },
        json: { type: 'boolean' },
        out: { type: 'string' },
      },
      0,
    );
    const system = oneOf(p, 'system', ['kernel', 'bm1'] as const, 'kernel');
    const strategy = oneOf(p, 'strategy', ['bfs', 'dfs'] as const, 'bfs');
    const maxStates = positiveInt(p, 'max-states');
    const maxDepth = positiveInt(p, 'max-depth');
    const out = str(p, 'out');
    if (out === '') throw new UsageError('--out: empty file name');
    const { sys, descriptor } = resolveSystem({ system, config: str(p, 'config'), params: str(p, 'params'), mutant: str(p, 'mutant') ?? null, fixes: list(p, 'fix'), conformance: !flag(p, 'no-conformance') });

    let r: ExploreResult = explore(sys, {
      strategy,
      ...(maxStates !== undefined ? { maxStates } : {}),
      ...(maxDepth !== undefined ? { maxDepth } : {}),
    });
    // DFS finds deep counterexamples (often 10^5 steps); nobody reads those raw.
    if (flag(p, 'minimize') || strategy === 'dfs') {
      r = {
        ...r,
        violations: r.violations.map((v) => {
          const trace = minimizeTrace(sys, v.property, v.trace);
          // The message must describe the shrunk trace's final state, not the original one.
          const o = replaySteps(sys, trace.map((a) => ({ action: a, ...sys.describe(a) })), { property: v.property, step: trace.length }).outcome;
          return { ...v, trace, depth: trace.length, message: o.kind === 'reproduced' ? o.message : v.message };
        }),
      };
    }

    const first = r.violations[0];
    let written: string | undefined;
    if (first && out !== undefined) {
      const steps = first.trace.map((a) => ({ action: a, ...sys.describe(a) }));
      const trace = makeTrace(descriptor, { property: first.property, source: propertySource(sys, first.property), steps }, `found by cramcheck explore (${strategy})`);
      try {
        writeFileAtomic(out, serializeTrace(trace));
      } catch (e) {
        throw new UsageError(`--out: cannot write '${out}' (${(e as { code?: string }).code ?? 'error'})`);
      }
      written = out;
    }
    // Scope (issue 10): the instrumented kernel functions this run never executed.
    const cov = sys.coverage?.();
    if (flag(p, 'json')) io.out(`${JSON.stringify({ ...exploreJson(sys, descriptor, r, written), ...(cov ? { coverage: cov } : {}) })}\n`);
    else {
      const lines = exploreText(sys, descriptor, r, written);
      if (cov) lines.push(`kernel functions never run (${cov.never.length} of ${cov.ran.length + cov.never.length}): ${cov.never.length ? cov.never.join(', ') : 'none'}`);
      io.out(`${lines.join('\n')}\n`);
    }
    return first ? EXIT_VIOLATION : EXIT_OK;
  },
};
