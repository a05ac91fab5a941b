// Issue 12 item 4: migrate_pages on a batch is not one step.
// v4 mm/migrate.c: migrate_pages_batch runs the unmap loop first (for each
// folio: get_new_folio, then migrate_folio_unmap; "case -ENOMEM: When memory
// is low, don't bother to try to migrate other folios, move unmapped folios,
// then exit"), then "move:" migrate_folios_move. mm/cram.c: alloc_cram_folio
// (the get_new_folio of cram_migrate_to) returns NULL while
// np->migration_blocked, checked per destination folio. Other CPUs run
// between two folios: a set_pressure IRQ thread can block the node after the
// first allocation of a batch and before the second.
import test from 'ava';
import { CRAM_PRESSURE_MAX } from '../../src/kernel/defs.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { PTE_MIGRATION, REF_CN, THREAD_REGS } from '../../src/kernel/layout.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { OP_KSWAPD_DEMOTE } from '../../src/kernel/ops_codes.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { IRQ_LTHRESH } from '../../src/cxl/device.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { D0, P, nodeOf, ptePfn, runCpu, slotOf, step } from '../helpers/scenario.ts';
import { cramMachine } from '../cram/helpers.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const HIGH = { min: 0, low: 0, high: 64 };
const two: ProgramOp[] = [
  { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 },
  { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 1 },
];

/** kswapd(D0) has both folios in its demotion batch and has entered cram_migrate_to. */
function batchOfTwo(): { k: Kernel; v0: number; v1: number; tid: number } {
  const k = cramMachine({ wmark: HIGH, programs: [two, []] });
  runCpu(k, 0);
  const v0 = ptePfn(k, 0, 0);
  const v1 = ptePfn(k, 0, 1);
  wakeupKswapd(k, D0 * 4 + 2);
  const tid = k.g.kswapdThread(D0);
  if (!step(k, 'kswapd0', v0 - 0)) throw new Error('isolate v0');
  if (!step(k, 'kswapd0', v1)) throw new Error('v1 joins the batch');
  if (!step(k, 'kswapd0', 0)) throw new Error('node_private_migrate_to: np reference');
  if (!step(k, 'kswapd0', 0)) throw new Error('cram_migrate_to: get_cram_node, pressure check');
  return { k, v0, v1, tid };
}

const blocked = (k: Kernel) => k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P));

test('the unmap loop allocates and unmaps one folio per step; no copy before every folio of the batch is unmapped (migrate_pages_batch)', (t) => {
  const { k, v0, v1, tid } = batchOfTwo();
  t.true(k.has(k.L.THR_REFS, tid, REF_CN), 'cram_migrate_to holds its cram_node reference across the batch');
  const used0 = k.get(k.L.DEV_USED, 0);
  t.true(step(k, 'kswapd0', 0), 'unmap v0');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, 'v0 is under a migration entry');
  t.is(ptePfn(k, 0, 1), v1, 'v1 is still mapped: its turn has not come');
  t.true(step(k, 'kswapd0', 0), 'unmap v1');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 1)), PTE_MIGRATION);
  t.is(k.get(k.L.DEV_USED, 0), used0, 'nothing copied to P yet: the device has not seen the batch');
  t.true(step(k, 'kswapd0', 0), 'move v0');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 1)), PTE_MIGRATION, 'v1 waits for its move');
  t.true(step(k, 'kswapd0', 0), 'move v1, cram_migrate_to returns');
  t.is(nodeOf(k, ptePfn(k, 0, 1)), P);
  t.false(k.has(k.L.THR_REFS, tid, REF_CN), 'put_cram_node after migrate_pages');
  t.is(k.get(k.L.THR_OP, tid), OP_KSWAPD_DEMOTE, 'the np put is still to come');
  t.is(k.get(k.L.PG_REF, v0), 0);
  t.is(k.get(k.L.PG_REF, v1), 0);
});

test('a set_pressure between two folios of one batch blocks the second allocation: the first folio still moves, the second stays on the list', (t) => {
  const { k, v0, v1, tid } = batchOfTwo();
  t.true(step(k, 'kswapd0', 0), 'unmap v0: alloc_cram_folio passes (not blocked)');
  // The device raises lthresh; its IRQ thread runs on another CPU: S1..S4.
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH);
  for (let i = 0; i < 4; i++) t.true(step(k, 'lthresh'), `set_pressure step ${i + 1}`);
  t.is(k.get(k.L.CN_PRESSURE, P), CRAM_PRESSURE_MAX);
  t.is(blocked(k), 1);
  t.true(step(k, 'kswapd0', 0), 'unmap v1: alloc_cram_folio = NULL (migration_blocked) -> -ENOMEM, goto move');
  t.is(ptePfn(k, 0, 1), v1, 'v1 was never unmapped');
  t.true(step(k, 'kswapd0', 0), 'move v0 (the folio unmapped before the edge)');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P, 'v0 overshot the edge by one folio');
  t.is(k.get(k.L.PG_REF, v0), 0);
  const R = tid * THREAD_REGS;
  t.is(k.get(k.L.THR_REG, R + 1), v1 + 1, 'v1 is the list migrate_pages hands back');
  t.is(k.get(k.L.THR_REG, R + 2), 0);
});

test('config batch2 reaches a batch blocked midway (REACH-BATCH-BLOCKED-MIDWAY) and the other entries it declares (bounded BFS)', (t) => {
  const sys = kernelSystem(configByName('batch2', { fixes: FIXES.map((f) => f.name) }));
  const p = withReachProbe(withProperties(sys, () => false));
  explore(p.sys, { strategy: 'bfs', maxStates: 400_000 });
  t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
  t.true(p.declared.includes('REACH-BATCH-BLOCKED-MIDWAY'));
});
