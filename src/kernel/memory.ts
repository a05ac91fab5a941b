// mm/memory.c: the page-fault path, handle_mm_fault -> handle_pte_fault.
//
// Model choices (documented where they matter):
// * do_anonymous_page allocates a real zeroed folio for read faults too, instead
//   of mapping the shared zero page (the zero page has no node to judge).
// * A fault carries the flags of its caller (src/kernel/fault_flags.ts): a user
//   fault always has FAULT_FLAG_ALLOW_RETRY; a GUP fault (src/kernel/gup.ts)
//   has it only with FOLL_UNLOCKABLE or FOLL_NOWAIT. EV_RETRY_NO_ALLOW records
//   a VM_FAULT_RETRY without it, EV_NOWAIT_UNLOCK a fault with
//   FAULT_FLAG_RETRY_NOWAIT that dropped the mmap lock.
// * The PTL is per mm (one page table per mm). It is held across steps only by
//   a thread inside handle_fault (LK_PTL, REG[0] = slot); any other thread that
//   needs that mm's PTL waits (its step is not enabled).
// * A generic ops table (cfg.opsTables) with handle_fault gets a callback that
//   releases the PTL and returns 0 (the task refaults); only cram_ops has a real
//   staged handler (src/cram/cram.ts).

import { match } from 'ts-pattern';
import { cramFaultStep } from '../cram/cram.ts';
import { GFP_HIGHUSER_MOVABLE, VM_FAULT_HWPOISON, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS, __GFP_PRIVATE, __GFP_ZERO, errname } from './defs.ts';
import { EV_NOWAIT_UNLOCK, EV_PTL_LEAK, EV_RETRY_NO_ALLOW, LK_MMAP_READ, LK_PTL, PG_anon, PG_dirty, PG_lru, PTE_DIRTY, PTE_EXCL, PTE_HWPOISON, PTE_MIGRATION, PTE_NONE, PTE_PRESENT, PTE_PROTNONE, PTE_SWAP, PTE_WRITE, THREAD_REGS, VMA_FILE, VMA_MAPPED, VMA_MAYWRITE, VMA_SHARED, VMA_WRITE } from './layout.ts';
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT, FAULT_FLAG_UNSHARE, FAULT_FLAG_USER, FAULT_FLAG_WRITE, USER_FAULT_FLAGS, threadFaultFlags } from './fault_flags.ts';
import type { Kernel, Machine } from './kernel.ts';
import { fileIndex, filemapGetFolio } from './filemap.ts';
import { folioGet, folioLocked, folioNid, folioPut, folioTestAnon, lruAdd, lruAddDrainLocal, pageFolio } from './folio.ts';
import { policyNodemask, vmaAllocFolio, vmaPolicy } from './mempolicy.ts';
import { anonFaultOomControl, outOfMemory } from './oom_kill.ts';
import { migrateMisplacedFolio } from './migrate.ts';
import { folioIsPrivateNode, folioManagedAllowsNuma, folioManagedWrprotect, folioNodePrivateOps, noteOpsCallback, privateNodeWithoutOps } from './node_private.ts';
import { hasFix } from './config.ts';
import { OPS_CRAM, opsById } from './ops_table.ts';
import { OP_HANDLE_FAULT, OP_MEMCG_CHARGE, OP_NONE } from './ops_codes.ts';
import { NULL_PFN, allocPages } from './page_alloc.ts';
import { copyFolioContent, setPageContent, zeroFolio } from './page.ts';
import { setPtePresent } from './rmap.ts';
import { addToSwapCache, deleteFromSwapCache, swapCacheLookup, swapFree, swapSlotClaimedByOther } from './swap.ts';
import { ran } from './ran.ts';
import { allocAnonLargeFolio } from './thp.ts';
import { commitCharge, memCgroupCharge, memcgEnabled, pageCounterTryCharge } from './memcontrol.ts';
import { MC_KIND_COW_FAULT, MC_KIND_SWAPIN, MC_KIND_WP_COPY, memcgChargeEnter, packOrigPte, type MemcgChargeFault } from './memcg_charge_step.ts';

export { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_WRITE } from './fault_flags.ts';

/** What one fault step did. */
export type FaultOutcome =
  | { readonly kind: 'done'; readonly vmret: number } // the fault returned (0 or VM_FAULT_*)
  | { readonly kind: 'staged' } // the thread is inside handle_fault (THR_OP = OP_HANDLE_FAULT)
  | { readonly kind: 'blocked' }; // migration_entry_wait / PTL busy: nothing changed, the thread waits

export function pteSlot(k: Kernel, mm: number, vaddr: number): number {
  return mm * k.cfg.vaddrs + vaddr;
}

// numa_node_id() of each thread, compiled once per Machine (static roles; a
// cache keyed on the immutable machine, not on state).
const threadNodeCache = new WeakMap<Machine, Int16Array>();

/** The node the thread's CPU belongs to (numa_node_id()); kernel threads of a node use that node. */
export function threadNode(k: Kernel, tid: number): number {
  let t = threadNodeCache.get(k.m);
  if (!t) {
    t = Int16Array.from(k.g.threads, (r) =>
      match(r)
        .with({ kind: 'cpu' }, (x) => k.cfg.cpus[x.cpu]!.node)
        .with({ kind: 'kswapd' }, (x) => x.node)
        .with({ kind: 'overflow_work' }, (x) => k.cfg.cpus[x.cpu]!.node)
        .with({ kind: 'flush_kthread' }, { kind: 'irq_lthresh' }, { kind: 'irq_hthresh' }, { kind: 'driver' }, { kind: 'cpuset_migrate' }, () => 0)
        .exhaustive(),
    );
    threadNodeCache.set(k.m, t);
  }
  return t[tid] ?? 0;
}

