// `cramcheck liveness`: build the full state graph of one system, judge its
// deadlocks (System.deadlock on every state with no enabled action) and every
// temporal property (System.liveness) under the actors' fairness, say which
// leads-to premises are never reached (vacuous), and write each violation as a
// lasso trace `cramcheck replay` re-checks. Exit 0 all hold, 1 a violation or
// deadlock, 2 bad input (including a reduction liveness is not sound with),
// 3 incomplete (bounds hit before the graph was whole, no violation found).

import { join } from 'node:path';
import { buildStateGraph, graphBytes, LivenessRefusal, type StateGraph } from '../explore/liveness-graph.ts';
import { assertLivenessSound, checkDeadlocks, checkTemporals, type DeadlockVerdict, type TemporalVerdict } from '../explore/liveness.ts';
import type { System } from '../explore/system.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { makeLassoTrace, serializeTrace, type SystemDescriptor, type TraceStep } from '../trace/format.ts';
import { DEADLOCK } from '../trace/lasso.ts';
import { renderLasso } from '../trace/render-lasso.ts';
import { describeSystem, describeVariant } from '../trace/render.ts';
import { flag, list, oneOf, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { SYSTEM_OPTIONS } from './explore-cmd.ts';
import { resolveSystem } from './systems.ts';
import { installStopPipe } from './stop.ts';
import { PROGRESS_MODES, progressSink, type ProgressSink } from '../explore/progress.ts';

/** Exit code: the graph was not complete and no violation was found. */
export const EXIT_INCOMPLETE = 3;

export interface LivenessRun {
  readonly graph: StateGraph;
  readonly deadlocks: DeadlockVerdict;
  readonly verdicts: readonly TemporalVerdict[];
}

/** Does property id match an --only selector (the id itself, or a family: `LIVE-ACCESS-COMPLETES` matches `LIVE-ACCESS-COMPLETES(cpu0,op1)`)? */
export function selected(id: string, only: readonly string[]): boolean {
  return only.length === 0 || only.some((o) => id === o || id.startsWith(`${o}(`));
}

/** The liveness run the command, the mutants command and bench share. */
export function runLiveness(
  sys: System,
  opts: { maxStates?: number; only?: readonly string[]; deadlock?: boolean; progress?: ProgressSink | null; shouldStop?: () => boolean; say?: (line: string) => void } = {},
): LivenessRun {
  const graph = buildStateGraph(sys, {
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
  });
  const temporals = (sys.liveness ?? []).filter((t) => selected(t.id, opts.only ?? []));
  // The second phase of a long run (SCCs per property) is silent otherwise.
  opts.say?.(`liveness: graph ${graph.complete ? 'complete' : `stopped (${graph.stopReason})`}, ${graph.states.toLocaleString('en-US')} states, ${graph.transitions.toLocaleString('en-US')} transitions; checking the deadlock and ${temporals.length} temporal properties\n`);
  const deadlocks = opts.deadlock === false ? { terminalStates: 0, deadlock: null } : checkDeadlocks(graph);
  const verdicts = checkTemporals(graph, temporals);
  return { graph, deadlocks, verdicts };
}

function steps(sys: System, actions: readonly number[]): TraceStep[] {
  return actions.map((a) => {
    const i = sys.describe(a);
    return { action: a, actor: i.actor, name: i.name };
  });
}

function fileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9-]+/g, '_').replace(/_+$/, '')}.json`;
}

export const livenessCommand: Command = {
  name: 'liveness',
  summary: 'check deadlocks and the temporal (liveness) properties under fairness; lasso counterexamples',
  usage: [
    'cramcheck liveness [--config NAME|FILE] [--system kernel|bm1] [--params P] [--mutant NAME] [--fix NAME|all]...',
    '                   [--only ID]... [--max-states N] [--out-dir DIR] [--render] [--json] [--progress auto|tty|lines|off]',
    'Explores the full state graph (BFS, every edge kept) and judges each temporal property under the',
    'actors\' fairness (weak for every kernel thread and CPU, strong for the threaded IRQs and for each CPU\'s',
    'retried access; an administrator\'s actions happen finitely often); reports leads-to',
    'premises never reached (vacuous) and states with no enabled action that System.deadlock calls a deadlock.',
    '--out-dir DIR writes each violation as a lasso trace DIR/<property>.json (`cramcheck replay` checks it).',
    '--only ID restricts to a property or a family (LIVE-ACCESS-COMPLETES). --symmetry/--por/--store fingerprint',
    'are refused (the graph is always exact and unreduced: tree-compressed states, packed edges).',
    '--progress: a live line on a terminal, one line a minute in a log (auto: by stderr), then a line when the',
    'properties are being checked; a signal stops the graph build (exit 3, incomplete).',
    'Exit 0: every property holds and no deadlock; 1: a violation or deadlock; 2: bad input; 3: incomplete.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      {
        ...SYSTEM_OPTIONS,
        only: { type: 'string', multiple: true },
        'max-states': { type: 'string' },
        progress: { type: 'string' },
        'out-dir': { type: 'string' },
        render: { type: 'boolean' },
        json: { type: 'boolean' },
        // Accepted only to refuse them with the reason (liveness is unsound under these reductions).
        symmetry: { type: 'boolean' },
        por: { type: 'boolean' },
        store: { type: 'string' },
      },
      0,
    );
    try {
      assertLivenessSound({ symmetry: flag(p, 'symmetry'), por: flag(p, 'por'), store: oneOf(p, 'store', ['exact', 'fingerprint'] as const, 'exact') });
    } catch (e) {
      if (e instanceof LivenessRefusal) throw new UsageError(e.message);
      throw e;
    }
    const system = oneOf(p, 'system', ['kernel', 'bm1'] as const, 'kernel');
    const maxStates = positiveInt(p, 'max-states');
    const outDir = str(p, 'out-dir');
    if (outDir === '') throw new UsageError('--out-dir: empty directory name');
    const only = list(p, 'only');
    // Transition checks (conformance) are safety: the liveness run does not need them.
    const { sys, descriptor } = resolveSystem({ system, config: str(p, 'config'), params: str(p, 'params'), mutant: str(p, 'mutant') ?? null, fixes: list(p, 'fix'), conformance: false });
    for (const o of only) if (!(sys.liveness ?? []).some((t) => selected(t.id, [o]))) throw new UsageError(`--only: no liveness property '${o}' in this system`);
    // A signal stops the graph build cleanly: the verdict says incomplete (exit 3) instead of the process dying silently.
    const stop = installStopPipe();
    stop.holdGroupSignals();
    const t0 = process.hrtime.bigint();
    let run: LivenessRun;
    try {
      const progress = progressSink({ mode: oneOf(p, 'progress', PROGRESS_MODES, 'auto') });
      run = runLiveness(sys, {
        ...(maxStates !== undefined ? { maxStates } : {}),
        only,
        progress,
        shouldStop: stop.requested,
        ...(progress ? { say: (line: string) => io.err(line) } : {}),
      });
    } catch (e) {
      if (e instanceof LivenessRefusal) throw new UsageError(e.message);
      throw e;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const files = new Map<string, string>();
    if (outDir !== undefined) {
      const pending: { id: string; file: string; text: string }[] = [];
      const d = run.deadlocks.deadlock;
      if (d) pending.push({ id: DEADLOCK, file: join(outDir, 'DEADLOCK.json'), text: serializeTrace(makeLassoTrace(descriptor, { property: DEADLOCK, source: 'System.deadlock: no action enabled, a thread has not finished', stem: steps(sys, d.stem), cycle: [] }, `deadlock found by cramcheck liveness: ${d.message}`)) });
      for (const v of run.verdicts) {
        if (!v.lasso) continue;
        pending.push({ id: v.id, file: join(outDir, fileName(v.id)), text: serializeTrace(makeLassoTrace(descriptor, { property: v.id, source: v.source, stem: steps(sys, v.lasso.stem), cycle: steps(sys, v.lasso.cycle) }, `found by cramcheck liveness: ${v.message}`)) });
      }
      for (const f of pending) {
        try {
          writeFileAtomic(f.file, f.text);
        } catch (e) {
          throw new UsageError(`--out-dir: cannot write '${f.file}' (${(e as { code?: string }).code ?? 'error'})`);
        }
        files.set(f.id, f.file);
      }
    }
    const violated = run.verdicts.some((v) => v.status === 'violated') || run.deadlocks.deadlock !== null;
    if (flag(p, 'json')) io.out(`${JSON.stringify(livenessJson(descriptor, run, files))}\n`);
    else {
      const lines = livenessText(sys, descriptor, run, files);
      if (flag(p, 'render')) {
        const d = run.deadlocks.deadlock;
        if (d) lines.push('', ...renderLasso(sys, descriptor, DEADLOCK, d.stem, d.stem.length));
        for (const v of run.verdicts) if (v.lasso) lines.push('', ...renderLasso(sys, descriptor, v.id, [...v.lasso.stem, ...v.lasso.cycle], v.lasso.stem.length));
      }
      io.out(`${lines.join('\n')}\n`);
    }
    // Wall time goes to stderr: stdout is deterministic.
    io.err(`liveness: ${run.graph.states} states, ${run.graph.transitions} transitions, ${(graphBytes(run.graph) / 2 ** 20).toFixed(0)} MiB graph, ${seconds.toFixed(1)} s\n`);
    if (violated) return EXIT_VIOLATION;
    return run.graph.complete ? EXIT_OK : EXIT_INCOMPLETE;
  },
};

function livenessJson(d: SystemDescriptor, r: LivenessRun, files: ReadonlyMap<string, string>) {
  const g = r.graph;
  return {
    system: d.system,
    config: d.config,
    mutant: d.mutant,
    fixes: d.fixes,
    states: g.states,
    transitions: g.transitions,
    complete: g.complete,
    stopReason: g.stopReason,
    fairness: g.groups.map((x) => ({ actor: x.actor, fairness: x.fairness })),
    terminalStates: r.deadlocks.terminalStates,
    deadlock: r.deadlocks.deadlock ? { ...r.deadlocks.deadlock, traceFile: files.get(DEADLOCK) ?? null } : null,
    properties: r.verdicts.map((v) => ({
      id: v.id,
      kind: v.kind,
      status: v.status,
      vacuous: v.premiseStates === 0,
      premiseStates: v.premiseStates,
      message: v.message,
      lasso: v.lasso,
      traceFile: files.get(v.id) ?? null,
    })),
  };
}

function livenessText(sys: System, d: SystemDescriptor, r: LivenessRun, files: ReadonlyMap<string, string>): string[] {
  const g = r.graph;
  const out: string[] = [];
  out.push(`cramcheck liveness: ${describeSystem(d)}, ${describeVariant(d)}`);
  out.push(`graph: ${g.states} states, ${g.transitions} transitions${g.complete ? ', complete' : `, INCOMPLETE (${g.stopReason}; ${g.expanded} states expanded)`}`);
  const weak = g.groups.filter((x) => x.fairness === 'weak').map((x) => x.actor);
  const strong = g.groups.filter((x) => x.fairness === 'strong').map((x) => x.actor);
  const finite = g.groups.filter((x) => x.fairness === 'finite').map((x) => x.actor);
  out.push(`fairness: weak ${weak.join(', ') || '-'}; strong ${strong.join(', ') || '-'}${finite.length ? `; finitely often (never on a fair cycle) ${finite.join(', ')}` : ''}`);
  const dl = r.deadlocks;
  if (!sys.deadlock) out.push(`deadlock: ${dl.terminalStates} states with no enabled action (the system does not judge them)`);
  else if (dl.deadlock) out.push(`DEADLOCK after ${dl.deadlock.stem.length} steps: ${dl.deadlock.message}${files.has(DEADLOCK) ? `  -> ${files.get(DEADLOCK)}` : ''}`);
  else out.push(`deadlock: none (${dl.terminalStates} states with no enabled action, each a legitimate end)`);
  out.push('');
  const w = Math.max(8, ...r.verdicts.map((v) => v.id.length));
  out.push(`${'property'.padEnd(w)}  ${'kind'.padEnd(17)}  ${'premise'.padStart(9)}  verdict`);
  for (const v of r.verdicts) {
    const verdict = v.status === 'violated'
      ? `VIOLATED: ${v.message}${files.has(v.id) ? `  -> ${files.get(v.id)}` : ''}`
      : v.premiseStates === 0 ? `${v.status} (VACUOUS: premise never reached)` : v.status === 'unknown' ? `unknown: ${v.message}` : 'holds';
    out.push(`${v.id.padEnd(w)}  ${v.kind.padEnd(17)}  ${String(v.premiseStates).padStart(9)}  ${verdict}`);
  }
  const n = (s: TemporalVerdict['status']) => r.verdicts.filter((v) => v.status === s).length;
  const vac = r.verdicts.filter((v) => v.premiseStates === 0).length;
  out.push('');
  out.push(`${n('holds')} hold (${vac} vacuous), ${n('violated')} violated, ${n('unknown')} unknown; deadlock ${dl.deadlock ? 'FOUND' : 'none'}`);
  return out;
}
