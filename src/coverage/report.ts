// Text rendering of a machine-coverage report: per machine, its states and
// transitions, which were reached concretely (with the witness length), and
// for the rest the reason they are unreachable — or GAP when none is known.

import type { CoverageReport } from './coverage.ts';

export function coverageText(r: CoverageReport): string[] {
  const lines = [`coverage of ${r.system}: ${r.concreteStates} concrete states${r.complete ? '' : ' (bounded)'}`];
  for (const m of r.machines) {
    lines.push('');
    lines.push(`machine ${m.machine}: ${m.states.length} states (${m.statesReached.length} reached), ${m.edges.length} transitions: ${m.covered} covered, ${m.unreachable} unreachable, ${m.gaps} gaps`);
    lines.push(`  paths: ${m.shortestPaths} shortest, ${m.simplePaths === null ? 'simple not enumerated (too many states)' : `${m.simplePaths} simple`}; state-graph edges ${m.graphEdgesCovered}/${m.graphEdges} reached`);
    const unreached = m.states.filter((s) => !m.statesReached.includes(s));
    if (unreached.length > 0) lines.push(`  states not reached: ${unreached.join(' | ')}`);
    for (const e of m.edges) {
      if (e.covered) lines.push(`  covered  ${e.label}  [${e.system ? `${e.system}, ` : ''}${e.entity}, ${e.witness!.length} steps, ${e.via}${e.scenario ? ` ${e.scenario}` : ''}]`);
    }
    for (const e of m.edges) {
      if (!e.covered && e.reason) lines.push(`  unreach  ${e.label}  -- ${e.reason}`);
    }
    for (const e of m.edges) {
      if (!e.covered && !e.reason) lines.push(`  GAP      ${e.label}`);
    }
  }
  lines.push('');
  lines.push(r.ok ? 'verdict: every machine transition is covered or explained' : 'verdict: coverage gaps (transitions neither covered nor explained)');
  return lines;
}