/** Another thread holds the PTL of mm (it is inside handle_fault on a slot of mm). */
export function ptlHeldByOther(k: Kernel, tid: number, mm: number): boolean {
  const T = k.g.threads.length;
  for (let t = 0; t < T; t++) {
    if (t === tid || !k.has(k.L.THR_LOCKS, t, LK_PTL)) continue;
    const s = k.get(k.L.THR_REG, t * THREAD_REGS);
    if (Math.floor(s / k.cfg.vaddrs) === mm) return true;
  }
  return false;
}

/**
 * Another thread of mm holds mmap_lock for read across steps (it is inside
 * handle_fault): an operation that needs mmap_lock for write (mmap, munmap,
 * mprotect, mbind, fork) waits. MADV_DONTNEED and move_pages take it for read
 * and may overlap (SEMANTICS 8.2 R1).
 */
export function mmapReadHeldByOther(k: Kernel, tid: number, mm: number): boolean {
  const T = k.g.threads.length;
  for (let t = 0; t < T; t++) {
    if (t === tid || !k.has(k.L.THR_LOCKS, t, LK_MMAP_READ)) continue;
    const s = k.get(k.L.THR_REG, t * THREAD_REGS);
    if (Math.floor(s / k.cfg.vaddrs) === mm) return true;
  }
  return false;
}

/**
 * handle_mm_fault(vma, addr, flags) for the user CPU thread tid (flags
 * default: a user fault, + WRITE for a store). For a user fault, VMA access
 * errors (no mapping, write to a read-only VMA) are the arch fault handler's
 * SIGSEGV, reported as VM_FAULT_SIGBUS. A GUP fault was checked by
 * check_vma_flags; sanitize_fault_flags lets a FOLL_FORCE write fault into a
 * read-only private (COW) mapping and turns UNSHARE on a non-COW mapping into
 * a read fault.
 */
export function handleMmFault(k: Kernel, tid: number, mm: number, vaddr: number, write: boolean, faultFlags = USER_FAULT_FLAGS | (write ? FAULT_FLAG_WRITE : 0)): FaultOutcome {
  ran(k, 'handle_mm_fault');
  // mm/memory.c: handle_mm_fault -> sanitize_fault_flags
  const s = pteSlot(k, mm, vaddr);
  const vf = k.get(k.L.VMA_FLAGS, s);
  const cow = (vf & (VMA_SHARED | VMA_MAYWRITE)) === VMA_MAYWRITE;
  const bad = faultFlags & FAULT_FLAG_USER
    ? !(vf & VMA_MAPPED) || (write && !(vf & VMA_WRITE))
    : !(vf & VMA_MAPPED) || (write && (!(vf & VMA_MAYWRITE) || (!(vf & VMA_WRITE) && !cow)));
  if (bad) {
    if (k.log) k.trace(`handle_mm_fault(mm ${mm}, v${vaddr}, ${write ? 'write' : 'read'}): bad access -> SIGSEGV`);
    return { kind: 'done', vmret: VM_FAULT_SIGBUS };
  }
  const unshare = (faultFlags & FAULT_FLAG_UNSHARE) !== 0 && cow;
  if (ptlHeldByOther(k, tid, mm)) return { kind: 'blocked' };
  return handlePteFault(k, tid, mm, vaddr, write, unshare);
}

/** handle_pte_fault: dispatch on the PTE (v4 order: swap, NUMA, handle_fault, write check). */
function handlePteFault(k: Kernel, tid: number, mm: number, vaddr: number, write: boolean, unshare: boolean): FaultOutcome {
  // mm/memory.c: handle_pte_fault
  const s = pteSlot(k, mm, vaddr);
  const kind = k.get(k.L.PTE_KIND, s);
  if (kind === PTE_NONE) {
    const vf = k.get(k.L.VMA_FLAGS, s);
    if (!(vf & VMA_FILE)) return doneOrCharging(k, tid, doAnonymousPage(k, tid, mm, vaddr, write));
    if (!write) return done(doReadFault(k, tid, mm, vaddr));
    if (!(vf & VMA_SHARED)) return done(doCowFault(k, tid, mm, vaddr));
    return done(doSharedFault(k, tid, mm, vaddr));
  }
  if (kind === PTE_SWAP) {
    // do_swap_page: folio_lock_or_retry on the swap-cache folio sleeps while a
    // migration holds it locked (a staged migrate_pages between its unmap and its
    // move, src/kernel/migrate_batch.ts): the step is not enabled.
    const cached = swapCacheLookup(k, k.get(k.L.PTE_VAL, s));
    if (cached >= 0 && folioLocked(k, cached)) return { kind: 'blocked' };
    // __read_swap_cache_async: swapcache_prepare = -EEXIST while another swap-in of the slot is
    // between its swapcache_prepare and add_to_swap_cache (inside its charge):
    // schedule_timeout_uninterruptible(1) and try again (the step is not enabled).
    if (cached < 0 && swapSlotClaimedByOther(k, tid, k.get(k.L.PTE_VAL, s))) return { kind: 'blocked' };
    return doneOrCharging(k, tid, doSwapPage(k, tid, mm, vaddr, write));
  }
  if (kind === PTE_HWPOISON) {
    // do_swap_page: is_hwpoison_entry -> VM_FAULT_HWPOISON; the arch handler sends SIGBUS (BUS_MCEERR_AR).
    // Reported with VM_FAULT_SIGBUS too, so every caller's error test (VM_FAULT_ERROR) sees it.
    if (k.log) k.trace(`do_swap_page(mm ${mm}, v${vaddr}): hwpoison entry (pfn ${k.get(k.L.PTE_VAL, s)}) -> VM_FAULT_HWPOISON`);
    return done(VM_FAULT_HWPOISON | VM_FAULT_SIGBUS);
  }
  if (kind === PTE_MIGRATION) {
    // migration_entry_wait: sleep until the entry is gone (the step is not enabled).
    return { kind: 'blocked' };
  }
  const flags = k.get(k.L.PTE_FLAGS, s);
  if (flags & PTE_PROTNONE) return done(doNumaPage(k, tid, mm, vaddr));
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  // Mutant: the write check runs before the private-node dispatch and reuses the P folio in place.
  if (k.cfg.mutant === 'handle-fault-after-write-check' && write && !(flags & PTE_WRITE) && folioIsPrivateNode(k, pfn)) {
    k.set(k.L.PTE_FLAGS, s, flags | PTE_WRITE | PTE_DIRTY);
    if (k.log) k.trace(`do_wp_page(mm ${mm}, v${vaddr}): wp_page_reuse on private pfn ${pfn} (mutant)`);
    return done(0);
  }
  // v4: folio_managed_handle_fault, BEFORE the write check (read and unshare faults too, §6.3.6).
  if (folioIsPrivateNode(k, pfn)) {
    const ops = folioNodePrivateOps(k, pfn);
    if (ops?.handleFault) return enterHandleFault(k, tid, s, pfn, ops === opsById(k, OPS_CRAM));
  }
  // if (vmf->flags & (FAULT_FLAG_WRITE|FAULT_FLAG_UNSHARE)) { if (!pte_write(entry)) return do_wp_page(vmf); ... }
  if ((write || unshare) && !(flags & PTE_WRITE)) return doneOrCharging(k, tid, doWpPage(k, tid, mm, vaddr, unshare));
  // Spurious / access-bit fault: pte_mkyoung (+dirty on write). The model keeps no
  // accessed bit (nothing reads it; it would only multiply states).
  k.set(k.L.PTE_FLAGS, s, flags | (write ? PTE_DIRTY : 0));
  return done(0);
}

