// `cramcheck mutants`: the test of the tests. For every seeded bug of the
// catalogue, explore the system with that mutant on (BFS, bounded) and report
// which invariant caught it at which step, whether it is the invariant the
// catalogue expects, and write its counterexample trace. Fails (exit 1) if a
// mutant escapes or an invariant catches no mutant at all.
//
// A catch only counts if the mutant causes it. The faithful v4 model has real
// findings of its own, so: kernel mutants run with every fix on by default
// (--fix none for the faithful model), and a baseline BFS without the mutant
// (same bounds) records which properties fail anyway and how early. The
// mutant's BFS checks only the other properties and stops at the first
// violation ("caught by"); if that is not the expected invariant, a second BFS
// checking only the expected one says whether (and how early) it catches the
// mutant too. A baseline-failing expected invariant counts only if the mutant
// makes it fail strictly earlier than the baseline does.

import { join } from 'node:path';
import { explore, type ExploreOptions, type ExploreResult } from '../explore/explorer.ts';
import { withReachProbe } from '../explore/reach-probe.ts';
import { type System, withProperties } from '../explore/system.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { makeTrace, serializeTrace, type SystemDescriptor } from '../trace/format.ts';
import { describeSystem } from '../trace/render.ts';
import { propertySource } from '../trace/replay.ts';
import { flag, list, oneOf, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { kernelCatalog } from './kernel-systems.ts';
import { runLiveness, selected } from './liveness-cmd.ts';
import { makeLassoTrace } from '../trace/format.ts';
import { DEADLOCK } from '../trace/lasso.ts';
import { mutantCatalogue, mutantFixes, resolveSystem } from './systems.ts';

const DEFAULT_MAX_STATES = 200_000;

interface Caught {
  readonly property: string;
  readonly step: number;
  readonly message: string;
  readonly trace: number[];
}

export interface MutantRow {
  readonly mutant: string;
  /** Config explored (the mutant's own, if its catalogue entry names one). */
  readonly config: string;
  readonly expected: string;
  /** First violation BFS finds, null if the mutant escaped within the bounds. */
  readonly caughtBy: string | null;
  readonly step: number | null;
  /** The expected invariant's own first violation caused by the mutant (null: it does not catch this mutant). */
  readonly expectedStep: number | null;
  /** The expected invariant fails at this step without the mutant too (so it cannot count as a catch). */
  readonly baselineStep: number | null;
  readonly asExpected: boolean;
  readonly message: string | null;
  readonly traceFile: string | null;
  readonly states: number;
  readonly complete: boolean;
}


function firstCaught(r: ExploreResult): Caught | null {
  const v = r.violations[0];
  return v ? { property: v.property, step: v.depth, message: v.message, trace: v.trace } : null;
}

export const mutantsCommand: Command = {
  name: 'mutants',
  summary: 'check that every seeded bug is caught by its invariant',
  usage: [
    'cramcheck mutants [--system kernel|bm1] [--config NAME|FILE] [--params P] [--fix NAME|all|none]...',
    '                  [--max-states N] [--max-depth N] [--only NAME]... [--out-dir DIR] [--json] [--symmetry] [--por]',
    `Each exploration is BFS, bounded by --max-states (default ${DEFAULT_MAX_STATES}). Kernel default: --fix all.`,
    'Writes one trace per caught mutant to DIR/<name>.json (default counterexamples/mutants, bm1: counterexamples/mutants/bm1).',
    'Exit 1 if a mutant is not caught or an invariant catches no mutant.',
    '--symmetry, --por: explore with the reductions (symmetry only where a config has interchangeable CPUs; see explore --help).',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      {
        system: { type: 'string' },
        config: { type: 'string' },
        params: { type: 'string' },
        fix: { type: 'string', multiple: true },
        'max-states': { type: 'string' },
        'max-depth': { type: 'string' },
        only: { type: 'string', multiple: true },
        'out-dir': { type: 'string' },
        json: { type: 'boolean' },
        symmetry: { type: 'boolean' },
        por: { type: 'boolean' },
      },
      0,
    );
    const system = oneOf(p, 'system', ['kernel', 'bm1'] as const, 'kernel');
    const symmetry = flag(p, 'symmetry');
    const por = flag(p, 'por');
    const maxStates = positiveInt(p, 'max-states') ?? DEFAULT_MAX_STATES;
    const maxDepth = positiveInt(p, 'max-depth');
    // BM1's mutants get their own folder so they never mix with the kernel corpus.
    const outDir = str(p, 'out-dir') ?? (system === 'bm1' ? join('counterexamples', 'mutants', 'bm1') : join('counterexamples', 'mutants'));
    const fixFlags = list(p, 'fix');
    const fixes = fixFlags.includes('none') ? fixFlags.filter((f) => f !== 'none') : fixFlags.length > 0 ? fixFlags : system === 'kernel' ? ['all'] : [];
    const req = { system, config: str(p, 'config'), params: str(p, 'params'), fixes };
    const base = resolveSystem({ ...req, mutant: null });
    const catalogue = mutantCatalogue(system);
    const only = list(p, 'only');
    for (const o of only) if (!catalogue.some((m) => m.name === o)) throw new UsageError(`--only: unknown mutant '${o}'`);
    const chosen = only.length > 0 ? catalogue.filter((m) => only.includes(m.name)) : catalogue;
    const plainOpts = { strategy: 'bfs' as const, maxStates, ...(maxDepth !== undefined ? { maxDepth } : {}) };
    // The reductions, on every run whose system supports them (symmetry: where the config has interchangeable CPUs).
    let reducedRuns = 0;
    let symRuns = 0;
    let porRuns = 0;
    let runs = 0;
    const o = (x: System): ExploreOptions => {
      const sym = symmetry && x.symmetry !== undefined;
      const po = por && x.instrument !== undefined;
      runs++;
      if (sym || po) reducedRuns++;
      if (sym) symRuns++;
      if (po) porRuns++;
      return { ...plainOpts, ...(sym ? { symmetry: true } : {}), ...(po ? { por: true } : {}) };
    };
    // Baselines per config: a mutant whose catalogue entry names a config is explored there unless --config is given.
    const baselines = new Map<string, Map<string, number>>();
    const baselineOf = (config: string | undefined, fx: readonly string[] = fixes): Map<string, number> => {
      const key = `${config ?? ''}|${fx.join(',')}`;
      let b = baselines.get(key);
      if (!b) {
        b = new Map();
        const same = config === undefined && fx.join(',') === fixes.join(',');
        const sys = same ? base.sys : resolveSystem({ ...req, ...(config !== undefined ? { config } : {}), fixes: fx, mutant: null }).sys;
        for (const v of explore(sys, { ...o(sys), stopAtFirstViolation: false }).violations) b.set(v.property, v.depth);
        baselines.set(key, b);
      }
      return b;
    };
    const baseline = baselineOf(undefined);

    // Vacuity mutants (catches = a Reachability id): the ids a complete run reaches, per config and fixes.
    const reachOf = (sys: System): { reached: Set<string>; states: number; complete: boolean } => {
      const p = withReachProbe(withProperties(sys, () => false));
      const r = explore(p.sys, o(p.sys));
      return { reached: p.reached, states: r.states, complete: r.complete };
    };
    const rows: MutantRow[] = [];
    const pending: { file: string; text: string }[] = [];
    for (const m of chosen) {
      const own = req.config === undefined && m.config !== undefined ? m.config : undefined;
      // A mutant may keep a second brake off (Mutant.fixesOff); its baseline uses the same fixes.
      const fx = system === 'kernel' ? mutantFixes(m, fixes, kernelCatalog().fixes) : fixes;
      if (isReachId(m.catches)) {
        // Caught when a complete exploration with the mutant never reaches the entry that the same
        // configuration reaches without it (no trace: the evidence is an absence).
        const { sys: plain } = resolveSystem({ ...req, fixes: fx, ...(own !== undefined ? { config: own } : {}), mutant: null });
        const { sys, descriptor } = resolveSystem({ ...req, fixes: fx, ...(own !== undefined ? { config: own } : {}), mutant: m.name });
        const before = reachOf(plain);
        const after = reachOf(sys);
        const caught = after.complete && before.reached.has(m.catches) && !after.reached.has(m.catches);
        rows.push({
          mutant: m.name, config: configName(descriptor), expected: m.catches, caughtBy: caught ? m.catches : null, step: caught ? 0 : null,
          expectedStep: caught ? 0 : null, baselineStep: null, asExpected: caught,
          message: caught ? `${m.catches} never reached in ${after.states} states (exhaustive; ${before.states} states without the mutant reach it)` : null,
          traceFile: null, states: after.states, complete: after.complete,
        });
        continue;
      }
      const bl = baselineOf(own, fx);
      const { sys, descriptor } = resolveSystem({ ...req, fixes: fx, ...(own !== undefined ? { config: own } : {}), mutant: m.name });
      const judged = withProperties(sys, (id) => !bl.has(id));
      const r = explore(judged, o(judged));
      const first = firstCaught(r);
      if (isLivenessCatcher(m.catches)) {
        // A liveness mutant: it must break its temporal property (a lasso the
        // baseline, same bounds, does not have) and no safety invariant.
        const baseSys = resolveSystem({ ...req, fixes: fx, ...(own !== undefined ? { config: own } : {}), mutant: null, conformance: false }).sys;
        const lassoOf = (s: System) => livenessCatch(s, m.catches, maxStates);
        const got = lassoOf(sys);
        const baseGot = got ? lassoOf(baseSys) : null;
        const caught = got !== null && baseGot === null;
        let traceFile: string | null = null;
        if (got && caught) {
          traceFile = join(outDir, `${m.name}.json`);
          const st = (acts: readonly number[]) => acts.map((a) => ({ action: a, actor: sys.describe(a).actor, name: sys.describe(a).name }));
          pending.push({ file: traceFile, text: serializeTrace(makeLassoTrace(descriptor, { property: got.property, source: got.source, stem: st(got.stem), cycle: st(got.cycle) }, `mutant ${m.name}: found by cramcheck mutants (liveness)`)) });
        }
        rows.push({
          mutant: m.name,
          config: configName(descriptor),
          expected: m.catches,
          caughtBy: first?.property ?? (caught ? got.property : null),
          step: first?.step ?? (caught ? got.stem.length : null),
          expectedStep: caught ? got.stem.length : null,
          baselineStep: baseGot ? baseGot.stem.length : null,
          // An explorer that judges deadlocks itself may report DEADLOCK first: that is the expected catch too.
          asExpected: caught && (first === null || first.property === m.catches),
          message: first?.message ?? (caught ? got.message : null),
          traceFile,
          states: r.states,
          complete: r.complete,
        });
        continue;
      }
      let exp: Caught | null = first && first.property === m.catches ? first : null;
      const baseStep = bl.get(m.catches) ?? null;
      // If the first run saw no violation at all, it already checked the expected
      // invariant on every state within the bounds (unless the baseline excluded it).
      if (!exp && (first !== null || baseStep !== null)) {
        const only1 = withProperties(sys, (id) => id === m.catches);
        exp = firstCaught(explore(only1, o(only1)));
      }
      if (exp && baseStep !== null && exp.step >= baseStep) exp = null;
      const keep = exp ?? first;
      let traceFile: string | null = null;
      if (keep) {
        traceFile = join(outDir, `${m.name}.json`);
        pending.push({ file: traceFile, text: serializeTrace(traceOf(sys, descriptor, keep, m.name)) });
      }
      rows.push({
        mutant: m.name,
        config: configName(descriptor),
        expected: m.catches,
        caughtBy: (first ?? exp)?.property ?? null,
        step: (first ?? exp)?.step ?? null,
        expectedStep: exp?.step ?? null,
        baselineStep: baseStep,
        asExpected: exp !== null,
        message: keep?.message ?? null,
        traceFile,
        states: r.states,
        complete: r.complete,
      });
    }
    // Files only after every exploration finished: no half-written corpus.
    for (const f of pending) {
      try {
        writeFileAtomic(f.file, f.text);
      } catch (e) {
        throw new UsageError(`--out-dir: cannot write '${f.file}' (${(e as { code?: string }).code ?? 'error'})`);
      }
    }
    const escaped = rows.filter((r) => r.caughtBy === null).map((r) => r.mutant);
    const catching = new Set(rows.flatMap((r) => [r.caughtBy, r.asExpected ? r.expected : null]).filter((x): x is string => x !== null));
    const idle = only.length > 0 ? [] : base.sys.properties.map((q) => q.id).filter((id) => !catching.has(id));
    const ok = escaped.length === 0 && idle.length === 0;
    const failing = [...baseline].map(([property, step]) => ({ property, step }));
    if (flag(p, 'json')) {
      const d = base.descriptor;
      io.out(`${JSON.stringify({ system: d.system, config: d.config, fixes: d.fixes, maxStates, ...(symmetry || por ? { reductions: { symmetry, por, reducedRuns, symmetryRuns: symRuns, porRuns, runs } } : {}), baselineViolations: failing, mutants: rows, escaped, invariantsCatchingNone: idle, ok })}\n`);
    } else {
      const head = `cramcheck mutants: ${describeSystem(base.descriptor)}, fixes ${base.descriptor.fixes.length === 0 ? 'none' : base.descriptor.fixes.join(',')}, bfs, max ${maxStates} states`;
      const bl = failing.length === 0 ? 'baseline (no mutant): every property holds within the bounds' : `baseline (no mutant) already violates: ${failing.map((f) => `${f.property}@${f.step}`).join(', ')} (not counted as catches)`;
      // Each reduction's own count: --symmetry applies only where a config has interchangeable CPUs, which few mutant configs have.
      const red = symmetry || por ? [`reductions: ${[symmetry ? `--symmetry on ${symRuns} of ${runs} explorations (where the config has interchangeable CPUs)` : '', por ? `--por on ${porRuns} of ${runs}` : ''].filter(Boolean).join(', ')}`] : [];
      io.out(`${[head, ...red, bl, '', ...mutantsText(rows, escaped, idle, configName(base.descriptor))].join('\n')}\n`);
    }
    return ok ? EXIT_OK : EXIT_VIOLATION;
  },
};

