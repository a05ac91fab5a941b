// memory_failure with v4's node_private_ops->memory_failure notification
// (issue 12 item 12, src/kernel/memory_failure.ts), on the scenario machine
// (D0 = N0, D1 = N1, P = N2). v4 patch 21 ("mm/memory-failure: add
// memory_failure callback to node_private_ops"), mm/memory-failure.c
// memory_failure, after TestSetPageHWPoison:
//   if (unlikely(page_is_private_managed(p)))
//       folio_managed_memory_failure(page_folio(p), pfn, flags);
// and mm/internal.h folio_managed_memory_failure: ops = folio_node_private_ops(folio)
// (np and ops read under rcu_read_lock, dropped), then
// `if (ops && ops->memory_failure) ops->memory_failure(folio, pfn, mf_flags);`.
// The hook runs before get_hwpoison_page, so no reference is held; the rest is
// mainline: take_page_off_buddy for a free page, free_pages_prepare keeps a
// hwpoisoned page out of the buddy, check_new_page refuses one.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { withProperties } from '../../src/explore/system.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { pageInBuddy } from '../../src/kernel/ghost.ts';
import { PG_hwpoison, PG_lru, PTE_HWPOISON, PTE_PRESENT } from '../../src/kernel/layout.ts';
import { dupMm } from '../../src/kernel/fork.ts';
import { folioIsolateLru } from '../../src/kernel/folio.ts';
import { nodePagePfn } from '../../src/kernel/memory_failure.ts';
import { nodePrivateClearOps } from '../../src/kernel/node_private.ts';
import { OP_MEMORY_FAILURE } from '../../src/kernel/ops_codes.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { P, nodeOf, ptePfn, runCpu, scenario, slotOf, step, traced } from '../helpers/scenario.ts';

const ALL_FIXES = FIXES.map((f) => f.name);
const mf = (page: number): ProgramOp => ({ op: 'memory_failure', node: P, page });
const calls = (log: readonly string[], pfn: number): number => log.filter((l) => l === `mf.memory_failure(pfn ${pfn})`).length;

test('a free private page: the callback runs once with its pfn, the page is taken off the buddy with one reference (patch 21; take_page_off_buddy)', (t) => {
  const k = traced(scenario({ pOps: 'mf', programs: [[], [mf(0), mf(0)]] }));
  const pfn = nodePagePfn(k, P, 0);
  t.true(pageInBuddy(k, pfn));
  t.true(step(k, 'cpu1'), 'A: TestSetPageHWPoison, ops read');
  t.is(k.get(k.L.THR_OP, k.g.cpuThread(1)), OP_MEMORY_FAILURE, 'the call is a step of its own (RCU dropped)');
  t.true(step(k, 'cpu1'), 'B: the callback, then take_page_off_buddy');
  t.is(calls(k.log!, pfn), 1);
  t.false(pageInBuddy(k, pfn));
  t.is(k.get(k.L.PG_REF, pfn), 1);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_hwpoison));
  runCpu(k, 1);
  t.is(calls(k.log!, pfn), 1, 'a second report stops at TestSetPageHWPoison (-EHWPOISON) before the hook');
});

test('the allocator never hands the poisoned page out: the next folio on P lands on another page', (t) => {
  const k = scenario({ pOps: 'mf', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'move_pages', vaddr: 0, node: P }], [mf(0)]] });
  const pfn = nodePagePfn(k, P, 0);
  runCpu(k, 1);
  runCpu(k, 0);
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), P);
  t.not(now, pfn);
});

test('between the ops read and the call, clear_ops can return: the old ops\' callback still runs (R4)', (t) => {
  const k = traced(scenario({ pOps: 'mf', programs: [[], [mf(0)]] }));
  const pfn = nodePagePfn(k, P, 0);
  t.true(step(k, 'cpu1'));
  t.is(nodePrivateClearOps(k, P, opsIdByName(k, 'mf')), 0);
  t.true(step(k, 'cpu1'));
  t.is(calls(k.log!, pfn), 1);
});

test('an in-use private folio: hwpoison_user_mappings replaces its PTE by a hwpoison entry, delete_from_lru_cache takes it off the LRU, memory_failure keeps its one reference (mm/memory-failure.c: memory_failure, hwpoison_user_mappings, me_pagecache_clean)', (t) => {
  const k = traced(scenario({ pOps: 'mf', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'move_pages', vaddr: 0, node: P }], [mf(0)]] }));
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.is(pfn, nodePagePfn(k, P, 0));
  runCpu(k, 1);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_hwpoison));
  const s = slotOf(k, 0, 0);
  t.is(k.get(k.L.PTE_KIND, s), PTE_HWPOISON, 'try_to_unmap(TTU_HWPOISON): make_hwpoison_entry');
  t.is(k.get(k.L.PTE_VAL, s), pfn);
  t.is(k.get(k.L.PG_MAPCOUNT, pfn), 0);
  t.is(k.get(k.L.PG_REF, pfn), 1, 'only memory_failure\'s get_hwpoison_page reference');
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'delete_from_lru_cache');
  t.true(k.log!.some((l) => l === `memory_failure(pfn ${pfn}) = 0 (dirty LRU page: Recovered)`), k.log!.join('\n'));
});

