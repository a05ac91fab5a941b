// `cramcheck findings`: the findings corpus and the fix catalogue checked
// against each other. For every fix F of the catalogue (src/kernel/fixes.ts):
// 1. explore F's config (BFS, bounded) with every fix on except F (and the
//    fixes F.alsoOff names: alternatives that mend the same finding another
//    way, or a second v4 bug the finding needs), take the first violation
//    (the shortest trace) and confirm it is the invariant F says it mends
//    (else: a mismatch, reported, and a BFS checking only F's invariant);
// 2. check attribution: the same steps with F on must no longer break it
//    (else a BFS over the pair (F off, F on) in lock step finds the shortest
//    trace F does mend); minimize it and write DIR/<F>.json (fixes = the ones
//    that were on, note = F's description);
// 3. explore the same config, bounded the same, with every fix on, and say
//    whether F's invariant now holds.
// Plus DIR/canonical-faithful.json: the first violation of the faithful model
// on canonical (what `cramcheck explore` reports by default).
// A fix of a liveness finding (mends a LIVE- property) is checked by the
// liveness checker instead, its finding written as a lasso
// (findings-liveness.ts).
// Findings are about the invariants of SEMANTICS 9: the runs leave the
// protocol machines' conformance checks out (`cramcheck explore` has them).
// Exit 1 if a fix has no reproducing finding (none, only other invariants, or
// none the fix mends) or its invariant still fails with every fix on.

