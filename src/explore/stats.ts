// Human-readable summaries of an exploration result, for the CLI and reports.
// Deterministic lines (no timing) are kept apart from the timing line so a
// caller can print or compare the deterministic part alone.

import { match } from 'ts-pattern';
import type { ExploreResult } from './explorer.ts';
import type { System } from './system.ts';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The deterministic summary: counts, depth, completeness, store size, violations. */
export function summaryLines(r: ExploreResult, sys?: System): string[] {
  const lines = [
    `${r.system} (${r.strategy}): ${fmt(r.states)} states, ${fmt(r.transitions)} transitions, depth ${r.depth}, ${r.complete ? 'complete' : 'INCOMPLETE'}${r.exhausted ? ` (stopped: ${exhaustText(r.exhausted.reason)})` : ''}`,
    `store: ${(r.storeBytes / 2 ** 20).toFixed(1)} MiB, ${r.bytesPerState.toFixed(1)} bytes/state${storeNote(r)}`,
  ];
  if (r.violations.length === 0) lines.push('violations: none');
  for (const v of r.violations) {
    const names = sys ? v.trace.map((a) => sys.describe(a).name).join(' -> ') : v.trace.join(',');
    lines.push(`VIOLATION ${v.property} at depth ${v.depth}: ${v.message}`);
    lines.push(`  trace: ${names || '(initial state)'}`);
  }
  return lines;
}

/** The one non-deterministic line. */
export function timingLine(r: ExploreResult): string {
  return `time: ${(r.timing.elapsedMs / 1000).toFixed(2)} s, ${fmt(r.timing.statesPerSec)} states/s`;
}

export function exhaustText(reason: NonNullable<ExploreResult['exhausted']>['reason']): string {
  return match(reason)
    .with('memory', () => 'the visited-state store could not grow (memory or byte budget)')
    .with('maxStates', () => 'state bound reached')
    .with('maxDepth', () => 'depth bound reached')
    .with('interrupted', () => 'interrupted by a signal')
    .exhaustive();
}

/** The BFS queue kept beside a store that cannot read states back; for fingerprints, that the result is probabilistic and how likely a miss is. */
export function storeNote(r: ExploreResult): string {
  const q = r.queueBytes > 0 ? `, BFS queue peak ${(r.queueBytes / 2 ** 20).toFixed(1)} MiB` : '';
  const m = r.store.missProbability;
  if (!r.store.probabilistic || !m) return q;
  return `${q}, fingerprints (probabilistic: P(a state was missed) ~ ${m.optimistic.toExponential(1)} optimistic, ${m.actual.toExponential(1)} from the actual fingerprints)`;
}
