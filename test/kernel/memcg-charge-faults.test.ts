// The COW, swap-in and GUP faults' memcg charges reclaim as steps of the faulting CPU, as the
// anonymous fault's does (src/kernel/memcg_charge_fault.ts). What the model follows (mm/memory.c of
// v4, katherinemohr/ltram-linux bc4b49e8, as mainline: v4 adds no hook on these paths):
//   do_wp_page: `if (folio) folio_get(folio); pte_unmap_unlock(vmf->pte, vmf->ptl); ... return wp_page_copy(vmf);`
//   wp_page_copy: `new_folio = folio_prealloc(mm, vma, vmf->address, pfn_is_zero); if (!new_folio) goto oom;`
//     `err = __wp_page_copy_user(&new_folio->page, vmf->page, vmf);` then `vmf->pte = pte_offset_map_lock(mm,
//     vmf->pmd, vmf->address, &vmf->ptl); if (likely(vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte)))`
//     map the copy; else `if (new_folio) folio_put(new_folio); if (old_folio) { ... folio_put(old_folio); }`
//   do_swap_page: `folio = swapin_readahead(entry, GFP_HIGHUSER_MOVABLE, vmf);` (mainline mm/swap_state.c:
//     __read_swap_cache_async: `err = swapcache_prepare(entry, 1);` ... `if (mem_cgroup_swapin_charge_folio(
//     new_folio, NULL, gfp_mask, entry)) goto fail_unlock;` then the folio joins the swap cache and the LRU),
//     then `vmf->pte = pte_offset_map_lock(...); if (unlikely(!vmf->pte || !pte_same(ptep_get(vmf->pte),
//     vmf->orig_pte))) goto out_nomap;`
//   mm/gup.c: faultin_page -> handle_mm_fault: a GUP fault is do_anonymous_page as a user fault is.
import test from 'ava';
import { kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import { KERNEL_CONFIG_PARAMS, makeConfig } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import type { KernelConfig, ProgramOp } from '../../src/kernel/config.ts';
import { PG_locked, PG_lru, PTE_PRESENT, PTE_SWAP, THREAD_REGS } from '../../src/kernel/layout.ts';
import { MC_KIND_COW_FAULT, MC_KIND_SWAPIN, MC_KIND_WP_COPY, MC_R_ISOLATED, MC_SHRINK, memcgChargeKind, memcgChargeStage } from '../../src/kernel/memcg_charge_step.ts';
import { OP_KSWAPD_DEMOTE, OP_MEMCG_CHARGE, OP_NONE } from '../../src/kernel/ops_codes.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { getSwapSlot, swapCacheLookup } from '../../src/kernel/swap.ts';
import { pageContent } from '../../src/kernel/page.ts';

const ALL = FIXES.map((f) => f.name);

/** The invariants the state k breaks. */
function broken(cfg: KernelConfig, k: Kernel): string[] {
  const words = new Uint32Array(Math.ceil(k.s.length / 2));
  new Uint16Array(words.buffer).set(k.s);
  return kernelSystem(cfg).properties.filter((p) => p.check(words) !== null).map((p) => p.id);
}

/** Step cpu0 (choice 0) until `done` holds; throws after 40 steps. */
function runUntil(k: Kernel, done: () => boolean): void {
  const tid = k.g.cpuThread(0);
  for (let i = 0; i < 40 && !done(); i++) if (!runThread(k, tid, 0)) throw new Error('cpu0 blocked');
  if (!done()) throw new Error('cpu0: condition not reached');
}

test('COW: a write to v0 shared with a fork child runs wp_page_copy, whose charge over memory.max stays in try_charge_memcg holding the old folio; kswapd(D0) runs between its isolation and its shrink; the charge ends and the old folio\'s extra reference is put', (t) => {
  const cfg = makeConfig({
    ...KERNEL_CONFIG_PARAMS.memcg, fork: true,
    extraOps: [{ op: 'write', vaddr: 0, value: 2 }],
    extraCpus: [{ mm: 1, forkChild: true, program: [{ op: 'read', vaddr: 0 }] }],
  });
  const cowCfg = { ...cfg, fixes: ALL };
  const k = kernelInitial(buildMachine(cowCfg));
  const tid = k.g.cpuThread(0);
  const prog = k.cfg.cpus[0]!.program;
  const wr = prog.findIndex((o, i) => i > prog.findIndex((p) => p.op === 'fork') && o.op === 'write');
  runUntil(k, () => k.get(k.L.THR_PC, tid) === wr);
  runThread(k, tid, 1); // lru_add_drain: v0 on D0's LRU
  const v0 = k.get(k.L.PTE_VAL, 0);
  t.true(k.has(k.L.PG_FLAGS, v0, PG_lru));
  const refs = k.get(k.L.PG_REF, v0);
  t.is(k.get(k.L.PG_MAPCOUNT, v0), 2, 'v0 is mapped by parent and child');
  t.true(runThread(k, tid, 0), 'write(v0): do_wp_page -> wp_page_copy -> folio_prealloc finds usage 1 = memory.max');
  t.is(k.get(k.L.THR_OP, tid), OP_MEMCG_CHARGE, 'the fault stays inside the charge');
  t.is(memcgChargeKind(k, tid), MC_KIND_WP_COPY);
  t.is(k.get(k.L.PG_REF, v0), refs + 1, 'do_wp_page\'s folio_get on the old folio');
  t.true(runThread(k, tid, 0), 'MC_TRY: the pass isolates v0');
  t.is(memcgChargeStage(k, tid), MC_SHRINK);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), v0 + 1);
  const kswapd = k.g.kswapdThread(0);
  t.true(runThread(k, kswapd, 0), 'kswapd(D0) runs between the isolation and the shrink');
  t.not(k.get(k.L.THR_OP, kswapd), OP_KSWAPD_DEMOTE, 'and finds v0 off its LRU');
  for (let i = 0; i < 40 && k.get(k.L.THR_OP, tid) === OP_MEMCG_CHARGE; i++) t.true(runThread(k, tid, 0));
  t.is(k.get(k.L.THR_OP, tid), OP_NONE, 'the fault returned');
  // However the charge ended (the shrink swapped v0 out, so the PTE changed, or it failed), the old
  // folio lost do_wp_page's reference: what is left is the child's mapping's and the swap cache's.
  const c = k.get(k.L.PTE_KIND, 0);
  t.true(c === PTE_SWAP || c === PTE_PRESENT);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + 1), 0);
  t.deepEqual(broken(cowCfg, k), [], 'INV-FOLIO-REFS among them: no reference of do_wp_page is left behind');
});

