// The closing summary of `cramcheck explore`, written for someone running it
// for the first time: what was explored (the configuration in words, the
// invariants and machines that judged it), whether the search finished and
// if not why, which invariants broke with where each trace went, and the
// commands to run next.

import type { ExploreResult } from '../explore/explorer.ts';
import type { System } from '../explore/system.ts';
import { exhaustText } from '../explore/stats.ts';
import type { SystemDescriptor } from '../trace/format.ts';
import { describeSystem } from '../trace/render.ts';
import type { Baseline } from './baseline.ts';
import { relative } from 'node:path';

export interface WrittenTrace {
  readonly property: string;
  readonly path: string;
  readonly steps: number;
}

export interface SummaryInput {
  readonly sys: System;
  readonly d: SystemDescriptor;
  readonly r: ExploreResult;
  /** Nothing left unexplored. */
  readonly finished: boolean;
  readonly written: readonly WrittenTrace[];
  readonly baseline: Baseline | null;
  /** Violated properties the baseline does not know (null without --baseline). */
  readonly unknown: readonly string[] | null;
  /** What stopped the run early, when a signal did. */
  readonly stoppedBy: string | null;
  readonly outPath: string | null;
  /** The configuration in words (kernel: nodes, CPUs, programs, device), when known. */
  readonly scenario?: readonly string[];
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

function fixesWords(d: SystemDescriptor, catalogueSize: number | null): string {
  if (d.fixes.length === 0) return d.system === 'kernel' ? 'v4 as written (no fixes)' : 'no fixes';
  if (catalogueSize !== null && d.fixes.length === catalogueSize) return 'every fix of the catalogue on';
  return `fixes on: ${d.fixes.join(', ')}`;
}

/** The summary lines (no trailing newline). */
export function exploreSummary(s: SummaryInput, catalogueSize: number | null = null): string[] {
  const { sys, d, r } = s;
  const invariants = new Set(sys.properties.map((p) => p.id)).size;
  const conformance = sys.checkTransition ? 'every step also judged by the protocol machines (conformance)' : 'no conformance check';
  const lines = ['== summary ==', `explored: ${describeSystem(d)}${d.mutant ? `, seeded bug '${d.mutant}'` : ''}, ${fixesWords(d, catalogueSize)}`];
  for (const l of s.scenario ?? []) lines.push(`  ${l}`);
  lines.push(`checked: ${invariants} invariants in every reachable state; ${conformance}${sys.deadlock ? '; deadlock' : ''}`);
  const how = `${r.store.probabilistic ? ' (fingerprints: probabilistic)' : ''}${r.reductions?.symmetry !== undefined ? ' (symmetry: one state per orbit)' : ''}${r.reductions?.por ? ' (partial-order reduced)' : ''}`;
  if (s.finished) {
    const covered = r.reductions ? 'every reachable state is covered by the reduction' : 'every reachable state was checked';
    lines.push(`search: finished, ${fmt(r.states)} states, depth ${r.depth}${how}: ${covered}`);
  } else {
    const why = s.stoppedBy ? `stopped by ${s.stoppedBy}` : r.exhausted ? exhaustText(r.exhausted.reason) : 'stopped at the first violation (--stop-at-first)';
    lines.push(`search: INCOMPLETE after ${fmt(r.states)} states, depth ${r.depth}${how}: ${why}`);
    lines.push('  states beyond that point were not explored: a violation may still hide there');
  }
  if (r.unreached.length > 0) {
    lines.push(`vacuity: ${r.unreached.length} behaviour(s) this configuration exists to reach never happened: ${r.unreached.join(', ')}`);
  }
  if (r.violations.length === 0) {
    lines.push(s.finished ? 'verdict: every invariant holds' : 'verdict: no violation in the part explored (not a proof: exit 3)');
  } else {
    const subject = d.system === 'kernel' && d.fixes.length === 0 && !d.mutant ? 'v4' : 'this kernel';
    lines.push(`verdict: ${subject} breaks ${r.violations.length} invariant(s); shortest trace of each:`);
    const w = Math.max(...r.violations.map((v) => v.property.length));
    for (const v of r.violations) {
      const t = s.written.find((x) => x.property === v.property);
      const known = s.baseline ? (s.baseline.known.has(v.property) ? '  known' : '  NEW') : '';
      lines.push(`  ${v.property.padEnd(w)}  ${String(v.trace.length).padStart(3)} steps${known}  ${t ? shown(t.path) : ''}`);
    }
    if (s.baseline && s.unknown) {
      lines.push(
        s.unknown.length === 0
          ? `baseline ${shown(s.baseline.dir)}: every violated invariant is a known finding`
          : `baseline ${shown(s.baseline.dir)}: ${s.unknown.length} violated invariant(s) not in the baseline: ${s.unknown.join(', ')}`,
      );
    }
  }
  if (s.outPath !== null && s.outPath !== '-') lines.push(`--out: ${r.violations.length > 0 ? 'first counterexample trace' : 'run statistics (JSON)'} written to ${shown(s.outPath)}`);
  lines.push('next:');
  const first = s.written[0];
  if (first) lines.push(`  npx cramcheck replay ${shown(first.path)}   # re-run a trace step by step`);
  if (d.system === 'kernel' && d.fixes.length === 0) lines.push(`  npx cramcheck explore${typeof d.config === 'string' && d.config !== 'canonical' ? ` --config ${d.config}` : ''} --fix all   # the same with every fix of the catalogue`);
  // The baseline matches by invariant only: a known bug breaking another invariant here reads as NEW.
  if (d.system === 'kernel' && s.unknown && s.unknown.length > 0 && typeof d.config === 'string') lines.push(`  npx cramcheck triage --config ${d.config}   # which fix mends each NEW one (a known bug's other consequence, or none)`);
  if (d.system === 'kernel') lines.push('  counterexamples/findings/README.md   # each known finding: trace, v4 code, fix');
  if (d.system === 'kernel' && r.violations.length > 0) lines.push(`  npx cramcheck explain ${r.violations[0]!.property}   # what it says, why it matters, its kernel code and RFC sentence`);
  if (!s.finished) lines.push('  raise or drop --max-states / --max-depth to finish the search');
  return lines;
}