/** Expected catchers the liveness checker judges: a temporal property (or family) or DEADLOCK. */
function isLivenessCatcher(id: string): boolean {
  return id === DEADLOCK || id.startsWith('LIVE-');
}

/** The first lasso (deadlock or temporal violation) for `catches` within the bound, or null. */
function livenessCatch(sys: System, catches: string, maxStates: number): { property: string; source: string; stem: number[]; cycle: number[]; message: string } | null {
  const dl = catches === DEADLOCK;
  const run = runLiveness(sys, { maxStates, only: dl ? ['-'] : [catches], deadlock: dl });
  if (dl) {
    const d = run.deadlocks.deadlock;
    return d ? { property: DEADLOCK, source: 'System.deadlock', stem: [...d.stem], cycle: [], message: d.message } : null;
  }
  const v = run.verdicts.find((x) => x.lasso !== null && selected(x.id, [catches]));
  return v && v.lasso ? { property: v.id, source: v.source, stem: [...v.lasso.stem], cycle: [...v.lasso.cycle], message: v.message } : null;
}

/** A Reachability id (properties/reach.ts): a vacuity mutant's expected catcher. */
function isReachId(id: string): boolean {
  return id.startsWith('REACH-');
}

function configName(d: SystemDescriptor): string {
  return typeof d.config === 'string' ? d.config : String(d.config['name'] ?? '(file)');
}

