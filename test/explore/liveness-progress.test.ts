// The liveness graph build reports progress and stops on a signal (issue 13:
// `flush` builds its graph for half an hour; before this it printed nothing
// until the end, and a stop killed it without a verdict).
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { buildStateGraph } from '../../src/explore/liveness-graph.ts';
import { progressSink, type ProgressInfo } from '../../src/explore/progress.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const sys = () => kernelSystem(configByName('tiny', { fixes: FIXES.map((f) => f.name) }));

test('liveness graph: progress ticks with growing counts and BFS depth', (t) => {
  const seen: ProgressInfo[] = [];
  const g = buildStateGraph(sys(), { progress: progressSink({ mode: 'off', callback: (p) => seen.push(p), intervalMs: 0 }) });
  t.true(g.complete);
  t.true(seen.length >= 2, `${seen.length} ticks for ${g.states} states`);
  for (let k = 1; k < seen.length; k++) {
    t.true(seen[k]!.explored > seen[k - 1]!.explored);
    t.true(seen[k]!.depth >= seen[k - 1]!.depth);
  }
  t.true(seen.at(-1)!.depth > 0);
  t.true(seen.every((p) => p.queue === p.states - p.explored && p.storeBytes > 0));
});

test('liveness graph: a stop request ends the build incomplete, with the reason', (t) => {
  let polls = 0;
  const g = buildStateGraph(sys(), { shouldStop: () => ++polls >= 2 });
  t.false(g.complete);
  t.is(g.stopReason, 'signal');
  t.is(g.expanded, 2 * 4096);
  const full = buildStateGraph(sys());
  t.true(full.complete);
  t.is(full.stopReason, null);
  t.true(g.states < full.states);
});
