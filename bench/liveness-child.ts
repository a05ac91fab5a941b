// One liveness run on the kernel system, in its own process: the full state
// graph (every edge kept), the deadlock check and every temporal property of
// the config, with the same fixes and bound as the safety row beside it.
// Prints one JSON line: states, transitions, seconds to build the graph and to
// judge the properties, graph bytes, bytes/state, rss now and at its peak
// (the peak includes the checker's per-property arrays beside the graph).
// Usage: node --import tsx bench/liveness-child.ts canonical [--max-states N] [--fix all]
import { kernelSystem } from '../models/kernel.system.ts';
import { buildStateGraph, graphBytes } from '../src/explore/liveness-graph.ts';
import { checkDeadlocks, checkTemporals } from '../src/explore/liveness.ts';
import { configByName } from '../src/kernel/configs.ts';
import { FIXES } from '../src/kernel/fixes.ts';

const argv = process.argv.slice(2);
const name = argv[0] ?? 'canonical';
const mi = argv.indexOf('--max-states');
const fixes = argv.includes('--fix') ? FIXES.map((f) => f.name) : [];
const sys = kernelSystem(configByName(name, { fixes }));
const t0 = process.hrtime.bigint();
const g = buildStateGraph(sys, mi >= 0 ? { maxStates: Number(argv[mi + 1]) } : {});
const t1 = process.hrtime.bigint();
const dl = checkDeadlocks(g);
const verdicts = checkTemporals(g, sys.liveness ?? []);
const t2 = process.hrtime.bigint();
const bytes = graphBytes(g);
console.log(JSON.stringify({
  config: name,
  fixes: fixes.length,
  states: g.states,
  transitions: g.transitions,
  complete: g.complete,
  properties: verdicts.length,
  violated: verdicts.filter((v) => v.status === 'violated').length,
  deadlock: dl.deadlock !== null,
  graphSeconds: Number(t1 - t0) / 1e9,
  checkSeconds: Number(t2 - t1) / 1e9,
  graphBytes: bytes,
  bytesPerState: bytes / Math.max(1, g.states),
  rssMiB: process.memoryUsage().rss / 2 ** 20,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
}));
