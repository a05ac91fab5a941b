// The CRAM / compression driver mutant catalogue: at each site the mutant
// must behave differently from faithful v4 (src/kernel/mutants/cram.ts).
import test from 'ava';
import { CN_DRAINING, CN_FREED, allocCramFolio, cramFaultStep, cramMigrateTo, cramRegisterPrivateNode, cramUnregisterPrivateNode, getCramNode, putCramNode } from '../../src/cram/cram.ts';
import { cramSetPressure } from '../../src/cram/pressure.ts';
import { flushKthreadStep } from '../../src/cxl/compression.ts';
import { EINVAL, ENOSPC, GFP_PRIVATE, MIGRATE_ASYNC, MMOP_OFFLINE, MR_DEMOTION, N_MEMORY_PRIVATE, ZONE_MOVABLE, __GFP_HIGHMEM, __GFP_MOVABLE } from '../../src/kernel/defs.ts';
import { folioPut } from '../../src/kernel/folio.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { EV_CN_USE_AFTER_FREE, EV_LIFECYCLE, EV_PTL_LEAK, GA_WHILE_BLOCKED, LK_PTL, PG_anon, PG_locked, PG_lru } from '../../src/kernel/layout.ts';
import { addPrivateMemoryDriverManaged } from '../../src/kernel/memory_hotplug.ts';
import { handleMmFault } from '../../src/kernel/memory.ts';
import { CRAM_MUTANTS } from '../../src/kernel/mutants/cram.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { NULL_PFN, allocPagesNode } from '../../src/kernel/page_alloc.ts';
import { setPageContent } from '../../src/kernel/page.ts';
import { scenario } from '../helpers/scenario.ts';
import { nodeBlocks } from '../helpers/machines.ts';
import { P, cramMachine, demoteProgram, ptePfn, runCpuTo, step } from './helpers.ts';

const zoneP = P * 4 + ZONE_MOVABLE;

function pFolio(k: Kernel, v = 3): number {
  const pfn = allocPagesNode(k, P, GFP_PRIVATE | __GFP_HIGHMEM | __GFP_MOVABLE, 0);
  k.setBits(k.L.PG_FLAGS, pfn, PG_anon);
  setPageContent(k, pfn, v);
  return pfn;
}

test('the catalogue has at least 12 CRAM mutants with distinct names', (t) => {
  t.true(CRAM_MUTANTS.length >= 12);
  t.is(new Set(CRAM_MUTANTS.map((m) => m.name)).size, CRAM_MUTANTS.length);
});

test('alloc-cram-ignores-blocked: v4 returns NULL while blocked; the mutant allocates on P from kswapd (PF_MEMALLOC passes the boosted watermark, 2.4(e)) and the page is GA_WHILE_BLOCKED', (t) => {
  for (const mutant of [null, 'alloc-cram-ignores-blocked']) {
    const k = cramMachine({ mutant });
    cramSetPressure(k, k.g.lthreshThread, P, 1000);
    const dst = allocCramFolio(k, k.g.kswapdThread(0), 0, P);
    if (mutant) {
      t.not(dst, NULL_PFN);
      t.true((k.get(k.L.GH_ALLOC, dst) & GA_WHILE_BLOCKED) !== 0);
    } else t.is(dst, NULL_PFN);
  }
});

test('migrate-to-ignores-pressure: v4 returns -ENOSPC at pressure 1000; the mutant migrates', (t) => {
  for (const mutant of [null, 'migrate-to-ignores-pressure']) {
    const k = cramMachine({ mutant });
    k.set(k.L.CN_PRESSURE, P, 1000);
    const r = cramMigrateTo(k, 0, [], P, MIGRATE_ASYNC, MR_DEMOTION);
    t.is(r.ret, mutant ? 0 : -ENOSPC);
  }
});

test('set-pressure-skips-blocked: v4 sets migration_blocked at 1000; the mutant does not', (t) => {
  for (const mutant of [null, 'set-pressure-skips-blocked']) {
    const k = cramMachine({ mutant });
    cramSetPressure(k, k.g.lthreshThread, P, 1000);
    t.is(k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P)), mutant ? 0 : 1);
  }
});

test('boost-not-scaled: at pressure 0 v4 writes boost 0; the mutant writes managed', (t) => {
  for (const mutant of [null, 'boost-not-scaled']) {
    const k = cramMachine({ mutant });
    cramSetPressure(k, k.g.lthreshThread, P, 0);
    t.is(k.get(k.L.ZONE_BOOST, zoneP), mutant ? k.get(k.L.ZONE_MANAGED, zoneP) : 0);
  }
});

test('free-cb-no-zero: with a full buffer v4 zeroes the folio before the buddy; the mutant does not', (t) => {
  for (const mutant of [null, 'free-cb-no-zero']) {
    const k = cramMachine({ mutant });
    k.set(k.L.CPU_BUF_ACTIVE, 0, 0); // no active buffer: flush_cb returns 2
    const pfn = pFolio(k, 3);
    folioPut(k, k.g.cpuThread(0), pfn);
    t.is(k.get(k.L.PG_CONTENT, pfn), mutant ? 3 : 0);
  }
});

