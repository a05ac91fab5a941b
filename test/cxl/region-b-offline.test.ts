// Region B's release offlines its range in offline_pages' rounds, a step each
// (issue 12 item 11's last open row): cxl_mempolicy_remove -> cxl_destroy_region
// -> cxl_sysram_release -> sysram_hotplug_remove -> offline_and_remove_private_memory
// (drivers/cxl/core/region_sysram.c; mm/memory_hotplug.c, v4 at
// katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f):
// offline_pages loops `do { ... if (signal_pending(current)) { ret = -EINTR; ...
// goto failed_removal_isolated; } ... } while (ret);` and the unbinding task can
// take a signal while it does. Before, the model ran the whole release in one
// step (a signal only where a round changed nothing), and CPU 1 had no signal
// choice: these tests fail there.
import test from 'ava';
import { boot } from '../../src/kernel/boot.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { BLOCK_ONLINE } from '../../src/kernel/defs.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { rbFlags, RB_RES, RB_SYSRAM } from '../../src/kernel/np_owner.ts';
import { regionBBlocks } from '../../src/cxl/regions.ts';
import { RB_OFFLINING, RB_SIGNAL } from '../../src/cxl/region_b.ts';
import { step } from '../helpers/scenario.ts';

const P = 1;

function probedB(fixes: readonly string[] = []): Kernel {
  const k = boot(buildMachine(configByName('tworegions', { fixes })));
  const tid = k.g.cpuThread(1);
  for (let i = 0; i < 4 && k.get(k.L.THR_PC, tid) === 0; i++) step(k, 'cpu1');
  if (k.get(k.L.THR_PC, tid) !== 1 || !(rbFlags(k) & RB_RES)) throw new Error('region B not probed');
  return k;
}

test('region B\'s release is offline_pages\' rounds: the op stays inside the release, and the unbinding task can take a signal there', (t) => {
  const k = probedB();
  const tid = k.g.cpuThread(1);
  t.true(step(k, 'cpu1')); // WARN_ON(node_private_clear_ops)
  t.false(step(k, 'cpu1', 2), 'no signal before offline_pages loops');
  t.true(step(k, 'cpu1')); // offline_pages: the range isolated, the loop entered
  t.is(k.get(k.L.THR_PC, tid), 1, 'the remove op is not over');
  t.truthy(rbFlags(k) & RB_OFFLINING);
  t.true(step(k, 'cpu1', 2), 'signal delivered while offline_pages loops');
  t.truthy(rbFlags(k) & RB_SIGNAL);
  t.false(step(k, 'cpu1', 2), 'one pending signal');
  // The next round sees signal_pending: -EINTR, the block is onlined again, the release goes on (kfree).
  for (let i = 0; i < 4 && k.get(k.L.THR_PC, tid) === 1; i++) step(k, 'cpu1');
  t.is(k.get(k.L.THR_PC, tid), 2);
  const { first } = regionBBlocks(k, P);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_ONLINE, 'offline_pages failed with -EINTR and rolled back');
  t.is(rbFlags(k) & (RB_OFFLINING | RB_SIGNAL | RB_SYSRAM), 0, 'the op returned: no release in progress, the signal taken');
});

test('without a signal region B\'s release offlines and removes its range in steps', (t) => {
  const k = probedB(['sysram-release-keeps-np']);
  const tid = k.g.cpuThread(1);
  let n = 0;
  while (k.get(k.L.THR_PC, tid) === 1 && n < 10 && step(k, 'cpu1')) n++;
  t.is(k.get(k.L.THR_PC, tid), 2);
  t.true(n >= 3, `clear_ops, offline_pages' start, its round(s), the removal: ${n} steps`);
  t.not(k.get(k.L.BLOCK_STATE, regionBBlocks(k, P).first), BLOCK_ONLINE);
});
