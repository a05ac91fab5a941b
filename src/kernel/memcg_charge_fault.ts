// The fault around a charge that reclaims in steps (memcg_charge_step.ts):
// what each fault does once try_charge_memcg returns, following mm/memory.c
// (v4 leaves these paths as mainline has them: do_anonymous_page, do_wp_page ->
// wp_page_copy and do_swap_page carry no private-node hook) and
// mm/swap_state.c: __read_swap_cache_async (a file v4 does not carry).
//
//   do_anonymous_page  charged: pte_offset_map_lock; check_stable_address_space
//                      (an OOM-reaped mm: release, VM_FAULT_SIGBUS);
//                      vmf_pte_changed (release, 0); else map.
//                      -ENOMEM: folio_put, VM_FAULT_OOM.
//   wp_page_copy       do_wp_page took a reference on the old folio before
//                      dropping the PTL. Charged: __wp_page_copy_user copies
//                      vmf->page (in the charge's last step, before the PTL);
//                      then pte_offset_map_lock and `pte_same(ptep_get(vmf->pte),
//                      vmf->orig_pte)`: map the copy, else release it; the old
//                      folio's reference is put either way. -ENOMEM: folio_put
//                      of both, VM_FAULT_OOM.
//   do_swap_page       the slot's SWAP_HAS_CACHE is held from swapcache_prepare
//                      (another swap-in of it waits, no slot allocator takes it).
//                      Charged: add_to_swap_cache, folio_add_lru, swap_read_folio
//                      (the new folio stays locked); then pte_offset_map_lock and
//                      pte_same: map (folio_unlock), else out_nomap: folio_unlock,
//                      folio_put (the folio stays in the swap cache).
//                      -ENOMEM: put_swap_folio (the claim goes), folio_put; then
//                      under the PTL `if (likely(vmf->pte && pte_same(...)))
//                      ret = VM_FAULT_OOM;` (a PTE another thread changed: 0).
//   do_cow_fault       folio_prealloc comes first. Charged: __do_fault (the
//                      page-cache folio, its reference kept in REG[2]) and the
//                      copy; then finish_fault under the PTL
//                      (check_stable_address_space, vmf_pte_changed, map).
//                      -ENOMEM: folio_put, VM_FAULT_OOM. (The page-cache folio's
//                      lock from filemap_fault to unlock_page is not modelled,
//                      as in the one-step fault.)

import { VM_FAULT_OOM, VM_FAULT_SIGBUS } from './defs.ts';
import { folioPut, pageFolio } from './folio.ts';
import type { Kernel } from './kernel.ts';
import { PG_locked, PTE_NONE, PTE_PRESENT, PTE_SWAP, THREAD_REGS, VMA_MAPPED } from './layout.ts';
import {
  MC_CHARGED, MC_FAILED, MC_KIND_COW_FAULT, MC_KIND_SWAPIN, MC_KIND_WP_COPY, MC_R_FOLIO, MC_R_ORIG, MC_R_SLOT, MC_UNSHARE, MC_WRITE,
  memcgChargeFolio, memcgChargeKind, memcgChargeLeave, memcgChargeStage, memcgChargeStep, origPteFlags, origPteVal, setMemcgChargeStage,
} from './memcg_charge_step.ts';
import { cowFaultCopy, cowFaultFinish, mapNewAnonFolio, ptlHeldByOther, swapinAddToCache, swapinMapFolio, wpPageCopyMap } from './memory.ts';
import { NULL_PFN } from './page_alloc.ts';
import { copyFolioContent } from './page.ts';
import { swapcacheClear } from './swap.ts';

/**
 * One step of a user CPU whose fault is inside the memcg charge
 * (OP_MEMCG_CHARGE): a step of try_charge_memcg (with, in the step that
 * charges, the fault's work up to its PTL), or the fault's work under the PTL.
 * Returns 'blocked' (nothing changed), null while the fault goes on, or its
 * vm_fault_t.
 */
export function memcgChargeFaultStep(k: Kernel, tid: number): 'blocked' | null | number {
  const stage = memcgChargeStage(k, tid);
  if (stage === MC_CHARGED) return charged(k, tid);
  if (stage === MC_FAILED) return swapinFailed(k, tid);
  const r = memcgChargeStep(k, tid);
  if (r === 'blocked') return 'blocked';
  if (r === 'running') return null;
  if (r === 'charged') return beforePtl(k, tid);
  return failed(k, tid);
}