function done(vmret: number): FaultOutcome {
  return { kind: 'done', vmret };
}

/** The fault returned, or it stays inside its memcg charge (its reclaim goes on as steps of this CPU: memcg_charge_fault.ts). */
function doneOrCharging(k: Kernel, tid: number, vmret: number): FaultOutcome {
  return k.get(k.L.THR_OP, tid) === OP_MEMCG_CHARGE ? { kind: 'staged' } : done(vmret);
}

/**
 * mem_cgroup_charge of the folio the fault just allocated. A fault that can
 * charge in steps (memcgChargeStageable) and finds the memcg at memory.max
 * enters try_charge_memcg's loop (memcg_charge_step.ts): 'staged'. Otherwise
 * the charge runs in this step: 0 or -ENOMEM.
 */
function chargeFaultFolio(k: Kernel, tid: number, s: number, pfn: number, mm: number, write: boolean, fault?: MemcgChargeFault): number | 'staged' {
  if (memcgEnabled(k) && memcgChargeStageable(k, tid)) {
    ran(k, 'mem_cgroup_charge');
    if (!pageCounterTryCharge(k, 1 << k.get(k.L.PG_ORDER, pfn))) {
      memcgChargeEnter(k, tid, s, pfn, write, fault);
      return 'staged';
    }
    commitCharge(k, pfn);
    if (k.log) k.trace(`mem_cgroup_charge(pfn ${pfn}): usage ${k.get(k.L.MEMCG_USAGE, 0)}/${k.cfg.memcg!.max}`);
    return 0;
  }
  return memCgroupCharge(k, tid, pfn, mm);
}

// THR_STAGE of a thread that has read ops->handle_fault and not yet called it.
const HF_CALL_CRAM = 90;
const HF_CALL_GENERIC = 91;

/**
 * folio_managed_handle_fault, its dispatch: folio_node_private_ops reads
 * np->ops under rcu_read_lock and drops it before the caller calls
 * ops->handle_fault, so a node_private_clear_ops (cram_unregister) can land
 * between the read and the call: the dispatch is a step of its own, with the
 * PTL held, and the callback the thread read runs at its next step.
 */
// mm/internal.h: folio_managed_handle_fault; include/linux/node_private.h: folio_node_private_ops
function enterHandleFault(k: Kernel, tid: number, s: number, pfn: number, isCram: boolean): FaultOutcome {
  if (k.log) k.trace(`handle_pte_fault(slot ${s}): folio_managed_handle_fault(pfn ${pfn}): ops read -> ${isCram ? 'cram_fault' : 'handle_fault'}`);
  const R = tid * THREAD_REGS;
  k.set(k.L.THR_OP, tid, OP_HANDLE_FAULT);
  k.set(k.L.THR_STAGE, tid, isCram ? HF_CALL_CRAM : HF_CALL_GENERIC);
  k.set(k.L.THR_REG, R, s);
  k.set(k.L.THR_REG, R + 1, pfn);
  // The fault runs under mmap_lock (read) and the PTL; cram_fault drops the PTL at F3
  // and the mmap lock on its VM_FAULT_RETRY path (release_fault_lock).
  k.setBits(k.L.THR_LOCKS, tid, LK_PTL | LK_MMAP_READ);
  return { kind: 'staged' };
}

/** The handle_fault callback the thread read: cram_fault (staged, F1..F6) or a generic table's. */
function handleFaultCallStep(k: Kernel, tid: number): { done: boolean; vmret: number } {
  const stage = k.get(k.L.THR_STAGE, tid);
  if (stage === HF_CALL_GENERIC || stage === HF_CALL_CRAM) {
    noteOpsCallback(k, folioNid(k, k.get(k.L.THR_REG, tid * THREAD_REGS + 1)));
    if (stage === HF_CALL_GENERIC) {
      // Generic table: release the PTL and return 0 (see header).
      k.clearBits(k.L.THR_LOCKS, tid, LK_PTL);
      return { done: true, vmret: 0 };
    }
    k.set(k.L.THR_STAGE, tid, 0); // cram_fault F1
  }
  return cramFaultStep(k, tid);
}

