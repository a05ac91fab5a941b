// Parallel BFS (--workers N, src/explore/parallel-bfs.ts): a worker thread and
// the main thread expand slices of each level, the main thread merges them in
// order, so the result is the sequential BFS's: counts, depth, and the same
// shortest counterexamples (same traces, same state indices).
import test from 'ava';
import { explore, type ExploreResult } from '../../src/explore/explorer.ts';
import { bm1System, BM1_CONFIGS, BM1_MUTANTS } from '../../models/bm1.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';

const bm1Module = new URL('../../models/bm1.ts', import.meta.url).href;
const kernelModule = new URL('../../models/kernel.system.ts', import.meta.url).href;

const sansTiming = (r: ExploreResult) => ({ ...r, timing: null, explored: null, queueBytes: null, storeBytes: null, bytesPerState: null, store: null });

test('workers 2 = workers 1 on BM1 small: counts, depth, completeness', (t) => {
  const p = BM1_CONFIGS.small;
  const one = explore(bm1System(p), { tty: false, layout: 'flat' });
  const two = explore(bm1System(p), { tty: false, workers: 2, recipe: { module: bm1Module, exportName: 'bm1System', args: [p] } });
  t.deepEqual(sansTiming(two), sansTiming(one));
  t.is(two.explored, one.explored);
});

test('workers 2 = workers 1 on BM1 mutants, going on after violations: same violations, traces and state indices', (t) => {
  const p = BM1_CONFIGS.small;
  // Two of the catalogue keep the suite short (each pool starts a worker thread).
  for (const mutant of BM1_MUTANTS.filter((m) => m === 'demote-keeps-write' || m === 'promote-keeps-charge')) {
    const opts = { tty: false, stopAtFirstViolation: false } as const;
    const one = explore(bm1System(p, { mutant }), { ...opts, layout: 'flat' });
    const two = explore(bm1System(p, { mutant }), { ...opts, workers: 2, recipe: { module: bm1Module, exportName: 'bm1System', args: [p, { mutant }] } });
    t.true(one.violations.length > 0, mutant);
    t.deepEqual(sansTiming(two), sansTiming(one), mutant);
  }
});

test('workers 2 = workers 1 stopping at the first violation: same states and the same shortest trace', (t) => {
  const p = BM1_CONFIGS.small, mutant = 'demote-ignores-budget' as const;
  const one = explore(bm1System(p, { mutant }), { tty: false, layout: 'flat' });
  const two = explore(bm1System(p, { mutant }), { tty: false, workers: 2, recipe: { module: bm1Module, exportName: 'bm1System', args: [p, { mutant }] } });
  t.is(one.violations.length, 1);
  t.deepEqual([two.states, two.depth, two.violations, two.complete], [one.states, one.depth, one.violations, one.complete]);
});

test('workers 2 = workers 1 on a kernel config (transition checks, properties), bounded', (t) => {
  const cfg = configByName('small');
  const opts = { tty: false, stopAtFirstViolation: false, maxStates: 20_000 } as const;
  const one = explore(kernelSystem(cfg), { ...opts, layout: 'flat' });
  const two = explore(kernelSystem(cfg), { ...opts, workers: 2, recipe: { module: kernelModule, exportName: 'kernelSystem', args: [cfg] } });
  t.deepEqual([two.states, two.depth, two.violations], [one.states, one.depth, one.violations]);
});

test('workers need bfs, the exact store and a recipe', (t) => {
  const sys = bm1System(BM1_CONFIGS.small);
  t.throws(() => explore(sys, { tty: false, workers: 2 }), { message: /recipe/ });
  t.throws(() => explore(sys, { tty: false, workers: 2, strategy: 'dfs', recipe: { module: bm1Module, exportName: 'bm1System', args: [] } }), { message: /bfs/ });
});
