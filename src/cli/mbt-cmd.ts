// `cramcheck mbt`: model-based testing with fast-check over the same actions
// the explorer takes, judged by the invariants and the protocol machines, on
// configurations too large to exhaust. Deterministic for a seed. A failure
// prints the seed, fast-check's replay path and the shrunk trace, and writes
// the trace (same versioned format as `explore --out`) for `cramcheck replay`.
// --all-mutants runs every mutant of the catalogue and prints, per mutant, the
// MBT shrunk length beside the explorer's BFS shortest length, and replays
// each written trace as `cramcheck replay` does (a trace that does not replay
// counts as a miss). Like `cramcheck mutants`, kernel mutants run with every
// fix on unless --fix is given (--fix none: the faithful v4 model): the
// catalogue's mutants are seeded into the fixed model, and some (the
// back-pressure ones) are unreachable past v4's own findings.

import { explore } from '../explore/explorer.ts';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { checkOutDir, checkOutFile, writeOut, type OutTarget } from './out-path.ts';
import { REPO_ROOT, runSlug } from './paths.ts';
import { makeLassoTrace, makeTrace, parseTrace, serializeTrace, type SystemDescriptor } from '../trace/format.ts';
import { DEADLOCK, replayLasso } from '../trace/lasso.ts';
import { renderCounterexample } from '../trace/render.ts';
import { renderLasso } from '../trace/render-lasso.ts';
import { describeOutcome, isReproduced, propertySource, replaySteps } from '../trace/replay.ts';
import type { System } from '../explore/system.ts';
import { ConformanceChecker } from '../../models/conformance.ts';
import { MBT_MODES, runMbt, type MbtMode, type MbtResult } from '../mbt/engine.ts';
import { readFileSync } from 'node:fs';
import { abstractionsFor } from '../mbt/machines.ts';
import { flag, list, oneOf, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { SYSTEM_OPTIONS } from './explore-cmd.ts';
import { mutantCatalogue, mutantFixes, resolveSystem, resolveTraceSystem } from './systems.ts';
import { kernelCatalog } from './kernel-systems.ts';

interface MbtRun {
  readonly sys: System;
  readonly d: SystemDescriptor;
  readonly r: MbtResult;
  readonly traceFile: string | null;
}

// The slug names config, mutant and fix count, so runs with and without fixes
// do not overwrite each other's trace.
function defaultTraceFile(dir: string, d: SystemDescriptor, seed: number): string {
  return join(dir, `${runSlug(d)}-seed${seed}.json`);
}

interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  readonly maxCommands: number;
  readonly mode: MbtMode;
  readonly maxBurst: number;
  readonly machines: boolean;
  readonly path?: string;
  readonly replayPath?: string;
  readonly property?: string;
}

/** Re-read a written trace and replay it exactly as `cramcheck replay FILE` does. */
export function replayTraceFile(file: string): { ok: boolean; message: string } {
  const parsed = parseTrace(readFileSync(file, 'utf8'));
  if (!parsed.ok) return { ok: false, message: `invalid trace: ${parsed.error}` };
  const { sys } = resolveTraceSystem(parsed.trace);
  if (parsed.trace.cycle !== undefined) {
    // A deadlock is a lasso whose cycle is empty: replay checks nothing is enabled at the end.
    const o = replayLasso(sys, parsed.trace.property, parsed.trace.steps, parsed.trace.cycle);
    return { ok: o.kind === 'reproduced', message: o.kind === 'reproduced' ? o.message : o.kind };
  }
  const r = replaySteps(sys, parsed.trace.steps, parsed.trace.expect);
  return { ok: isReproduced(r.outcome), message: describeOutcome(r.outcome) };
}