/**
 * One step of a thread inside handle_fault (the call, then cram_fault F1..F6).
 * Returns null while more steps remain, else the vm_fault_t it returned; the
 * thread's operation state is then reset.
 */
export function handleFaultStep(k: Kernel, tid: number): number | null {
  const r = handleFaultCallStep(k, tid);
  if (!r.done) return null;
  const faultFlags = threadFaultFlags(k, tid);
  if (k.has(k.L.THR_LOCKS, tid, LK_PTL)) {
    // The callee must release the PTL on every path; record, then release so the model can go on.
    k.event(EV_PTL_LEAK);
    k.clearBits(k.L.THR_LOCKS, tid, LK_PTL);
  }
  if (r.vmret & VM_FAULT_RETRY && !(faultFlags & FAULT_FLAG_ALLOW_RETRY)) k.event(EV_RETRY_NO_ALLOW);
  // FAULT_FLAG_RETRY_NOWAIT: the handler must return with the mmap lock still held (faultin_page keeps *locked).
  if (faultFlags & FAULT_FLAG_RETRY_NOWAIT && !k.has(k.L.THR_LOCKS, tid, LK_MMAP_READ)) k.event(EV_NOWAIT_UNLOCK);
  // Back in the arch fault handler: a fault that did not return RETRY still holds mmap_lock; drop it.
  // A GUP caller holds its mmap_lock across the fault: it keeps whatever the handler left (gup.ts).
  if (faultFlags & FAULT_FLAG_USER) k.clearBits(k.L.THR_LOCKS, tid, LK_MMAP_READ);
  const R = tid * THREAD_REGS;
  for (let i = 0; i < THREAD_REGS; i++) k.set(k.L.THR_REG, R + i, 0);
  k.set(k.L.THR_OP, tid, OP_NONE);
  k.set(k.L.THR_STAGE, tid, 0);
  if (k.log) k.trace(`handle_fault returned ${r.vmret & VM_FAULT_RETRY ? 'VM_FAULT_RETRY' : r.vmret}`);
  return r.vmret;
}

/** do_anonymous_page: a new zeroed anon folio from the VMA policy (vma_alloc_folio). */
export function doAnonymousPage(k: Kernel, tid: number, mm: number, vaddr: number, write: boolean): number {
  ran(k, 'do_anonymous_page');
  // mm/memory.c: do_anonymous_page
  const s = pteSlot(k, mm, vaddr);
  // alloc_anon_folio: a large folio for the aligned range of a VM_HUGEPAGE vma first (src/kernel/thp.ts).
  const large = allocAnonLargeFolio(k, mm, vaddr, threadNode(k, tid));
  if (large) return mapNewAnonFolio(k, tid, mm, vaddr, large.pfn, large.base, large.nr, write);
  let pfn = vmaAllocFolio(k, mm, vaddr, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0, threadNode(k, tid));
  // __alloc_pages_may_oom (configs with the OOM killer): kill, then retry unless current was the victim.
  if (pfn === NULL_PFN && k.cfg.actors.oom) {
    const { nid, nodemask } = policyNodemask(k, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, vmaPolicy(k, mm, vaddr), vaddr, threadNode(k, tid));
    const victim = outOfMemory(k, tid, mm, anonFaultOomControl(nid, nodemask));
    if (victim >= 0 && victim !== mm) pfn = vmaAllocFolio(k, mm, vaddr, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0, threadNode(k, tid));
  }
  // alloc_anon_folio: mem_cgroup_charge(folio, vma->vm_mm, gfp); on failure folio_put and VM_FAULT_OOM.
  // A fault whose charge must reclaim goes on in steps (memcg_charge_step.ts).
  if (pfn !== NULL_PFN) {
    const c = chargeFaultFolio(k, tid, s, pfn, mm, write);
    if (c === 'staged') return 0;
    if (c !== 0) {
      folioPut(k, tid, pfn);
      pfn = NULL_PFN;
    }
  }
  if (pfn === NULL_PFN) {
    if (k.log) k.trace(`do_anonymous_page(mm ${mm}, v${vaddr}) = VM_FAULT_OOM`);
    return VM_FAULT_OOM;
  }
  return mapNewAnonFolio(k, tid, mm, vaddr, pfn, s, 1, write);
}

/**
 * The fault of a user CPU's program op between operations: a load or store,
 * a GUP or pin_user_pages fault (workload.ts hands the fault's return to the
 * op as for a staged handle_fault). fork's copy_present_page charges in its
 * one step (memcontrol.ts).
 */
function memcgChargeStageable(k: Kernel, tid: number): boolean {
  const r = k.g.threads[tid];
  if (r?.kind !== 'cpu' || k.get(k.L.THR_OP, tid) !== OP_NONE) return false;
  const op = k.cfg.cpus[r.cpu]!.program[k.get(k.L.THR_PC, tid)]?.op;
  return op === 'read' || op === 'write' || op === 'gup' || op === 'pin_user_pages';
}

/**
 * The rest of do_anonymous_page for a new folio of nr pages whose range
 * starts at slot `base`: zeroed, folio_ref_add(nr - 1), folio_add_new_anon_rmap
 * (RMAP_EXCLUSIVE), folio_add_lru_vma, set_ptes over the whole range (writable
 * and dirty iff VM_WRITE).
 */
