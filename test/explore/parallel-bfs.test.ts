// Parallel BFS (--workers N, src/explore/parallel-bfs.ts): a worker thread and
// the main thread expand slices of each level, the main thread merges them in
// order, so the result is the sequential BFS's: counts, depth, and the same
// shortest counterexamples (same traces, same state indices).
import test from 'ava';
import { explore, type ExploreResult } from '../../src/explore/explorer.ts';
import { bm1System, BM1_CONFIGS, BM1_MUTANTS } from '../../models/bm1.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { bfs } from '../../src/explore/bfs.ts';
import { LaneRunner, type LanePool, type LaneTask } from '../../src/explore/lane-runner.ts';
import { parallelBfs } from '../../src/explore/parallel-bfs.ts';
import { Run } from '../../src/explore/run.ts';
import { StateStore } from '../../src/explore/store.ts';
import type { System } from '../../src/explore/system.ts';

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

// The lanes' races played out inline and in the worst order: the later lanes
// run each phase to completion before the earlier ones, so every state two
// lanes meet is claimed by the later lane first and must be taken over. The
// store must come out word for word the sequential BFS's: indices, parents, actions.
class ReversedInlinePool implements LanePool {
  private readonly runners: LaneRunner[];
  constructor(sys: System, readonly size: number) {
    this.runners = Array.from({ length: size }, () => new LaneRunner(sys));
  }
  start<R>(tasks: readonly LaneTask[]): () => R[] {
    const out: R[] = new Array<R>(tasks.length);
    for (let i = tasks.length - 1; i >= 0; i--) out[i] = this.runners[i]!.run(tasks[i]!) as R;
    return () => out;
  }
}

function storesOf(sys: System, lanes: number, limits: { maxStates: number; maxDepth: number }, stopFirst: boolean) {
  const run = (store: StateStore, par: boolean) => {
    const r = new Run(sys, store, limits, stopFirst, true, undefined, null);
    const cur = new Uint32Array(sys.words);
    sys.initial(cur);
    store.add(cur, -1, 0);
    const stopped = r.newState(cur, 0, 0);
    const out = par ? parallelBfs(r, store, new ReversedInlinePool(sys, lanes - 1), stopped, true) : bfs(r, cur, stopped);
    const n = store.size, W = sys.words;
    return { n, depth: out.depth, exhausted: out.exhausted, violations: r.violations, reach: r.reachability(), keys: store.keys.subarray(0, n * W), parent: store.parent.subarray(0, n), action: store.action.subarray(0, n), found: Int32Array.from({ length: n }, (_, i) => store.find(store.keys.subarray(i * W, i * W + W))) };
  };
  const opts = { initialCapacity: 64, maxAction: sys.actionCount - 1 };
  return same(run(new StateStore(sys.words, opts), false), run(new StateStore(sys.words, { ...opts, shared: true }), true));
}

// Large arrays compared by their first difference (a diff of them all would take minutes).
function same<T extends Record<string, unknown>>(seq: T, par: T) {
  const firstDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
    return -1;
  };
  const small = (x: T, y: T) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, ArrayBuffer.isView(v) ? { length: (v as unknown as ArrayLike<number>).length, firstDiff: firstDiff(v as unknown as ArrayLike<number>, y[k] as ArrayLike<number>) } : v]));
  return { seq: small(seq, seq), par: small(par, seq), n: seq['n'] as number, violations: seq['violations'] as unknown[], exhausted: seq['exhausted'] };
}

test('lanes racing in the worst order store exactly what the sequential BFS stores (BM1 small and a mutant, 2 and 3 lanes)', (t) => {
  for (const lanes of [2, 3]) {
    for (const mutant of [null, 'promote-keeps-charge'] as const) {
      const { seq, par, n } = storesOf(bm1System(BM1_CONFIGS.small, { mutant }), lanes, { maxStates: Infinity, maxDepth: Infinity }, false);
      t.true(n > 30_000);
      t.deepEqual(par, seq, `${lanes} lanes, ${mutant ?? 'no mutant'}`);
    }
  }
});

test('lanes racing in the worst order, cut short by the state bound or the first violation: the sequential store', (t) => {
  const kernel = kernelSystem(configByName('small'));
  const a = storesOf(kernel, 2, { maxStates: 5_000, maxDepth: Infinity }, false);
  t.is(a.exhausted, 'maxStates');
  t.deepEqual(a.par, a.seq);
  const b = storesOf(bm1System(BM1_CONFIGS.small, { mutant: 'demote-ignores-budget' }), 3, { maxStates: Infinity, maxDepth: Infinity }, true);
  t.is(b.violations.length, 1);
  t.deepEqual(b.par, b.seq);
});
