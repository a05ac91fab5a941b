// The teardown's offline retry bound (src/cxl/region_sysram.ts MAX_OFFLINE_ATTEMPTS) against v4's
// cxl_compression_pre_teardown: `while (true) { rc = cxl_sysram_offline_and_remove(...); if (!rc) break;
// if (++retries > 60) { ...giving up } msleep(1000); }`. offline_pages (mm/memory_hotplug.c) loops
// `do { if (signal_pending(current)) { ret = -EINTR; ... } ... } while (ret)`, so an attempt fails only on
// a signal, and the signal stays pending across msleep: every later attempt fails at its first check.
// The model may therefore stop after fewer attempts than v4's 61: this test explores the driver
// configuration exhaustively with bounds 1, 2 and 3 and compares the reachable states with the attempt
// counter (the driver's REG[0]) projected away. Bound 1 misses the states between two attempts (the
// msleep, where the other threads run while the teardown is about to retry); from 2 on, one more
// attempt adds no state: attempt k + 1 starts where attempt k started, with the signal pending.
import test from 'ava';
import { MAX_OFFLINE_ATTEMPTS } from '../../src/cxl/region_sysram.ts';
import { KERNEL_CONFIG_PARAMS, makeConfig } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { THREAD_REGS } from '../../src/kernel/layout.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { projectedReachable } from '../helpers/projection.ts';

/** Every reachable state of `driver` (every fix on, no device IRQs) with at most `attempts` offline attempts, the attempt counter zeroed. */
function projectedStates(attempts: number): Set<string> {
  const cfg = { ...makeConfig({ ...KERNEL_CONFIG_PARAMS.driver, device: false, fixes: FIXES.map((f) => f.name) }), offlineAttempts: attempts };
  const sys = kernelSystem(cfg);
  const m = sys.machine;
  const counter = m.L.THR_REG.off + m.g.driverThread * THREAD_REGS;
  return projectedReachable(sys, (w) => {
    w[counter] = 0;
  }).projected;
}

test('offline attempts: bounds 2 and 3 reach the same states once the attempt counter is projected away; bound 1 misses the retry window', (t) => {
  const one = projectedStates(1);
  const two = projectedStates(2);
  const three = projectedStates(3);
  t.true(one.size > 1000);
  t.is(three.size, two.size);
  for (const s of three) if (!two.has(s)) t.fail('a state reached only with 3 attempts');
  for (const s of one) if (!two.has(s)) t.fail('a state reached only with 1 attempt');
  t.true(two.size > one.size, 'bound 1 is too small: the model uses 2');
  t.is(MAX_OFFLINE_ATTEMPTS, 2);
});