export function mapNewAnonFolio(k: Kernel, tid: number, mm: number, vaddr: number, pfn: number, base: number, nr: number, write: boolean): number {
  zeroFolio(k, pfn, nr);
  k.setBits(k.L.PG_FLAGS, pfn, PG_anon);
  lruAdd(k, pfn, tid);
  const vw = k.has(k.L.VMA_FLAGS, base, VMA_WRITE);
  // Mutant anon-fault-drops-alloc-ref (mutants/safety.ts): the allocation's reference is dropped as if the rmap took its own.
  if (k.cfg.mutant === 'anon-fault-drops-alloc-ref') folioPut(k, tid, pfn);
  // The allocation's reference becomes the first mapping's; folio_ref_add gives the other PTEs theirs.
  k.add(k.L.PG_REF, pfn, nr - 1);
  for (let i = 0; i < nr; i++) setPtePresent(k, base + i, pfn + i, PTE_EXCL | (vw ? PTE_WRITE | PTE_DIRTY : 0));
  if (k.log) k.trace(`do_anonymous_page(mm ${mm}, v${vaddr}${write ? ', write' : ''}) -> pfn ${pfn}${nr > 1 ? ` (order-${Math.log2(nr)} folio, ${nr} PTEs)` : ''} (node ${folioNid(k, pfn)})`);
  return 0;
}

function fileOf(k: Kernel, s: number): { file: number; pgoff: number } {
  return { file: k.get(k.L.VMA_FILE, s) - 1, pgoff: k.get(k.L.VMA_PGOFF, s) };
}

/** do_read_fault: map the page-cache folio read-only. */
function doReadFault(k: Kernel, tid: number, mm: number, vaddr: number): number {
  // mm/memory.c: do_read_fault
  const s = pteSlot(k, mm, vaddr);
  const { file, pgoff } = fileOf(k, s);
  const pfn = filemapGetFolio(k, threadNode(k, tid), file, pgoff, tid);
  if (pfn === NULL_PFN) return VM_FAULT_OOM;
  setPtePresent(k, s, pfn, 0); // the lookup's reference becomes the mapping's
  if (k.log) k.trace(`do_read_fault(mm ${mm}, v${vaddr}) -> pfn ${pfn} (node ${folioNid(k, pfn)}) read-only`);
  return 0;
}

/** do_cow_fault: private file write fault: copy the page-cache folio into a new anon folio. */
function doCowFault(k: Kernel, tid: number, mm: number, vaddr: number): number {
  // mm/memory.c: do_cow_fault: `folio = folio_prealloc(vma->vm_mm, vma, vmf->address, false); if (!folio)
  // return VM_FAULT_OOM;` first, then __do_fault, the copy and finish_fault.
  const s = pteSlot(k, mm, vaddr);
  const dst = vmaAllocFolio(k, mm, vaddr, GFP_HIGHUSER_MOVABLE, 0, threadNode(k, tid));
  if (dst === NULL_PFN) return VM_FAULT_OOM;
  // A charge that must reclaim goes on in steps (memcg_charge_fault.ts).
  const charged = chargeFaultFolio(k, tid, s, dst, mm, true, { kind: MC_KIND_COW_FAULT, orig: 0, unshare: false });
  if (charged === 'staged') return 0;
  if (charged !== 0) {
    folioPut(k, tid, dst);
    return VM_FAULT_OOM;
  }
  const src = cowFaultCopy(k, tid, mm, vaddr, dst);
  if (src === NULL_PFN) return VM_FAULT_OOM;
  return cowFaultFinish(k, tid, mm, vaddr, dst, src);
}

/**
 * do_cow_fault's __do_fault (the page-cache folio, with a reference) and
 * copy_mc_user_highpage into the new folio: the page-cache pfn, or NULL_PFN
 * when the lookup fails (VM_FAULT_OOM: the new folio is put).
 */
// mm/memory.c: do_cow_fault (`ret = __do_fault(vmf);` ... `copy_mc_user_highpage(vmf->cow_page, vmf->page, ...)`)
export function cowFaultCopy(k: Kernel, tid: number, mm: number, vaddr: number, dst: number): number {
  const { file, pgoff } = fileOf(k, pteSlot(k, mm, vaddr));
  const src = filemapGetFolio(k, threadNode(k, tid), file, pgoff, tid);
  if (src === NULL_PFN) {
    folioPut(k, tid, dst); // uncharge_out: folio_put(folio)
    return NULL_PFN;
  }
  copyFolioContent(k, dst, src, 1);
  return src;
}

/**
 * do_cow_fault's finish_fault under the PTL: check_stable_address_space
 * (private vma; VM_FAULT_SIGBUS), vmf_pte_changed (VM_FAULT_NOPAGE: the
 * fault is retried), else the copy is mapped writable and dirty
 * (folio_add_new_anon_rmap, folio_add_lru_vma); the page-cache folio's
 * reference is put either way, the copy's if it was not mapped.
 */
// mm/memory.c: do_cow_fault -> finish_fault
export function cowFaultFinish(k: Kernel, tid: number, mm: number, vaddr: number, dst: number, src: number): number {
  const s = pteSlot(k, mm, vaddr);
  if (!k.get(k.L.MM_LIVE, mm) || !k.has(k.L.VMA_FLAGS, s, VMA_MAPPED) || k.get(k.L.PTE_KIND, s) !== PTE_NONE) {
    const unstable = !k.get(k.L.MM_LIVE, mm) || !k.has(k.L.VMA_FLAGS, s, VMA_MAPPED);
    folioPut(k, tid, src);
    folioPut(k, tid, dst);
    if (k.log) k.trace(`do_cow_fault(mm ${mm}, v${vaddr}): ${unstable ? 'address space unstable: VM_FAULT_SIGBUS' : 'PTE changed: VM_FAULT_NOPAGE'}, release pfn ${dst}`);
    return unstable ? VM_FAULT_SIGBUS : 0;
  }
  k.setBits(k.L.PG_FLAGS, dst, PG_anon);
  lruAdd(k, dst, tid);
  setPtePresent(k, s, dst, PTE_EXCL | PTE_WRITE | PTE_DIRTY);
  folioPut(k, tid, src);
  if (k.log) k.trace(`do_cow_fault(mm ${mm}, v${vaddr}): pfn ${src} copied to pfn ${dst} (node ${folioNid(k, dst)})`);
  return 0;
}

