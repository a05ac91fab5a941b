// `cramcheck findings` for a fix whose finding is a liveness violation (its
// `mends` is a temporal property, src/kernel/fixes.ts LIVENESS_FIXES): the
// liveness checker instead of a BFS for an invariant.
// 1. the liveness graph of F's config with every fix on but F (and its
//    alsoOff), judging only F's property: a violation is the finding, written
//    as a lasso DIR/<F>.json (note = F's description);
// 2. attribution: the lasso replayed with F on no longer reproduces (it
//    diverges, the cycle no longer closes, or the goal is reached);
// 3. the same config with every fix on: F's property holds (or is unknown on
//    a bounded graph); other temporal properties violated there are listed.

import { join } from 'node:path';
import type { Fix } from '../kernel/mutants/types.ts';
import { makeLassoTrace, serializeTrace, type TraceStep } from '../trace/format.ts';
import { isLassoReproduced, replayLasso } from '../trace/lasso.ts';
import type { System } from '../explore/system.ts';
import type { FindingRow, FixedVerdict } from './findings-cmd.ts';
import { runLiveness } from './liveness-cmd.ts';
import { resolveSystem } from './systems.ts';

export function isLivenessFix(f: Fix): boolean {
  return f.mends.startsWith('LIVE-');
}

function steps(sys: System, actions: readonly number[]): TraceStep[] {
  return actions.map((a) => {
    const i = sys.describe(a);
    return { action: a, actor: i.actor, name: i.name };
  });
}

/** The finding row of a liveness fix; the lasso to write is pushed on `pending`. */
export function livenessFindingRow(f: Fix, fixes: readonly string[], off: readonly string[], config: string, maxStates: number, outDir: string, pending: { file: string; text: string }[]): FindingRow {
  const { sys, descriptor } = resolveSystem({ system: 'kernel', config, mutant: null, fixes, conformance: false });
  const run = runLiveness(sys, { maxStates, only: [f.mends], deadlock: false });
  const v = run.verdicts.find((x) => x.id === f.mends && x.status === 'violated');
  let traceFile: string | null = null;
  let mended = false;
  let length: number | null = null;
  if (v?.lasso) {
    const stem = steps(sys, v.lasso.stem);
    const cycle = steps(sys, v.lasso.cycle);
    traceFile = join(outDir, `${f.name}.json`);
    pending.push({ file: traceFile, text: serializeTrace(makeLassoTrace(descriptor, { property: v.id, source: v.source, stem, cycle }, f.description)) });
    length = stem.length + cycle.length;
    const withF = resolveSystem({ system: 'kernel', config, mutant: null, fixes: [...fixes, f.name], conformance: false }).sys;
    mended = !isLassoReproduced(replayLasso(withF, f.mends, [...stem, ...cycle], stem.length));
  }
  const all = resolveSystem({ system: 'kernel', config, mutant: null, fixes: ['all'], conformance: false }).sys;
  const fixedRun = runLiveness(all, { maxStates, deadlock: false });
  const own = fixedRun.verdicts.find((x) => x.id === f.mends);
  const fixed: FixedVerdict = own?.status === 'violated'
    ? { kind: 'fails', step: own.lasso!.stem.length, message: own.message }
    : { kind: 'holds', states: fixedRun.graph.states, complete: fixedRun.graph.complete };
  const others = fixedRun.verdicts.filter((x) => x.id !== f.mends && x.status === 'violated').map((x) => ({ property: x.id, step: x.lasso!.stem.length }));
  return {
    fix: f.name,
    mends: f.mends,
    config,
    off,
    found: v ? { property: v.id, step: v.lasso!.stem.length, message: v.message } : null,
    reproduced: length,
    mended,
    unmendedFirst: null,
    length,
    traceFile,
    states: run.graph.states,
    complete: run.graph.complete,
    fixed,
    fixedOthers: others,
    ok: traceFile !== null && mended && fixed.kind === 'holds',
  };
}