function traceOf(sys: System, d: SystemDescriptor, c: Caught, name: string) {
  const steps = c.trace.map((a) => ({ action: a, ...sys.describe(a) }));
  return makeTrace(d, { property: c.property, source: propertySource(sys, c.property), steps }, `mutant ${name}: found by cramcheck mutants (bfs)`);
}

function mutantsText(rows: readonly MutantRow[], escaped: readonly string[], idle: readonly string[], defaultConfig: string): string[] {
  const w = Math.max(6, ...rows.map((r) => r.mutant.length));
  const lines = [`${'mutant'.padEnd(w)}  verdict`];
  for (const r of rows) {
    let v: string;
    if (r.caughtBy === null) v = `NOT CAUGHT (expected ${r.expected}; ${r.states} states${r.complete ? ', exhaustive' : ', bounded'})`;
    else if (isReachId(r.caughtBy)) v = `caught by ${r.caughtBy}: ${r.message} (expected)`;
    else if (r.caughtBy === r.expected) v = `caught by ${r.caughtBy} at step ${r.step} (expected)`;
    else if (r.asExpected) v = `caught by ${r.caughtBy} at step ${r.step}; expected ${r.expected} also catches it at step ${r.expectedStep}`;
    else if (r.baselineStep !== null) v = `caught by ${r.caughtBy} at step ${r.step}; UNEXPECTED: ${r.expected} fails at step ${r.baselineStep} without the mutant`;
    else v = `caught by ${r.caughtBy} at step ${r.step}; UNEXPECTED: ${r.expected} does not catch it`;
    lines.push(`${r.mutant.padEnd(w)}  ${v}${r.config !== defaultConfig ? ` [config ${r.config}]` : ''}${r.traceFile ? `  -> ${r.traceFile}` : ''}`);
  }
  lines.push('');
  lines.push(`${rows.length - escaped.length}/${rows.length} mutants caught`);
  if (escaped.length > 0) lines.push(`NOT CAUGHT: ${escaped.join(', ')}`);
  if (idle.length > 0) lines.push(`invariants catching no mutant: ${idle.join(', ')}`);
  if (escaped.length === 0 && idle.length === 0) lines.push('OK: every mutant caught, every invariant catches one');
  return lines;
}
