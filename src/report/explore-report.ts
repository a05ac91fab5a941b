// Summaries of an exploration: a JSON object (fixed key order; `timing` is the
// only field that may differ between two runs) and a stable text summary
// followed by the verdict and, on a violation, the rendered counterexample.

import type { ExploreResult } from '../explore/explorer.ts';
import { exhaustText, storeNote } from '../explore/stats.ts';
import type { System } from '../explore/system.ts';
import type { SystemDescriptor } from '../trace/format.ts';
import { describeSystem, describeVariant, renderCounterexample } from '../trace/render.ts';
import { propertySource } from '../trace/replay.ts';

export interface ViolationJson {
  readonly property: string;
  readonly source: string;
  readonly kind: 'state' | 'transition';
  readonly message: string;
  readonly depth: number;
  readonly trace: number[];
  readonly steps: { readonly action: number; readonly actor: string; readonly name: string }[];
}

export interface ExploreJson {
  readonly system: string;
  readonly config: SystemDescriptor['config'];
  readonly params?: Record<string, number>;
  readonly mutant: string | null;
  readonly fixes: readonly string[];
  readonly strategy: string;
  readonly states: number;
  readonly explored: number;
  readonly transitions: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly exhausted: string | null;
  readonly storeBytes: number;
  readonly bytesPerState: number;
  readonly store: ExploreResult['store'];
  readonly properties: readonly string[];
  readonly violations: readonly ViolationJson[];
  readonly traceFile?: string;
  readonly reductions?: ExploreResult['reductions'];
  readonly timing: ExploreResult['timing'];
}

export function violationJson(sys: System, v: ExploreResult['violations'][number]): ViolationJson {
  return {
    property: v.property,
    source: propertySource(sys, v.property),
    kind: v.kind,
    message: v.message,
    depth: v.depth,
    trace: [...v.trace],
    // actor and name only: ActionInfo may carry more (fairness) than a step records.
    steps: v.trace.map((a) => ({ action: a, actor: sys.describe(a).actor, name: sys.describe(a).name })),
  };
}

export function exploreJson(sys: System, d: SystemDescriptor, r: ExploreResult, traceFile?: string): ExploreJson {
  return {
    system: d.system,
    config: d.config,
    ...(d.params ? { params: d.params } : {}),
    mutant: d.mutant,
    fixes: d.fixes,
    strategy: r.strategy,
    states: r.states,
    explored: r.explored,
    transitions: r.transitions,
    depth: r.depth,
    complete: r.complete,
    exhausted: r.exhausted?.reason ?? null,
    storeBytes: r.storeBytes,
    bytesPerState: Math.round(r.bytesPerState * 100) / 100,
    store: r.store,
    properties: sys.properties.map((p) => p.id),
    violations: r.violations.map((v) => violationJson(sys, v)),
    ...(traceFile !== undefined ? { traceFile } : {}),
    ...(r.reductions ? { reductions: r.reductions } : {}),
    timing: r.timing,
  };
}

function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** The verdict line alone (also used by the mutants summary). */
export function verdictLine(sys: System, r: ExploreResult): string {
  const v = r.violations[0];
  if (v) return `VIOLATION: ${v.property} at step ${v.depth}: ${v.message}`;
  const n = sys.properties.length;
  if (r.complete) return `OK: all ${n} properties hold in every reachable state`;
  return `INCOMPLETE: no violation in the ${r.states} states explored, but the search stopped (${r.exhausted ? exhaustText(r.exhausted.reason) : 'bound'}): not a proof`;
}

/** Per-state sizes and rates only for runs large and long enough to measure them. */
export function meaningfulRates(r: ExploreResult): boolean {
  return r.states >= 10_000 && r.timing.elapsedMs >= 1000;
}

export interface ExploreTextOptions {
  /** How a counterexample is shown (default: the one-line-per-step render). */
  readonly render?: (property: string, trace: readonly number[]) => string[];
  /** Render only the first this many violations' traces (the rest are files; default all). */
  readonly renderFirst?: number;
}

/** What the reductions in force did, and what they change in the traces. */
export function reductionLines(r: ExploreResult): string[] {
  const red = r.reductions;
  if (!red) return [];
  const out: string[] = [];
  if (red.symmetry !== undefined) out.push(`symmetry: one state per orbit of ${red.symmetry}; traces are concrete and replayable`);
  if (red.por) {
    const p = red.por;
    out.push(`partial-order reduction: ${p.reducedStates} of ${r.explored} states expanded with an ample set (${p.provisoFull} fully expanded by the cycle proviso); footprints from a pre-pass of ${p.prepassStates} states, ${p.groups} transition groups, ${p.extensions} declared during the run`);
    out.push('  counterexamples are replayable but not necessarily the shortest');
  }
  return out;
}

/** Text report: lines without a trailing newline. The `time` line is the only unstable one. */
export function exploreText(sys: System, d: SystemDescriptor, r: ExploreResult, traceFile?: string, o: ExploreTextOptions = {}): string[] {
  const render = o.render ?? ((p: string, t: readonly number[]) => renderCounterexample(sys, d, p, t));
  const lines = [
    `cramcheck explore: ${describeSystem(d)}, ${describeVariant(d)}, ${r.strategy}`,
    `states ${r.states}  explored ${r.explored}  transitions ${r.transitions}  depth ${r.depth}  complete ${r.complete ? 'yes' : 'no'}${r.exhausted ? ` (bound: ${r.exhausted.reason})` : ''}`,
    // Rates and per-state sizes of a tiny run mean nothing (22893.7 bytes/state for 3 states).
    meaningfulRates(r) ? `store ${bytes(r.storeBytes)} (${r.bytesPerState.toFixed(1)} bytes/state)${storeNote(r)}` : `store ${bytes(r.storeBytes)}${storeNote(r)}`,
    meaningfulRates(r) ? `time ${(r.timing.elapsedMs / 1000).toFixed(2)} s (${r.timing.statesPerSec} states/s)` : `time ${(r.timing.elapsedMs / 1000).toFixed(2)} s`,
    ...reductionLines(r),
    verdictLine(sys, r),
  ];
  for (const v of r.violations.slice(0, o.renderFirst ?? r.violations.length)) {
    lines.push('');
    // A loop, not push(...): a raw DFS trace can have more lines than the argument limit.
    for (const l of render(v.property, v.trace)) lines.push(l);
  }
  if (traceFile !== undefined) lines.push('', `trace written to ${traceFile}`);
  return lines;
}