interface FaultRegs {
  readonly s: number;
  readonly mm: number;
  readonly vaddr: number;
  readonly pfn: number;
  readonly orig: number;
}

function faultRegs(k: Kernel, tid: number): FaultRegs {
  const R = tid * THREAD_REGS;
  const s = k.get(k.L.THR_REG, R + MC_R_SLOT);
  return { s, mm: Math.floor(s / k.cfg.vaddrs), vaddr: s % k.cfg.vaddrs, pfn: memcgChargeFolio(k, tid), orig: k.get(k.L.THR_REG, R + MC_R_ORIG) };
}

/** The charge succeeded: the fault's work between the charge and its pte_offset_map_lock (null: the PTL is next). */
function beforePtl(k: Kernel, tid: number): number | null {
  const f = faultRegs(k, tid);
  const kind = memcgChargeKind(k, tid);
  if (kind === MC_KIND_COW_FAULT) {
    const src = cowFaultCopy(k, tid, f.mm, f.vaddr, f.pfn);
    if (src === NULL_PFN) {
      // __do_fault failed: uncharge_out (cowFaultCopy put the new folio)
      memcgChargeLeave(k, tid);
      return VM_FAULT_OOM;
    }
    k.set(k.L.THR_REG, tid * THREAD_REGS + MC_R_ORIG, src + 1);
    return null;
  }
  // wp_page_copy: `err = __wp_page_copy_user(&new_folio->page, vmf->page, vmf);` (vmf->page: the page orig_pte maps)
  if (kind === MC_KIND_WP_COPY) copyFolioContent(k, f.pfn, origPteVal(f.orig), 1);
  if (kind === MC_KIND_SWAPIN) {
    // __read_swap_cache_async: add_to_swap_cache, folio_add_lru; the new folio is locked
    // (__folio_set_locked) until do_swap_page unlocks it.
    swapinAddToCache(k, tid, f.pfn, origPteVal(f.orig));
    k.setBits(k.L.PG_FLAGS, f.pfn, PG_locked);
  }
  return null;
}

/** The charged fault under the PTL (pte_offset_map_lock waits for another holder). */
function charged(k: Kernel, tid: number): 'blocked' | number {
  const L = k.L;
  const f = faultRegs(k, tid);
  if (ptlHeldByOther(k, tid, f.mm)) return 'blocked';
  const kind = memcgChargeKind(k, tid);
  const flags = k.get(L.THR_STAGE, tid);
  memcgChargeLeave(k, tid);
  if (kind === MC_KIND_WP_COPY) return wpCopyCharged(k, tid, f, (flags & MC_UNSHARE) !== 0);
  if (kind === MC_KIND_SWAPIN) return swapinCharged(k, tid, f, (flags & MC_WRITE) !== 0);
  if (kind === MC_KIND_COW_FAULT) return cowFaultFinish(k, tid, f.mm, f.vaddr, f.pfn, f.orig - 1);
  // mm/memory.c: do_anonymous_page (after alloc_anon_folio)
  // check_stable_address_space: an OOM-reaped mm (the model's kill also ran exit_mmap: the VMA is gone).
  if (!k.get(L.MM_LIVE, f.mm) || !k.has(L.VMA_FLAGS, f.s, VMA_MAPPED)) {
    folioPut(k, tid, f.pfn);
    if (k.log) k.trace(`do_anonymous_page(mm ${f.mm}, v${f.vaddr}): address space unstable (OOM-reaped), release pfn ${f.pfn}: VM_FAULT_SIGBUS`);
    return VM_FAULT_SIGBUS;
  }
  // vmf_pte_changed: another thread of the mm mapped the slot meanwhile.
  if (k.get(L.PTE_KIND, f.s) !== PTE_NONE) {
    folioPut(k, tid, f.pfn);
    if (k.log) k.trace(`do_anonymous_page(mm ${f.mm}, v${f.vaddr}): PTE changed, release pfn ${f.pfn}`);
    return 0;
  }
  return mapNewAnonFolio(k, tid, f.mm, f.vaddr, f.pfn, f.s, 1, (flags & MC_WRITE) !== 0);
}

/** pte_same(ptep_get(vmf->pte), vmf->orig_pte) for a PTE of the given kind. */
function pteSame(k: Kernel, s: number, kind: number, orig: number): boolean {
  return k.get(k.L.PTE_KIND, s) === kind && k.get(k.L.PTE_VAL, s) === origPteVal(orig) && k.get(k.L.PTE_FLAGS, s) === origPteFlags(orig);
}