test('the late kill: an access to the address after memory_failure faults on the hwpoison entry and gets SIGBUS, never the poisoned page (do_swap_page: VM_FAULT_HWPOISON)', (t) => {
  const k = traced(scenario({ pOps: 'mf', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'move_pages', vaddr: 0, node: P }, { op: 'read', vaddr: 0 }], [mf(0)]] }));
  const t0 = k.g.cpuThread(0);
  for (let i = 0; i < 30 && k.get(k.L.THR_PC, t0) < 3; i++) step(k, 'cpu0');
  runCpu(k, 1);
  k.log!.length = 0;
  runCpu(k, 0);
  t.true(k.log!.some((l) => l === 'cpu0: read(v0) -> SIGBUS (BUS_MCEERR_AR)'), k.log!.join('\n'));
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_HWPOISON, 'the entry stays until the range is unmapped');
});

test('fork copies a hwpoison entry (copy_nonpresent_pte); munmap clears it; the page never reaches the buddy', (t) => {
  const k = scenario({ pOps: 'mf', mms: 2, cpuMms: [0, 0], programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'move_pages', vaddr: 0, node: P }], [mf(0)]] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  runCpu(k, 1);
  t.is(dupMm(k, 0, 1, k.g.cpuThread(0)), 0);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 1, 0)), PTE_HWPOISON);
  t.is(k.get(k.L.PTE_VAL, slotOf(k, 1, 0)), pfn);
  const k2 = scenario({ pOps: 'mf', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'move_pages', vaddr: 0, node: P }, { op: 'munmap', vaddr: 0 }], [mf(0)]] });
  for (let i = 0; i < 20 && k2.get(k2.L.THR_PC, k2.g.cpuThread(0)) < 3; i++) step(k2, 'cpu0');
  runCpu(k2, 1);
  runCpu(k2, 0);
  t.is(k2.get(k2.L.PTE_KIND, slotOf(k2, 0, 0)), 0, 'zap_nonpresent_ptes');
  t.false(pageInBuddy(k2, pfn));
  t.is(k2.get(k2.L.PG_REF, pfn), 1, 'memory_failure\'s reference is never dropped');
});

test('an in-use page off the LRU (isolated by someone else) is not handled: get_hwpoison_page fails, the mapping stays (MF_IGNORED)', (t) => {
  const k = traced(scenario({ pOps: 'mf', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'move_pages', vaddr: 0, node: P }], [mf(0)]] }));
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.true(folioIsolateLru(k, pfn));
  runCpu(k, 1);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_PRESENT);
  t.true(k.log!.some((l) => l === `memory_failure(pfn ${pfn}) = -EBUSY (get_hwpoison_page: unhandlable page (MF_IGNORED))`), k.log!.join('\n'));
});

test('hwpoisonmap: every fix on and v4 alike, complete, every invariant holds, every declared reachability target is reached; mutant hwpoison-keeps-mappings escapes every other invariant and INV-HWPOISON-UNMAPPED catches it', (t) => {
  for (const fixes of [ALL_FIXES, []]) {
    const p = withReachProbe(kernelSystem(configByName('hwpoisonmap', { fixes })));
    const r = explore(p.sys, { strategy: 'bfs', maxStates: 100_000 });
    t.true(r.complete);
    t.deepEqual(r.violations.map((v) => v.property), []);
    t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
  }
  for (const config of ['hwpoison', 'hwpoisonmap']) {
    const sys = kernelSystem(configByName(config, { fixes: ALL_FIXES, mutant: 'hwpoison-keeps-mappings' }));
    const without = explore(withProperties(sys, (id) => id !== 'INV-HWPOISON-UNMAPPED'), { strategy: 'bfs', maxStates: 100_000, stopAtFirstViolation: false });
    t.true(without.complete);
    t.deepEqual(without.violations.map((v) => v.property), [], config);
    t.deepEqual([...new Set(explore(sys, { strategy: 'bfs', maxStates: 100_000, stopAtFirstViolation: false }).violations.map((v) => v.property))], ['INV-HWPOISON-UNMAPPED'], config);
  }
});

test('hwpoison: v4 lets the callback run after node_private_unregister returned (a free page pins nothing); the fix holds; mutant hwpoison-stays-in-buddy escapes every other invariant and is caught by INV-HWPOISON', (t) => {
  const v4 = explore(kernelSystem(configByName('hwpoison')), { strategy: 'bfs', maxStates: 100_000 });
  t.deepEqual(v4.violations.map((v) => v.property), ['INV-NO-OPS-AFTER-UNREGISTER']);
  const p = withReachProbe(kernelSystem(configByName('hwpoison', { fixes: ALL_FIXES })));
  const fixed = explore(p.sys, { strategy: 'bfs', maxStates: 100_000 });
  t.true(fixed.complete);
  t.deepEqual(fixed.violations.map((v) => v.property), []);
  t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
  const sys = kernelSystem(configByName('hwpoison', { fixes: ALL_FIXES, mutant: 'hwpoison-stays-in-buddy' }));
  const without = explore(withProperties(sys, (id) => id !== 'INV-HWPOISON'), { strategy: 'bfs', maxStates: 100_000 });
  t.true(without.complete);
  t.deepEqual(without.violations.map((v) => v.property), []);
  t.deepEqual(explore(sys, { strategy: 'bfs', maxStates: 100_000 }).violations.map((v) => v.property), ['INV-HWPOISON']);
});
