// Finding kswapd-hopeless-private (counterexamples/liveness/findings/kswapd-hopeless-private.md, fix
// cram-pressure-revives-kswapd): a kswapd(P) that gave up is never woken again by CRAM's boost.
// The model's kswapd sleeps after each fruitless balance_pgdat pass and gives a node up at
// MODEL_RECLAIM_RETRIES = 3; the kernel runs its fruitless passes back to back while the node is
// unbalanced (prepare_kswapd_sleep is false) and gives up at MAX_RECLAIM_RETRIES = 16. Here kswapd(P)
// runs the kernel's way: a fruitless pass that leaves P unbalanced is followed at once by the rest of
// the 16, before any other thread steps (one kernel interleaving; each later pass reads the state the
// first one left, so it is fruitless too), and the lasso is found with the kernel's bound.
import test from 'ava';
import { kernelInitial, kernelSystem, type KernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { MAX_RECLAIM_RETRIES, pgdatBalanced } from '../../src/kernel/vmscan.ts';
import { runLiveness } from '../../src/cli/liveness-cmd.ts';

const FIX = 'cram-pressure-revives-kswapd';
const ALL = FIXES.map((f) => f.name);

/** tiny with MAX_RECLAIM_RETRIES, kswapd(P)'s fruitless passes back to back while P stays unbalanced. */
function kernelPasses(fixes: readonly string[], config = 'tiny'): KernelSystem {
  const sys = kernelSystem({ ...configByName(config, { fixes }), reclaimRetries: MAX_RECLAIM_RETRIES });
  const k = kernelInitial(sys.machine);
  const L = k.L;
  return {
    ...sys,
    step(state: Uint32Array, a: number, next: Uint32Array): boolean {
      if (!sys.step(state, a, next)) return false;
      const view = new Uint16Array(next.buffer, next.byteOffset, next.length * 2);
      k.s.set(view);
      for (let nid = 0; nid < k.g.nodes; nid++) {
        if ((k.get(L.NODE_STATES, nid) & N_MEMORY_PRIVATE) === 0 || sys.describe(a).actor !== `kswapd(N${nid})`) continue;
        k.s.set(new Uint16Array(state.buffer, state.byteOffset, state.length * 2));
        const before = k.get(L.NODE_KSWAPD_FAILURES, nid);
        k.s.set(view);
        const after = k.get(L.NODE_KSWAPD_FAILURES, nid);
        // A fruitless pass just ended (kswapd asleep, one more failure) and P is still unbalanced.
        if (after === before + 1 && k.get(L.NODE_KSWAPD, nid) === 1 && !pgdatBalanced(k, nid)) {
          k.set(L.NODE_KSWAPD_FAILURES, nid, MAX_RECLAIM_RETRIES);
          view.set(k.s);
        }
      }
      return true;
    },
  };
}

test('tiny with the kernel\'s 16 fruitless passes, back to back: LIVE-PRESSURE-RELIEF fails with every fix but cram-pressure-revives-kswapd (kswapd(P) gave up, CRAM\'s boost never wakes it) and holds with every fix', (t) => {
  const off = runLiveness(kernelPasses(ALL.filter((f) => f !== FIX)), { only: ['LIVE-PRESSURE-RELIEF'], deadlock: false });
  const v = off.verdicts.find((x) => x.id === 'LIVE-PRESSURE-RELIEF');
  t.is(v?.status, 'violated', v?.message);
  const on = runLiveness(kernelPasses(ALL), { only: ['LIVE-PRESSURE-RELIEF'], deadlock: false });
  t.is(on.verdicts.find((x) => x.id === 'LIVE-PRESSURE-RELIEF')?.status, 'holds');
});

test('tiny, every fix but cram-pressure-revives-kswapd, the model\'s bound: the same finding (the lasso of counterexamples/findings/cram-pressure-revives-kswapd.json)', (t) => {
  const run = runLiveness(kernelSystem(configByName('tiny', { fixes: ALL.filter((f) => f !== FIX) })), { only: ['LIVE-PRESSURE-RELIEF'], deadlock: false });
  t.is(run.verdicts.find((x) => x.id === 'LIVE-PRESSURE-RELIEF')?.status, 'violated');
});

test('canonical --fix all with the kernel\'s 16 fruitless passes, back to back: LIVE-PRESSURE-RELIEF holds (it failed with cram_set_pressure\'s reset alone: kswapd(P), woken by the lthresh edge, gave up while the demotion that raised it was still in flight, so the fix also revives kswapd(P) when cram_migrate_to lands folios on P under the boost)', (t) => {
  const run = runLiveness(kernelPasses(ALL, 'canonical'), { only: ['LIVE-PRESSURE-RELIEF'], deadlock: false });
  t.true(run.graph.complete);
  t.is(run.verdicts.find((x) => x.id === 'LIVE-PRESSURE-RELIEF')?.status, 'holds');
});