test('swap-in: do_swap_page\'s charge over memory.max keeps the slot claimed (no slot allocator takes it), reclaims v1, then adds the new folio to the swap cache locked and maps it under the PTL with v0\'s data', (t) => {
  const swCfg = makeConfig({ ...KERNEL_CONFIG_PARAMS.memcg, fixes: ALL, swapSlots: 2 });
  const k = kernelInitial(buildMachine(swCfg));
  k.set(k.L.G_DEMOTION_ENABLED, 0, 0); // memcg reclaim swaps instead of demoting
  const tid = k.g.cpuThread(0);
  const prog = k.cfg.cpus[0]!.program;
  // write(v0), read(v0), mmap(v1), write(v1): its charge reclaims v0 to swap; then read(v0) swaps it in.
  const store = prog.find((o) => o.op === 'write' && o.vaddr === 0);
  const value = store?.op === 'write' ? store.value : -1;
  const readV0 = prog.length - 1;
  t.deepEqual(prog[readV0], { op: 'read', vaddr: 0 } satisfies ProgramOp);
  runUntil(k, () => k.get(k.L.THR_PC, tid) === readV0 && k.get(k.L.THR_OP, tid) === OP_NONE);
  t.is(k.get(k.L.PTE_KIND, 0), PTE_SWAP, 'v1\'s charge swapped v0 out');
  const slot = k.get(k.L.PTE_VAL, 0);
  runThread(k, tid, 1); // v1 on the LRU
  t.true(runThread(k, tid, 0), 'read(v0): do_swap_page');
  t.is(k.get(k.L.THR_OP, tid), OP_MEMCG_CHARGE, 'mem_cgroup_swapin_charge_folio reclaims in steps');
  t.is(memcgChargeKind(k, tid), MC_KIND_SWAPIN);
  t.is(swapCacheLookup(k, slot), -1, 'not in the swap cache yet');
  t.not(getSwapSlot(k), slot, 'SWAP_HAS_CACHE: the slot is not free');
  const pfn = k.get(k.L.THR_REG, tid * THREAD_REGS + 1) - 1;
  for (let i = 0; i < 40 && swapCacheLookup(k, slot) !== pfn; i++) t.true(runThread(k, tid, 0));
  t.is(swapCacheLookup(k, slot), pfn, 'charged: add_to_swap_cache');
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_locked), 'the new folio is locked until do_swap_page maps it');
  t.is(k.get(k.L.THR_OP, tid), OP_MEMCG_CHARGE, 'the PTL and pte_same are the next step');
  t.deepEqual(broken(swCfg, k), []);
  t.true(runThread(k, tid, 0));
  t.is(k.get(k.L.THR_OP, tid), OP_NONE);
  t.is(k.get(k.L.PTE_KIND, 0), PTE_PRESENT);
  t.is(k.get(k.L.PTE_VAL, 0), pfn);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_locked));
  t.is(pageContent(k, pfn), value, 'v0\'s data came back from the swap slot');
  t.deepEqual(broken(swCfg, k), []);
});