import { join } from 'node:path';
import { explore, type ExploreResult } from '../explore/explorer.ts';
import { type System, withProperties } from '../explore/system.ts';
import { FIXES } from '../kernel/fixes.ts';
import type { Fix } from '../kernel/mutants/types.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { makeTrace, serializeTrace, type SystemDescriptor } from '../trace/format.ts';
import { failingPrefix, minimizeTrace } from '../trace/minimize.ts';
import { propertySource } from '../trace/replay.ts';
import { flag, list, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { findingMarkdownFiles, loadFindingDocs } from './finding-docs.ts';
import { isLivenessFix, livenessFindingRow } from './findings-liveness.ts';
import { resolveSystem } from './systems.ts';

const DEFAULT_MAX_STATES = 1_000_000;
const DEFAULT_CONFIG = 'canonical';
const FAITHFUL_FILE = 'canonical-faithful.json';

/** What the run with every fix on says about the fix's invariant. */
export type FixedVerdict =
  | { readonly kind: 'holds'; readonly states: number; readonly complete: boolean }
  | { readonly kind: 'fails'; readonly step: number; readonly message: string };

export interface FindingRow {
  readonly fix: string;
  readonly mends: string;
  readonly config: string;
  /** Fixes off in the finding's run: the fix itself and its alsoOff. */
  readonly off: readonly string[];
  /** First violation with the fix off (null: none within the bounds). */
  readonly found: { readonly property: string; readonly step: number; readonly message: string } | null;
  /** Depth at which F's own invariant first fails with F off (null: not within the bounds). */
  readonly reproduced: number | null;
  /** The finding's trace replayed with F on no longer breaks the invariant. */
  readonly mended: boolean;
  /** Length of a shorter violation of the same invariant that F does not mend (another cause), if any. */
  readonly unmendedFirst: number | null;
  /** Steps of the minimized trace written (null if none written). */
  readonly length: number | null;
  readonly traceFile: string | null;
  readonly states: number;
  readonly complete: boolean;
  readonly fixed: FixedVerdict;
  /** Other invariants failing with every fix on, first step each (they break the --fix all guarantee there). */
  readonly fixedOthers: readonly { readonly property: string; readonly step: number }[];
  readonly ok: boolean;
}

function configName(d: SystemDescriptor): string {
  return typeof d.config === 'string' ? d.config : String(d.config['name'] ?? '(file)');
}

function traceFileText(sys: System, d: SystemDescriptor, property: string, actions: readonly number[], note: string): string {
  const steps = actions.map((a) => ({ action: a, ...sys.describe(a) }));
  return serializeTrace(makeTrace(d, { property, source: propertySource(sys, property), steps }, note));
}


/**
 * The pair (F off, F on) run in lock step on the same actions, checking one
 * property: it fails where the F-off half breaks `id` while the F-on half
 * holds it (or has diverged: the action was not enabled with F on). BFS over it
 * gives the shortest trace that F mends, when the shortest violation overall
 * has another cause F does not touch.
 */
function mendedBy(off: System, on: System, id: string): System {
  const w1 = off.words;
  const w2 = on.words;
  const last = w1 + w2;
  const offOf = (st: Uint32Array) => st.subarray(0, w1);
  const onOf = (st: Uint32Array) => st.subarray(w1, last);
  const offProps = off.properties.filter((q) => q.id === id);
  const onProps = on.properties.filter((q) => q.id === id);
  const fails = (ps: readonly (typeof offProps)[number][], st: Uint32Array): string | null => {
    for (const q of ps) {
      const m = q.check(st);
      if (m !== null) return m;
    }
    return null;
  };
  return {
    name: `${off.name} (mended by fix)`,
    words: last + 1,
    actionCount: off.actionCount,
    initial: (out) => {
      off.initial(offOf(out));
      on.initial(onOf(out));
      out[last] = 0;
    },
    step: (st, a, n) => {
      if (!off.step(offOf(st), a, offOf(n))) return false;
      if (st[last] === 0 && on.step(onOf(st), a, onOf(n))) n[last] = 0;
      else {
        onOf(n).fill(0);
        n[last] = 1;
      }
      return true;
    },
    describe: (a) => off.describe(a),
    explain: (st, a) => off.explain(offOf(st), a),
    render: (st, f) => off.render(offOf(st), f),
    properties: [
      {
        id,
        source: offProps[0]?.source ?? 'transition check',
        check: (st) => {
          const m = fails(offProps, offOf(st));
          if (m === null) return null;
          return st[last] === 1 || fails(onProps, onOf(st)) === null ? m : null;
        },
      },
    ],
  };
}

function fixedVerdict(r: ExploreResult, property: string): { verdict: FixedVerdict; others: { property: string; step: number }[] } {
  const own = r.violations.find((v) => v.property === property);
  const others = r.violations.filter((v) => v.property !== property).map((v) => ({ property: v.property, step: v.depth }));
  const verdict: FixedVerdict = own ? { kind: 'fails', step: own.depth, message: own.message } : { kind: 'holds', states: r.states, complete: r.complete };
  return { verdict, others };
}

export const findingsCommand: Command = {
  name: 'findings',
  summary: 'reproduce every finding with its fix off, write the findings corpus, check the fix mends it',
  usage: [
    'cramcheck findings [--max-states N] [--only FIX]... [--out-dir DIR] [--json]',
    `Per fix: BFS of its config (default ${DEFAULT_CONFIG}) bounded by --max-states (default ${DEFAULT_MAX_STATES}) with every fix on but it,`,
    'then the same config with every fix on. Writes DIR/<fix>.json and DIR/canonical-faithful.json (default counterexamples/findings),',
    'and DIR/<fix>.md from DIR/<fix>.prose.md with the fresh trace in mail form.',
    'Exit 1 if a fix has no reproducing finding or its invariant still fails with every fix on.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      { 'max-states': { type: 'string' }, only: { type: 'string', multiple: true }, 'out-dir': { type: 'string' }, json: { type: 'boolean' } },
      0,
    );
    const maxStates = positiveInt(p, 'max-states') ?? DEFAULT_MAX_STATES;
    const outDir = str(p, 'out-dir') ?? join('counterexamples', 'findings');
    if (outDir === '') throw new UsageError('--out-dir: empty directory name');
    const only = list(p, 'only');
    for (const o of only) if (!FIXES.some((f) => f.name === o)) throw new UsageError(`--only: unknown fix '${o}' (known: ${FIXES.map((f) => f.name).join(', ')})`);
    const chosen: readonly Fix[] = only.length > 0 ? FIXES.filter((f) => only.includes(f.name)) : FIXES;
    const opts = { strategy: 'bfs' as const, maxStates, tty: false };

    // The runs with every fix on, one per config (each records every property's first violation).
    const fixedRuns = new Map<string, ExploreResult>();
    const fixedRun = (config: string): ExploreResult => {
      let r = fixedRuns.get(config);
      if (!r) {
        const { sys } = resolveSystem({ system: 'kernel', config, mutant: null, fixes: ['all'], conformance: false });
        r = explore(sys, { ...opts, stopAtFirstViolation: false });
        fixedRuns.set(config, r);
      }
      return r;
    };

    const rows: FindingRow[] = [];
    const pending: { file: string; text: string }[] = [];
    for (const f of chosen) {
      const config = f.config ?? DEFAULT_CONFIG;
      const off = [f.name, ...(f.alsoOff ?? [])];
      const fixes = FIXES.map((x) => x.name).filter((x) => !off.includes(x));
      if (isLivenessFix(f)) {
        rows.push(livenessFindingRow(f, fixes, off, config, maxStates, outDir, pending));
        continue;
      }
      const { sys, descriptor } = resolveSystem({ system: 'kernel', config, mutant: null, fixes, conformance: false });
      const own0 = { ...opts, maxStates: Math.max(maxStates, f.findingMaxStates ?? 0) };
      const r = explore(sys, own0);
      const v = r.violations[0];
      // Another invariant first: a second BFS checking only F's (a mismatch, reported; the finding still counts if F's invariant fails).
      const own = v && v.property !== f.mends ? explore(withProperties(sys, (id) => id === f.mends), own0).violations[0] : v;
      let length: number | null = null;
      let traceFile: string | null = null;
      let mended = false;
      let unmendedFirst: number | null = null;
      if (own) {
        // Attribution: the same steps with F switched on must no longer break the invariant.
        const withF = resolveSystem({ system: 'kernel', config, mutant: null, fixes: [...fixes, f.name], conformance: false }).sys;
        let trace = minimizeTrace(sys, own.property, own.trace);
        mended = failingPrefix(withF, own.property, trace) < 0;
        if (!mended) {
          // The shortest violation has a cause F does not touch: look for the shortest one F mends.
          unmendedFirst = trace.length;
          const m = explore(mendedBy(sys, withF, f.mends), opts).violations[0];
          if (m) {
            const t2 = minimizeTrace(sys, m.property, m.trace);
            if (failingPrefix(withF, m.property, t2) < 0) {
              trace = t2;
              mended = true;
            }
          }
        }
        length = trace.length;
        traceFile = join(outDir, `${f.name}.json`);
        pending.push({ file: traceFile, text: traceFileText(sys, descriptor, own.property, trace, f.description) });
      }
      const { verdict, others } = fixedVerdict(fixedRun(config), f.mends);
      rows.push({
        fix: f.name,
        mends: f.mends,
        config: configName(descriptor),
        off,
        found: v ? { property: v.property, step: v.depth, message: v.message } : null,
        reproduced: own ? own.depth : null,
        mended,
        unmendedFirst,
        length,
        traceFile,
        states: r.states,
        complete: r.complete,
        fixed: verdict,
        fixedOthers: others,
        ok: traceFile !== null && mended && verdict.kind === 'holds',
      });
    }

    // The faithful model on canonical, as `cramcheck explore` reports it by default.
    let faithful: { property: string; step: number; file: string } | null = null;
    if (only.length === 0) {
      const { sys, descriptor } = resolveSystem({ system: 'kernel', config: DEFAULT_CONFIG, mutant: null, fixes: [] });
      const v = explore(sys, opts).violations[0];
      if (v) {
        const file = join(outDir, FAITHFUL_FILE);
        const note = `the faithful v4 model (no fixes) as it first fails on ${DEFAULT_CONFIG}: what \`cramcheck explore\` reports by default`;
        pending.push({ file, text: traceFileText(sys, descriptor, v.property, v.trace, note) });
        faithful = { property: v.property, step: v.depth, file };
      }
    }

    // Files only after every exploration finished: no half-written corpus.
    for (const w of pending) {
      try {
        writeFileAtomic(w.file, w.text);
      } catch (e) {
        throw new UsageError(`--out-dir: cannot write '${w.file}' (${(e as { code?: string }).code ?? 'error'})`);
      }
    }
    // The .md of every finding written, from its prose and the fresh trace (never stale).
    const docs = findingMarkdownFiles(loadFindingDocs(outDir, chosen.map((f) => f.name)), outDir);
    for (const w of docs) {
      try {
        writeFileAtomic(w.file, w.text);
      } catch (e) {
        throw new UsageError(`--out-dir: cannot write '${w.file}' (${(e as { code?: string }).code ?? 'error'})`);
      }
    }
    const ok = rows.every((r) => r.ok);
    if (flag(p, 'json')) io.out(`${JSON.stringify({ maxStates, findings: rows, faithful, ok })}\n`);
    else io.out(`${findingsText(rows, faithful, maxStates).join('\n')}\n`);
    return ok ? EXIT_OK : EXIT_VIOLATION;
  },
};