/**
 * do_shared_fault: map the page-cache folio writable and dirty WHEREVER it
 * is, even on a private node (SEMANTICS A3: a demoted file folio gets written
 * through a PTE that no PROTECT_WRITE fixup ever saw).
 */
function doSharedFault(k: Kernel, tid: number, mm: number, vaddr: number): number {
  // mm/memory.c: do_shared_fault
  const s = pteSlot(k, mm, vaddr);
  const { file, pgoff } = fileOf(k, s);
  const pfn = filemapGetFolio(k, threadNode(k, tid), file, pgoff, tid);
  if (pfn === NULL_PFN) return VM_FAULT_OOM;
  k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
  setPtePresent(k, s, pfn, PTE_WRITE | PTE_DIRTY);
  if (k.log) k.trace(`do_shared_fault(mm ${mm}, v${vaddr}) -> pfn ${pfn} (node ${folioNid(k, pfn)}) writable`);
  return 0;
}

/**
 * do_wp_page: shared mapping -> wp_page_shared (write-enable in place);
 * exclusive anon folio -> wp_page_reuse; otherwise wp_page_copy to a new
 * folio from the VMA policy.
 */
export function doWpPage(k: Kernel, tid: number, mm: number, vaddr: number, unshare = false): number {
  ran(k, 'do_wp_page');
  // mm/memory.c: do_wp_page
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  const old = pageFolio(k, k.get(L.PTE_VAL, s));
  const flags = k.get(L.PTE_FLAGS, s);
  if (k.has(L.VMA_FLAGS, s, VMA_SHARED)) {
    k.setBits(L.PG_FLAGS, old, PG_dirty);
    k.set(L.PTE_FLAGS, s, flags | PTE_WRITE | PTE_DIRTY);
    if (k.log) k.trace(`do_wp_page(mm ${mm}, v${vaddr}): wp_page_shared pfn ${old} (node ${folioNid(k, old)})`);
    return 0;
  }
  if (folioTestAnon(k, old)) {
    // PageAnonExclusive: reuse at once; else wp_can_reuse_anon_folio: drop an unused
    // swap-cache copy, then reuse if we are the only user.
    const excl = (flags & PTE_EXCL) !== 0;
    const slot = k.get(L.PG_SWAP, old) - 1;
    if (!excl && slot >= 0 && k.get(L.SWAP_COUNT, slot) === 0 && k.get(L.PG_REF, old) === 2 && k.get(L.PG_MAPCOUNT, old) === 1) {
      deleteFromSwapCache(k, old);
    }
    // Fix private-no-ops-protected: a private folio left write-protected for a service that is
    // gone is not reused in place; wp_page_copy moves the data off the node.
    const keepOff = privateNodeWithoutOps(k, folioNid(k, old)) && folioManagedWrprotect(k, old);
    // wp_can_reuse_anon_folio: "We cannot easily detect+handle references from
    // remote LRU caches": a folio not on the LRU drains this CPU's batch first.
    if (!excl && !k.has(L.PG_FLAGS, old, PG_lru)) drainLocal(k, tid);
    // "If we encounter a page that is marked exclusive, we must reuse the page
    // without further checks" (a pinned exclusive page stays the process's page).
    if (!keepOff && (excl || (k.get(L.PG_REF, old) === 1 && k.get(L.PG_MAPCOUNT, old) === 1))) {
      // wp_can_reuse_anon_folio -> folio_move_anon_rmap + SetPageAnonExclusive
      if (unshare) {
        // FAULT_FLAG_UNSHARE: mark the page exclusive and return; the PTE stays read-only.
        k.set(L.PTE_FLAGS, s, flags | PTE_EXCL);
        if (k.log) k.trace(`do_wp_page(mm ${mm}, v${vaddr}, unshare): pfn ${old} now exclusive`);
        return 0;
      }
      // wp_page_reuse: maybe_mkwrite (a FOLL_FORCE write into a read-only VMA leaves it read-only).
      const w = k.has(L.VMA_FLAGS, s, VMA_WRITE) ? PTE_WRITE : 0;
      k.set(L.PTE_FLAGS, s, flags | PTE_EXCL | w | PTE_DIRTY);
      if (k.log) k.trace(`do_wp_page(mm ${mm}, v${vaddr}): wp_page_reuse pfn ${old} (node ${folioNid(k, old)})`);
      return 0;
    }
  }
  // wp_page_copy
  const dst = vmaAllocFolio(k, mm, vaddr, GFP_HIGHUSER_MOVABLE, 0, threadNode(k, tid));
  // folio_prealloc: mem_cgroup_charge, on failure folio_put and VM_FAULT_OOM. A charge that must
  // reclaim goes on in steps: do_wp_page took a reference on the old folio (`folio_get(folio);
  // pte_unmap_unlock(vmf->pte, vmf->ptl); ... return wp_page_copy(vmf);`) and wp_page_copy
  // re-checks the PTE under the PTL once charged (memcg_charge_fault.ts).
  const charged = dst === NULL_PFN ? -1 : chargeFaultFolio(k, tid, s, dst, mm, !unshare, { kind: MC_KIND_WP_COPY, orig: packOrigPte(k.get(L.PTE_VAL, s), flags), unshare });
  if (charged === 'staged') {
    folioGet(k, old);
    return 0;
  }
  if (charged !== 0) {
    if (dst !== NULL_PFN) folioPut(k, tid, dst);
    if (k.log) k.trace(`do_wp_page(mm ${mm}, v${vaddr}): wp_page_copy = VM_FAULT_OOM`);
    return VM_FAULT_OOM;
  }
  // wp_page_copy copies the faulting page (vmf->page), which is a tail page of a large folio.
  copyFolioContent(k, dst, k.get(L.PTE_VAL, s), 1);
  return wpPageCopyMap(k, tid, mm, vaddr, dst, unshare);
}

