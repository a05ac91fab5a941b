// kswapd_failures per fruitless balance_pgdat pass (src/kernel/vmscan.ts passKept) and the model's bound
// MODEL_RECLAIM_RETRIES in place of the kernel's MAX_RECLAIM_RETRIES (16).
// mm/vmscan.c: balance_pgdat increments pgdat->kswapd_failures when a whole pass reclaimed nothing; at
// MAX_RECLAIM_RETRIES wakeup_kswapd leaves the node alone until reclaim progress (shrink_node) resets it.
import test from 'ava';
import { KERNEL_CONFIG_PARAMS, configByName, makeConfig } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { MAX_RECLAIM_RETRIES, MODEL_RECLAIM_RETRIES } from '../../src/kernel/vmscan.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { runLiveness } from '../../src/cli/liveness-cmd.ts';
import { projectedReachable } from '../helpers/projection.ts';

const ALL = FIXES.map((f) => f.name);

test('a kswapd that can reclaim nothing gives up after a whole fruitless pass: on gupfork kswapd(D0) no longer rescans a pinned folio it cannot demote (P full) nor swap (no slot) for ever', (t) => {
  const sys = kernelSystem(configByName('gupfork', { fixes: ALL }));
  const run = runLiveness(sys, { only: ['LIVE-KSWAPD-SLEEPS'], deadlock: false });
  t.is(run.verdicts.length, 2);
  for (const v of run.verdicts) t.is(v.status, 'holds', `${v.id}: ${v.message}`);
});

/** gupfork's reachable states with the given bound, kswapd_failures zeroed (hopeless or not: the counter is gone). */
function projectedStates(retries: number): { states: number; projected: Set<string> } {
  const cfg = { ...makeConfig({ ...KERNEL_CONFIG_PARAMS.gupfork, fixes: ALL }), reclaimRetries: retries };
  const sys = kernelSystem(cfg);
  const f = sys.machine.L.NODE_KSWAPD_FAILURES;
  return projectedReachable(sys, (w) => {
    for (let i = 0; i < f.len; i++) w[f.off + i] = 0;
  });
}

test('MODEL_RECLAIM_RETRIES: with the model\'s bound every state the kernel\'s bound (16) reaches is reached, once kswapd_failures is projected away, at a fraction of the states', (t) => {
  const model = projectedStates(MODEL_RECLAIM_RETRIES);
  const kernel = projectedStates(MAX_RECLAIM_RETRIES);
  for (const s of kernel.projected) if (!model.projected.has(s)) return t.fail('a state reached only with MAX_RECLAIM_RETRIES');
  t.true(model.states < kernel.states);
  t.true(model.projected.size >= kernel.projected.size);
  t.is(MODEL_RECLAIM_RETRIES, 3);
});