// mm/memory.c: wp_page_copy (`vmf->pte = pte_offset_map_lock(...); if (likely(vmf->pte && pte_same(...)))`)
function wpCopyCharged(k: Kernel, tid: number, f: FaultRegs, unshare: boolean): number {
  const old = pageFolio(k, origPteVal(f.orig));
  if (pteSame(k, f.s, PTE_PRESENT, f.orig)) {
    wpPageCopyMap(k, tid, f.mm, f.vaddr, f.pfn, unshare);
  } else {
    // the PTE changed while the charge reclaimed: `if (new_folio) folio_put(new_folio);`
    folioPut(k, tid, f.pfn);
    if (k.log) k.trace(`wp_page_copy(mm ${f.mm}, v${f.vaddr}): PTE changed, release pfn ${f.pfn}`);
  }
  // `if (old_folio) { ... folio_put(old_folio); }`: do_wp_page's reference
  folioPut(k, tid, old);
  return 0;
}

// mm/memory.c: do_swap_page (`vmf->pte = pte_offset_map_lock(...); if (unlikely(!vmf->pte || !pte_same(...))) goto out_nomap;`)
function swapinCharged(k: Kernel, tid: number, f: FaultRegs, write: boolean): number {
  k.clearBits(k.L.PG_FLAGS, f.pfn, PG_locked);
  if (pteSame(k, f.s, PTE_SWAP, f.orig)) return swapinMapFolio(k, tid, f.mm, f.vaddr, write, f.pfn, origPteVal(f.orig));
  // out_nomap: folio_unlock, folio_put; the folio stays in the swap cache (and on the LRU)
  folioPut(k, tid, f.pfn);
  if (k.log) k.trace(`do_swap_page(mm ${f.mm}, v${f.vaddr}): PTE changed, pfn ${f.pfn} stays in the swap cache`);
  return 0;
}

/** try_charge_memcg returned -ENOMEM. */
function failed(k: Kernel, tid: number): number | null {
  const f = faultRegs(k, tid);
  const kind = memcgChargeKind(k, tid);
  if (kind === MC_KIND_SWAPIN) {
    // __read_swap_cache_async fail_unlock: put_swap_folio (SWAP_HAS_CACHE cleared), folio_put;
    // do_swap_page then checks the PTE under the PTL (the next step).
    k.set(k.L.THR_REG, tid * THREAD_REGS + MC_R_FOLIO, 0);
    setMemcgChargeStage(k, tid, MC_FAILED);
    swapcacheClear(k, origPteVal(f.orig));
    folioPut(k, tid, f.pfn);
    if (k.log) k.trace(`mem_cgroup_swapin_charge_folio(pfn ${f.pfn}) = -ENOMEM: put_swap_folio(slot ${origPteVal(f.orig)})`);
    return null;
  }
  memcgChargeLeave(k, tid);
  // alloc_anon_folio / folio_prealloc: the charge failed: folio_put, VM_FAULT_OOM.
  folioPut(k, tid, f.pfn);
  // wp_page_copy oom: `if (old_folio) folio_put(old_folio);`
  if (kind === MC_KIND_WP_COPY) folioPut(k, tid, pageFolio(k, origPteVal(f.orig)));
  const fn = kind === MC_KIND_WP_COPY ? 'wp_page_copy' : kind === MC_KIND_COW_FAULT ? 'do_cow_fault' : 'do_anonymous_page';
  if (k.log) k.trace(`mem_cgroup_charge(pfn ${f.pfn}) = -ENOMEM; ${fn}(mm ${f.mm}, v${f.vaddr}) = VM_FAULT_OOM`);
  return VM_FAULT_OOM;
}

// mm/memory.c: do_swap_page (`if (!folio) { ... if (likely(vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte))) ret = VM_FAULT_OOM; goto unlock; }`)
function swapinFailed(k: Kernel, tid: number): 'blocked' | number {
  const f = faultRegs(k, tid);
  if (ptlHeldByOther(k, tid, f.mm)) return 'blocked';
  memcgChargeLeave(k, tid);
  const oom = pteSame(k, f.s, PTE_SWAP, f.orig);
  if (k.log) k.trace(`do_swap_page(mm ${f.mm}, v${f.vaddr}) = ${oom ? 'VM_FAULT_OOM' : '0 (PTE changed)'}`);
  return oom ? VM_FAULT_OOM : 0;
}