function foundText(r: FindingRow): string {
  if (r.found === null) return `NO FINDING (${r.states} states${r.complete ? ', exhaustive' : ', bounded'})`;
  if (r.length === null) return `MISMATCH: ${r.found.property} fails first (step ${r.found.step}), ${r.mends} never`;
  const mismatch = r.found.property !== r.mends ? ` (MISMATCH: ${r.found.property} fails first, step ${r.found.step})` : '';
  const other = r.unmendedFirst !== null && r.mended ? ` (a ${r.unmendedFirst}-step violation has another cause)` : '';
  return `${r.length} steps${r.mended ? '' : ' NOT MENDED by the fix'}${other}${mismatch}`;
}

function fixedText(r: FindingRow): string {
  const own = r.fixed.kind === 'holds' ? `holds (${r.fixed.states} states${r.fixed.complete ? ', exhaustive' : ', bounded'})` : `STILL FAILS at step ${r.fixed.step}`;
  return r.fixedOthers.length > 0 ? `${own}; also failing: ${r.fixedOthers.map((o) => `${o.property}@${o.step}`).join(', ')}` : own;
}

export function findingsText(rows: readonly FindingRow[], faithful: { property: string; step: number; file: string } | null, maxStates: number): string[] {
  const head = ['fix', 'invariant', 'trace', 'config', 'every fix on'];
  const cells = rows.map((r) => [r.fix, r.mends, foundText(r), r.off.length > 1 ? `${r.config} (also off: ${r.off.slice(1).join(',')})` : r.config, fixedText(r)]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(w[i]!))).join('  ');
  const out = [`cramcheck findings: kernel, bfs, max ${maxStates} states per run`, '', line(head), ...cells.map(line), ''];
  if (faithful) out.push(`faithful canonical (no fixes): ${faithful.property} at step ${faithful.step} -> ${faithful.file}`);
  for (const r of rows) if (r.traceFile) out.push(`${r.fix} -> ${r.traceFile}`);
  const bad = rows.filter((r) => !r.ok).map((r) => r.fix);
  out.push(bad.length === 0 ? `OK: ${rows.length}/${rows.length} findings reproduced, each mended with every fix on` : `FAILED: ${bad.join(', ')}`);
  return out;
}