/**
 * wp_page_copy under the PTL with the PTE as the fault found it: the copy dst
 * replaces the old page (folio_add_new_anon_rmap, folio_add_lru_vma,
 * set_pte_at; the copy is writable and dirty unless unsharing), the old
 * folio's mapping goes (folio_remove_rmap_pte) and its PTE's reference is put.
 */
// mm/memory.c: wp_page_copy
export function wpPageCopyMap(k: Kernel, tid: number, mm: number, vaddr: number, dst: number, unshare: boolean): number {
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  const old = pageFolio(k, k.get(L.PTE_VAL, s));
  k.setBits(L.PG_FLAGS, dst, PG_anon);
  lruAdd(k, dst, tid);
  k.add(L.PG_MAPCOUNT, old, -1);
  k.set(L.PTE_FLAGS, s, 0);
  // wp_page_copy: unshare maps the copy read-only; a write maps it maybe_mkwrite(pte_mkdirty()).
  const w = !unshare && k.has(L.VMA_FLAGS, s, VMA_WRITE) ? PTE_WRITE : 0;
  setPtePresent(k, s, dst, PTE_EXCL | (unshare ? 0 : w | PTE_DIRTY));
  folioPut(k, tid, old);
  if (k.log) k.trace(`do_wp_page(mm ${mm}, v${vaddr}${unshare ? ', unshare' : ''}): wp_page_copy pfn ${old} -> pfn ${dst} (node ${folioNid(k, dst)})`);
  return 0;
}

/**
 * change_prot_numa for one PTE (task_numa_work): a present PTE becomes a
 * PROTNONE hinting PTE, unless the folio may not be NUMA-mapped
 * (v4 folio_can_map_prot_numa: a private folio needs NUMA_BALANCING).
 */
export function changeProtNuma(k: Kernel, mm: number, vaddr: number): boolean {
  ran(k, 'change_prot_numa');
  // mm/mempolicy.c: change_prot_numa -> folio_can_map_prot_numa
  const s = pteSlot(k, mm, vaddr);
  if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT || k.has(k.L.PTE_FLAGS, s, PTE_PROTNONE)) return false;
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  if (!folioManagedAllowsNuma(k, pfn)) return false;
  // pte_modify(PAGE_NONE) drops the write bit; do_numa_page recomputes it.
  k.set(k.L.PTE_FLAGS, s, (k.get(k.L.PTE_FLAGS, s) & ~PTE_WRITE) | PTE_PROTNONE);
  return true;
}

/**
 * do_numa_page: migrate a misplaced folio to the faulting CPU's node
 * (mpol_misplaced with the default policy), else rebuild the PTE. v4: the
 * rebuilt PTE stays read-only for PROTECT_WRITE folios.
 */
export function doNumaPage(k: Kernel, tid: number, mm: number, vaddr: number): number {
  ran(k, 'do_numa_page');
  // mm/memory.c: do_numa_page
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  const pfn = pageFolio(k, k.get(L.PTE_VAL, s));
  const target = threadNode(k, tid);
  // can_change_pte_writable: exclusive anon, or a dirty folio of a shared mapping.
  let writable = k.has(L.VMA_FLAGS, s, VMA_WRITE) &&
    (folioTestAnon(k, pfn) ? k.get(L.PG_MAPCOUNT, pfn) === 1 && refsBesidesLruBatch(k, pfn) === 1 : k.has(L.VMA_FLAGS, s, VMA_SHARED) && k.has(L.PG_FLAGS, pfn, PG_dirty));
  if (k.cfg.mutant !== 'numa-fault-maps-writable' && folioManagedWrprotect(k, pfn)) writable = false;
  if (k.cfg.mutant === 'numa-fault-maps-writable' && folioManagedWrprotect(k, pfn)) writable = true;
  if (folioNid(k, pfn) !== target) {
    const ret = migrateMisplacedFolio(k, tid, pfn, target);
    if (k.log) k.trace(`do_numa_page(mm ${mm}, v${vaddr}): migrate_misplaced_folio(pfn ${pfn}, node ${target}) = ${errname(ret)}`);
    if (ret === 0) return 0;
  }
  // numa_rebuild_single_mapping
  if (k.get(L.PTE_KIND, s) === PTE_PRESENT) {
    const f = k.get(L.PTE_FLAGS, s) & ~(PTE_PROTNONE | PTE_WRITE);
    k.set(L.PTE_FLAGS, s, f | (writable ? PTE_WRITE : 0));
  }
  return 0;
}

/** lru_add_drain() on the CPU thread tid runs on. */
function drainLocal(k: Kernel, tid: number): void {
  lruAddDrainLocal(k, tid);
}

/**
 * The folio's references other than a per-CPU lru_add batch's. The model
 * reads PageAnonExclusive of a mapped anon folio as "one mapping and no other
 * reference" (can_change_pte_writable); a batch's reference does not make a
 * page shared, so it is not counted.
 */
export function refsBesidesLruBatch(k: Kernel, pfn: number): number {
  return k.get(k.L.PG_REF, pfn) - (k.get(k.L.PG_LRU_BATCH, pfn) !== 0 ? 1 : 0);
}

/**
 * do_swap_page: the swap-cache folio, or a new folio read from the slot.
 * Swap-in allocates without __GFP_PRIVATE on the CPU's node: it never lands on
 * a private node (SEMANTICS 2.5).
 */