test('GUP: get_user_pages\' fault of v1 over memory.max charges in steps; once the fault returns, the GUP follows the PTE and writes through it', (t) => {
  const cfg = makeConfig({
    ...KERNEL_CONFIG_PARAMS.memcg, fixes: ALL,
    extraOps: [{ op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'gup', vaddr: 1, write: true, value: 2 }],
  });
  const k = kernelInitial(buildMachine(cfg));
  const tid = k.g.cpuThread(0);
  const gup = k.cfg.cpus[0]!.program.findIndex((o) => o.op === 'gup');
  runUntil(k, () => k.get(k.L.THR_PC, tid) === gup);
  runThread(k, tid, 1);
  t.true(runThread(k, tid, 0), 'faultin_page -> handle_mm_fault -> do_anonymous_page');
  t.is(k.get(k.L.THR_OP, tid), OP_MEMCG_CHARGE, 'the GUP fault\'s charge reclaims in steps');
  for (let i = 0; i < 40 && k.get(k.L.THR_PC, tid) === gup; i++) t.true(runThread(k, tid, 0));
  t.is(k.get(k.L.THR_PC, tid), gup + 1, 'the GUP returned');
  t.is(k.get(k.L.PTE_KIND, 1), PTE_PRESENT);
  t.is(pageContent(k, k.get(k.L.PTE_VAL, 1)), 2);
});

test('do_cow_fault: a write fault on a private file mapping allocates and charges first (folio_prealloc); over memory.max the charge reclaims in steps, then __do_fault and the copy, then finish_fault maps the copy under the PTL', (t) => {
  const cfg = makeConfig({
    ...KERNEL_CONFIG_PARAMS.memcg, fixes: ALL, filePages: 1, vaddrs: 3,
    extraOps: [{ op: 'mmap', vaddr: 2, kind: 'file-private', file: 0, pgoff: 0, prot: 'rw' }, { op: 'write', vaddr: 2, value: 2 }],
  });
  const k = kernelInitial(buildMachine(cfg));
  const tid = k.g.cpuThread(0);
  const wr = k.cfg.cpus[0]!.program.findIndex((o) => o.op === 'write' && o.vaddr === 2);
  runUntil(k, () => k.get(k.L.THR_PC, tid) === wr);
  runThread(k, tid, 1);
  t.true(k.get(k.L.MEMCG_USAGE, 0) >= 1, 'v0 is charged: the memcg is at memory.max');
  t.true(runThread(k, tid, 0), 'write(v2): do_cow_fault -> folio_prealloc');
  t.is(k.get(k.L.THR_OP, tid), OP_MEMCG_CHARGE, 'the charge reclaims in steps');
  t.is(memcgChargeKind(k, tid), MC_KIND_COW_FAULT);
  for (let i = 0; i < 40 && k.get(k.L.THR_PC, tid) === wr; i++) {
    t.true(runThread(k, tid, 0));
    t.deepEqual(broken(cfg, k), []);
  }
  t.is(k.get(k.L.THR_PC, tid), wr + 1, 'the store ran once the fault mapped the copy');
  t.is(k.get(k.L.PTE_KIND, 2), PTE_PRESENT);
  t.is(pageContent(k, k.get(k.L.PTE_VAL, 2)), 2);
});