function runOne(sys: System, d: SystemDescriptor, opts: RunOptions, out: OutTarget | null, dir: string, io: Io): MbtRun {
  const abs = opts.machines ? abstractionsFor(sys, d) : [];
  const machines = abs.length > 0 ? new ConformanceChecker(abs) : null;
  const r = runMbt(sys, {
    runs: opts.runs,
    seed: opts.seed,
    maxCommands: opts.maxCommands,
    mode: opts.mode,
    maxBurst: opts.maxBurst,
    machines,
    ...(opts.property !== undefined ? { property: opts.property } : {}),
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    ...(opts.replayPath !== undefined ? { replayPath: opts.replayPath } : {}),
  });
  let traceFile: string | null = null;
  if (r.failure && r.failure.property !== 'EXCEPTION') {
    const steps = r.failure.actions.map((a) => ({ action: a, ...sys.describe(a) }));
    const note = `mbt mode ${r.mode} seed ${r.seed} path ${r.path ?? '-'} replayPath ${r.replayPath ?? '-'}`;
    const t =
      r.failure.property === DEADLOCK
        ? makeLassoTrace(d, { property: DEADLOCK, source: 'System.deadlock: no action enabled, a thread has not finished', stem: steps, cycle: [] }, note)
        : makeTrace(d, { property: r.failure.property, source: propertySource(sys, r.failure.property), steps }, note);
    const target = out ?? checkOutFile('--dir', defaultTraceFile(dir, d, r.seed));
    writeOut(target, serializeTrace(t), io.out);
    traceFile = target.kind === 'file' ? target.path : '-';
  }
  return { sys, d, r, traceFile };
}

function text(run: MbtRun): string[] {
  const { r } = run;
  const lines = [`mbt ${r.system}: ${r.runs} runs (${r.mode} mode), seed ${r.seed}, ${r.actionsSeen} distinct actions taken`];
  if (r.ok) {
    lines.push('verdict: no violation found');
    return lines;
  }
  const f = r.failure!;
  lines.push(`verdict: ${f.property} violated: ${f.message}`);
  lines.push(`seed ${r.seed}, fast-check path ${r.path ?? '-'} (replayPath ${r.replayPath ?? '-'}), ${r.shrinks} shrinks`);
  lines.push(`re-run: cramcheck mbt ... --seed ${r.seed} --path ${r.path ?? '-'}${r.replayPath ? ` --replay-path ${r.replayPath}` : ''}`);
  lines.push(`shrunk trace (${f.actions.length} steps):`);
  if (f.property === DEADLOCK) lines.push(...renderLasso(run.sys, run.d, DEADLOCK, f.actions, f.actions.length).map((l) => `  ${l}`));
  else if (f.property !== 'EXCEPTION') lines.push(...renderCounterexample(run.sys, run.d, f.property, f.actions).map((l) => `  ${l}`));
  if (run.traceFile) lines.push(`trace written to ${run.traceFile} (cramcheck replay ${run.traceFile})`);
  return lines;
}

function json(run: MbtRun): Record<string, unknown> {
  const { r } = run;
  return {
    system: r.system,
    descriptor: run.d,
    ok: r.ok,
    mode: r.mode,
    runs: r.runs,
    seed: r.seed,
    path: r.path,
    replayPath: r.replayPath,
    shrinks: r.shrinks,
    actionsSeen: r.actionsSeen,
    failure: r.failure,
    traceFile: run.traceFile,
  };
}