export function doSwapPage(k: Kernel, tid: number, mm: number, vaddr: number, write: boolean): number {
  ran(k, 'do_swap_page');
  // mm/memory.c: do_swap_page
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  const slot = k.get(L.PTE_VAL, s);
  let pfn = swapCacheLookup(k, slot);
  if (pfn >= 0) {
    k.add(L.PG_REF, pfn, 1); // swap_cache_get_folio's reference becomes the mapping's
  } else {
    const node = threadNode(k, tid);
    pfn = k.cfg.mutant === 'swapin-to-private'
      ? allocPages(k, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0, swapinPrivateNode(k, s, node), null, { inTask: true })
      : allocPages(k, GFP_HIGHUSER_MOVABLE, 0, node, null, { inTask: true });
    // __read_swap_cache_async: swapcache_prepare (SWAP_HAS_CACHE), then mem_cgroup_swapin_charge_folio
    // (the swap entry's memcg: the one memcg). A charge that must reclaim goes on in steps with the
    // slot claimed (memcg_charge_fault.ts).
    const charged = pfn === NULL_PFN ? -1 : chargeFaultFolio(k, tid, s, pfn, mm, write, { kind: MC_KIND_SWAPIN, orig: packOrigPte(slot, k.get(L.PTE_FLAGS, s)), unshare: false });
    if (charged === 'staged') return 0;
    if (charged !== 0 && pfn !== NULL_PFN) {
      folioPut(k, tid, pfn);
      pfn = NULL_PFN;
    }
    if (pfn === NULL_PFN) {
      if (k.log) k.trace(`do_swap_page(mm ${mm}, v${vaddr}) = VM_FAULT_OOM`);
      return VM_FAULT_OOM;
    }
    swapinAddToCache(k, tid, pfn, slot);
  }
  return swapinMapFolio(k, tid, mm, vaddr, write, pfn, slot);
}

/**
 * __read_swap_cache_async once charged: add_to_swap_cache (one reference),
 * folio_add_lru; then swap_read_folio (the model reads synchronously).
 */
// mm/swap_state.c: __read_swap_cache_async; mm/page_io.c: swap_read_folio
export function swapinAddToCache(k: Kernel, tid: number, pfn: number, slot: number): void {
  k.setBits(k.L.PG_FLAGS, pfn, PG_anon);
  addToSwapCache(k, pfn, slot);
  copySwapData(k, pfn, slot);
  lruAdd(k, pfn, tid);
}

/**
 * do_swap_page under the PTL with the PTE still the swap entry it faulted on:
 * swap_free, should_try_to_free_swap, the PTE from the folio (the reference
 * the caller holds becomes the mapping's).
 */
// mm/memory.c: do_swap_page (after pte_offset_map_lock and pte_same)
export function swapinMapFolio(k: Kernel, tid: number, mm: number, vaddr: number, write: boolean, pfn: number, slot: number): number {
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  // pte_swp_exclusive: try_to_unmap marked the entry if the page was
  // PageAnonExclusive (one mapping, never shared by fork)
  const marked = k.has(L.PTE_FLAGS, s, PTE_EXCL);
  // "Try removing the extra reference from the local LRU caches if required":
  // a write fault on a swap-cache folio that is not on the LRU drains this CPU's batch.
  if (write && !k.has(L.PG_FLAGS, pfn, PG_lru)) drainLocal(k, tid);
  swapFree(k, slot);
  // should_try_to_free_swap: a write fault that is the last user drops the swap copy.
  if (write && k.get(L.SWAP_COUNT, slot) === 0 && k.get(L.PG_REF, pfn) === 2) deleteFromSwapCache(k, pfn);
  // exclusive || folio_ref_count(folio) == 1, then VM_WRITE -> pte_mkwrite, on
  // a read fault too. v4 has no folio_managed_wrprotect here (SEMANTICS 4.3
  // lists its PROTECT_WRITE sites): a swap-cache folio on a private node is
  // mapped writable like any other (finding swapin-maps-private-writable).
  const exclusive = marked || k.get(L.PG_REF, pfn) === 1;
  const vw = k.has(L.VMA_FLAGS, s, VMA_WRITE);
  let flags = exclusive ? PTE_EXCL : 0;
  const protect = hasFix(k.cfg, 'swapin-wrprotect') && folioManagedWrprotect(k, pfn);
  if (exclusive && vw && !protect) flags |= PTE_WRITE | (write ? PTE_DIRTY : 0);
  if (flags & PTE_DIRTY) k.setBits(L.PG_FLAGS, pfn, PG_dirty);
  k.set(L.PTE_KIND, s, PTE_NONE);
  setPtePresent(k, s, pfn, flags);
  if (k.log) k.trace(`do_swap_page(mm ${mm}, v${vaddr}, slot ${slot}) -> pfn ${pfn} (node ${folioNid(k, pfn)})${flags & PTE_WRITE ? ' writable' : ''}`);
  return 0;
}

/** Mutant swapin-to-private: the preferred private node (the VMA policy's, else the machine's first). */
function swapinPrivateNode(k: Kernel, s: number, fallback: number): number {
  const nodes = k.get(k.L.VMA_POL_NODES, s);
  for (let n = 0; n < k.g.nodes; n++) if (nodes & (1 << n) && k.cfg.nodes[n]!.kind === 'private') return n;
  return k.g.privateNode >= 0 ? k.g.privateNode : fallback;
}

function copySwapData(k: Kernel, pfn: number, slot: number): void {
  // swap_read_folio: contents from the swap device.
  const v = k.get(k.L.SWAP_DATA, slot);
  if (k.get(k.L.PG_CONTENT, pfn) !== v) {
    // Through setPageContent so a device page (mutant) is accounted.
    setPageContent(k, pfn, v);
  }
}

/** The page-cache slot a file VMA slot maps (for the ghost bookkeeping of the workload). */
export function vmaFileIndex(k: Kernel, s: number): number {
  const f = k.get(k.L.VMA_FILE, s);
  return f ? fileIndex(k, f - 1, k.get(k.L.VMA_PGOFF, s)) : -1;
}