test('flush-send-no-zero: v4 send zeroes the deferred folio; the mutant puts it unzeroed', (t) => {
  for (const mutant of [null, 'flush-send-no-zero']) {
    const k = cramMachine({ mutant });
    const pfn = pFolio(k, 3);
    folioPut(k, k.g.cpuThread(0), pfn);
    while (flushKthreadStep(k, 0) && k.get(k.L.THR_STAGE, k.g.flushThread) !== 0);
    t.is(k.get(k.L.PG_REF, pfn), 0);
    t.is(k.get(k.L.PG_CONTENT, pfn), mutant ? 3 : 0);
  }
});

test('flush-bit-not-set: v4 sets the flush bit in case (b); the mutant does not, so the second free queues it again', (t) => {
  for (const mutant of [null, 'flush-bit-not-set']) {
    const k = cramMachine({ mutant });
    const pfn = pFolio(k, 3);
    folioPut(k, k.g.cpuThread(0), pfn);
    t.is(k.get(k.L.PG_FLUSH_BIT, pfn), mutant ? 0 : 1);
    while (flushKthreadStep(k, 0) && k.get(k.L.THR_STAGE, k.g.flushThread) !== 0);
    // v4: back in the buddy (ref 0); mutant: re-queued by the second free (ref 1 again).
    t.is(k.get(k.L.PG_REF, pfn), mutant ? 1 : 0);
  }
});

test('cram-unregister-no-drain: v4 spins while a reference is held; the mutant frees cn and the holder\'s put is a use-after-free', (t) => {
  for (const mutant of [null, 'cram-unregister-no-drain']) {
    const k = cramMachine({ mutant });
    t.true(getCramNode(k, P));
    const r = cramUnregisterPrivateNode(k, k.g.driverThread, P);
    t.is(r.blocked, !mutant);
    t.is(k.get(k.L.CN_STATE, P), mutant ? CN_FREED : CN_DRAINING);
    putCramNode(k, P);
    t.is(k.has(k.L.GH_EVENTS, 0, EV_CN_USE_AFTER_FREE), !!mutant);
  }
});

test('cram-fault-keeps-ptl: the F2 failure path returns with the PTL held (the fault path records EV_PTL_LEAK)', (t) => {
  for (const mutant of [null, 'cram-fault-keeps-ptl']) {
    const k = cramMachine({ mutant, programs: [[...demoteProgram(0, 5, P), { op: 'write', vaddr: 0, value: 6 }], []] });
    runCpuTo(k, 0, 3);
    k.clearBits(k.L.PG_FLAGS, ptePfn(k, 0, 0), PG_lru);
    const tid = k.g.cpuThread(0);
    handleMmFault(k, tid, 0, 0, true); // ops read
    cramFaultStep(k, tid); // F1
    const r = cramFaultStep(k, tid); // F2 fails
    t.true(r.done);
    t.is(k.has(k.L.THR_LOCKS, tid, LK_PTL), !!mutant);
    // Through the scheduler the fault path records the leak.
    const k2 = cramMachine({ mutant, programs: [[...demoteProgram(0, 5, P), { op: 'write', vaddr: 0, value: 6 }], []] });
    runCpuTo(k2, 0, 3);
    k2.clearBits(k2.L.PG_FLAGS, ptePfn(k2, 0, 0), PG_lru);
    step(k2, 'cpu0');
    step(k2, 'cpu0');
    step(k2, 'cpu0');
    t.is(k2.has(k2.L.GH_EVENTS, 0, EV_PTL_LEAK), !!mutant);
  }
});

test('cram-fault-isolated-leak: after a failed promotion v4 nets NR_ISOLATED to 0; the mutant leaves +1', (t) => {
  for (const mutant of [null, 'cram-fault-isolated-leak']) {
    const k = cramMachine({ mutant, programs: [[...demoteProgram(0, 5, P), { op: 'write', vaddr: 0, value: 6 }], []] });
    runCpuTo(k, 0, 3);
    k.setBits(k.L.PG_FLAGS, ptePfn(k, 0, 0), PG_locked);
    for (let i = 0; i < 6; i++) step(k, 'cpu0');
    t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, P), mutant ? 1 : 0);
  }
});

test('cram-register-not-private: v4 refuses a registered-but-offline node with -EINVAL; the mutant registers (EV_LIFECYCLE)', (t) => {
  for (const mutant of [null, 'cram-register-not-private']) {
    const k = scenario({ mutant });
    const { first, n } = nodeBlocks(k, P);
    t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_OFFLINE, 0), 0);
    t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
    t.is(cramRegisterPrivateNode(k, P, 0, true), mutant ? 0 : -EINVAL);
    t.is(k.has(k.L.GH_EVENTS, 0, EV_LIFECYCLE), !!mutant);
  }
});

test('cram-register-no-kswapd: v4 starts kswapd(P) at registration; the mutant does not', (t) => {
  for (const mutant of [null, 'cram-register-no-kswapd']) {
    const k = cramMachine({ mutant });
    t.is(k.get(k.L.NODE_KSWAPD, P), mutant ? 0 : 1);
  }
});