export const mbtCommand: Command = {
  name: 'mbt',
  summary: 'model-based testing (fast-check) on configurations too large to exhaust',
  usage: [
    'cramcheck mbt [--config NAME|FILE] [--system kernel|bm1] [--params F=..,D=..,C=..,P=..]',
    '              [--runs N] [--seed S] [--max-commands N] [--mutant NAME|--all-mutants] [--fix NAME|all]...',
    '              [--property ID] [--path P [--replay-path R]] [--no-machines] [--json] [--out FILE]',
    '              [--mode enabled|uniform|swarm] [--max-burst N] [--dir DIR]',
    '--out FILE|-: where a failing run\'s trace goes; --dir DIR: the directory for traces not named by --out',
    `(default ${join('out', 'mbt')} in the repository; the path is printed).`,
    'Commands are the system\'s actions; each step is judged by every invariant and by the protocol',
    'machines (conformance). A failure prints seed, path and the shrunk trace and writes it as a trace.',
    '--mode enabled (default): each command takes the k-th enabled action, up to --max-burst times in a row',
    '(default 4); --mode uniform: each command tries one action of the table and is skipped when disabled;',
    '--mode swarm: as enabled, but each run chooses among a random subset of the actors (swarm testing).',
    '--property ID judges only that invariant. --all-mutants: per mutant, judged on the invariant it was seeded for,',
    'the MBT shrunk length beside the BFS shortest length (--bfs-max-states N, default 500000), and whether the',
    'written trace replays; kernel mutants run with --fix all unless --fix is given (--fix none: no fixes).',
    'Exit 0: no violation (or, with --all-mutants, every mutant caught); 1: violation; 2: bad input.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      {
        ...SYSTEM_OPTIONS,
        runs: { type: 'string' },
        seed: { type: 'string' },
        'max-commands': { type: 'string' },
        path: { type: 'string' },
        'replay-path': { type: 'string' },
        'all-mutants': { type: 'boolean' },
        'bfs-max-states': { type: 'string' },
        'no-machines': { type: 'boolean' },
        property: { type: 'string' },
        mode: { type: 'string' },
        'max-burst': { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        dir: { type: 'string' },
      },
      0,
    );
    const system = oneOf(p, 'system', ['kernel', 'bm1'] as const, 'kernel');
    const runs = positiveInt(p, 'runs') ?? 1000;
    const seedText = str(p, 'seed');
    if (seedText !== undefined && !/^-?[0-9]+$/.test(seedText)) throw new UsageError(`--seed: expected an integer, got '${seedText}'`);
    const seed = seedText !== undefined ? Number(seedText) : 42;
    const maxCommands = positiveInt(p, 'max-commands') ?? 400;
    const mode = oneOf(p, 'mode', MBT_MODES, 'enabled');
    const maxBurst = positiveInt(p, 'max-burst') ?? 4;
    // Output targets are checked before any run (never into the current directory by default).
    const outArg = str(p, 'out');
    const out = outArg === undefined ? null : checkOutFile('--out', outArg);
    if (out !== null && flag(p, 'all-mutants')) throw new UsageError('--out names one trace; with --all-mutants use --dir');
    const dir = checkOutDir('--dir', str(p, 'dir') ?? join(REPO_ROOT, 'out', 'mbt'));
    const machines = !flag(p, 'no-machines');
    const path = str(p, 'path');
    const replayPath = str(p, 'replay-path');
    const base = { system, config: str(p, 'config'), params: str(p, 'params'), fixes: list(p, 'fix') };
    const property = str(p, 'property');
    const opts = { runs, seed, maxCommands, mode, maxBurst, machines, ...(property !== undefined ? { property } : {}), ...(path !== undefined ? { path } : {}), ...(replayPath !== undefined ? { replayPath } : {}) };

    if (flag(p, 'all-mutants')) {
      if (str(p, 'mutant') !== undefined) throw new UsageError('--mutant and --all-mutants both given');
      const bfsMax = positiveInt(p, 'bfs-max-states') ?? 500_000;
      // As `cramcheck mutants`: kernel mutants are seeded into the fixed model (see the header).
      const fixFlags = base.fixes;
      const fixes = fixFlags.includes('none') ? fixFlags.filter((f) => f !== 'none') : fixFlags.length > 0 ? fixFlags : system === 'kernel' ? ['all'] : [];
      const rows: Record<string, unknown>[] = [];
      const t0 = performance.now();
      // Vacuity mutants (catches = a REACH- id) need a complete exploration to show an
      // absence; random runs cannot: `cramcheck mutants` judges them.
      // Liveness mutants (a LIVE- id) need an infinite fair run: `cramcheck mutants` judges them with the
      // liveness checker. A DEADLOCK is a finite run, which MBT judges.
      for (const m of mutantCatalogue(system).filter((x) => !x.catches.startsWith('REACH-') && !x.catches.startsWith('LIVE-'))) {
        // Like `cramcheck mutants`: without --config, each mutant runs on the config where its site is reachable.
        const config = base.config ?? m.config;
        const fx = system === 'kernel' ? mutantFixes(m, fixes, kernelCatalog().fixes) : fixes;
        const { sys, descriptor } = resolveSystem({ ...base, fixes: fx, config, mutant: m.name, conformance: machines });
        // Each mutant is judged on the invariant it was seeded for, past unrelated v4 findings.
        const run = runOne(sys, descriptor, { ...opts, property: m.catches }, null, dir, io);
        const bfs = explore(sys, { strategy: 'bfs', maxStates: bfsMax, tty: false, stopAtFirstViolation: false });
        const bv = bfs.violations.find((v) => v.property === m.catches);
        const replay = run.traceFile ? replayTraceFile(run.traceFile) : null;
        rows.push({
          mutant: m.name,
          expected: m.catches,
          // Caught = the seeded-for invariant fails AND the written trace replays.
          mbtCaught: run.r.failure?.property === m.catches && replay?.ok === true,
          replays: replay?.ok ?? null,
          replay: replay?.message ?? null,
          mbtProperty: run.r.failure?.property ?? null,
          mbtShrunkLength: run.r.failure?.actions.length ?? null,
          bfsProperty: bv?.property ?? null,
          bfsShortestLength: bv?.trace.length ?? null,
          traceFile: run.traceFile,
        });
      }
      const caught = rows.filter((r) => r['mbtCaught']).length;
      if (flag(p, 'json')) io.out(`${JSON.stringify({ seed, runs, mode, fixes, caught, mutants: rows }, null, 2)}\n`);
      else {
        io.out(`mbt --all-mutants: ${mode} mode, seed ${seed}, ${runs} runs per mutant, fixes ${fixes.length === 0 ? 'none' : fixes.join(',')}\n`);
        io.out(`mutant${' '.repeat(28)} expected             MBT caught (len)              BFS shortest              replays\n`);
        for (const r of rows) {
          const mbt = r['mbtCaught'] ? `${String(r['mbtProperty'])} (${String(r['mbtShrunkLength'])})` : r['mbtProperty'] === r['expected'] ? 'found, trace does not replay' : 'missed';
          const bfs = r['bfsProperty'] ? `${String(r['bfsProperty'])} (${String(r['bfsShortestLength'])})` : 'none in bound';
          const rep = r['replays'] === null ? '-' : r['replays'] ? 'yes' : `NO: ${String(r['replay'])}`;
          io.out(`${String(r['mutant']).padEnd(34)} ${String(r['expected']).padEnd(20)} ${mbt.padEnd(29)} ${bfs.padEnd(25)} ${rep}\n`);
        }
        io.out(`caught ${caught}/${rows.length} (each with a trace that replays)\n`);
      }
      // Timing on stderr: stdout stays byte-identical for a seed.
      io.err(`mbt --all-mutants: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return rows.every((r) => r['mbtCaught']) ? EXIT_OK : EXIT_VIOLATION;
    }

    // A mutant under --fix all keeps its fixesOff off, as in --all-mutants and `cramcheck mutants`.
    const mutant = str(p, 'mutant') ?? null;
    const info = mutant !== null && system === 'kernel' ? mutantCatalogue(system).find((m) => m.name === mutant) : undefined;
    const fixes = info ? mutantFixes(info, base.fixes, kernelCatalog().fixes) : base.fixes;
    const { sys, descriptor } = resolveSystem({ ...base, fixes, mutant, conformance: machines });
    const run = runOne(sys, descriptor, opts, out, dir, io);
    // With --out - the standard output carries the trace; the report goes to stderr.
    const say = out?.kind === 'stdout' ? io.err : io.out;
    if (flag(p, 'json')) say(`${JSON.stringify(json(run), null, 2)}\n`);
    else say(`${text(run).join('\n')}\n`);
    return run.r.ok ? EXIT_OK : EXIT_VIOLATION;
  },
};

/** For callers without the registry: run `cramcheck mbt` with argv, output to the process. */
export async function runMbtCmd(argv: readonly string[]): Promise<number> {
  return mbtCommand.run(argv, { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) });
}
