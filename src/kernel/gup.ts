// mm/gup.c: get_user_pages and friends for one page, as a program op of a
// user CPU (kernel code running in that task: a driver's pin_user_pages, a
// get_user_pages_unlocked caller, ptrace's access_remote_vm on another mm).
// v4 does not touch mm/gup.c: what reaches a private node is what the generic
// GUP does with a P folio's read-only PTE, and the faults it takes.
//
// One step of the op is one pass of __get_user_pages' loop for the page:
// check_vma_flags, follow_page_pte, and when that finds no usable page,
// faultin_page -> handle_mm_fault. A fault that enters ops->handle_fault
// (cram_fault) continues as further steps of the op (THR_OP = OP_HANDLE_FAULT),
// and gupAfterFault decides, as faultin_page and __get_user_pages_locked do,
// whether the GUP retries (next step) or returns.
//
// The caller holds the target mm's mmap_lock for read from the first pass to
// the return: between two passes the thread keeps LK_MMAP_READ with REG[0] =
// the PTE slot, so mmap-write syscalls of that mm wait (mmapReadHeldByOther).
// A fault handler that drops the lock (release_fault_lock) clears it.
//
// Modelling choices: a FOLL_PIN takes one reference (the kernel adds
// GUP_PIN_COUNTING_BIAS; only "more than the mapping's references" is read by
// the modelled paths: migration's refcount check, reclaim's freeze); at most
// one pin per CPU, kept in THR_PIN until an `unpin` op.

import { EFAULT, ENOMEM, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS } from './defs.ts';
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT, FAULT_FLAG_WRITE, gupFaultFlags, type GupOp } from './fault_flags.ts';
import { folioGet, folioNid, folioPut, folioTestAnon, pageFolio } from './folio.ts';
import type { Kernel } from './kernel.ts';
import { EV_DATA_LOSS, EV_PIN_NOT_EXCL, LK_MMAP_READ, PG_dirty, PTE_EXCL, PTE_MIGRATION, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE, THREAD_REGS, VMA_MAPPED, VMA_MAYWRITE, VMA_SHARED, VMA_WRITE } from './layout.ts';
import { handleMmFault, ptlHeldByOther, pteSlot, vmaFileIndex } from './memory.ts';
import { pageContent, setPageContent } from './page.ts';
import { ran } from './ran.ts';
import { hasFix } from './config.ts';
import { folioManagedWrprotect } from './node_private.ts';

/** What a step did to the program counter (as workload.ts's OpResult). */
export type GupResult = 'next' | 'stay' | 'blocked';

/** Ghost bookkeeping the caller (workload.ts) does for a store through a shared file mapping. */
export type FileWritten = (k: Kernel, idx: number, value: number, except: number) => void;

/** The mm a GUP op works on: its own or, for remote GUP, another (FOLL_REMOTE). */
export function gupTargetMm(op: GupOp, ownMm: number): number {
  return op.mm ?? ownMm;
}

/**
 * can_follow_write_pte(pte, page, vma, flags): a writable PTE; or FOLL_FORCE
 * into a read-only private (COW) mapping whose page is an exclusive anon page
 * (a write fault already broke COW). Soft-dirty and uffd-wp are not modelled.
 */
// mm/gup.c: can_follow_write_pte
function canFollowWritePte(k: Kernel, s: number, pfn: number, op: GupOp): boolean {
  const pf = k.get(k.L.PTE_FLAGS, s);
  if (pf & PTE_WRITE) return true;
  if (!op.force) return false;
  // Fix gup-force-respects-protect-write: a PROTECT_WRITE folio is never written
  // through a read-only PTE; FOLL_FORCE takes the write fault (handle_fault promotes).
  if (hasFix(k.cfg, 'gup-force-respects-protect-write') && folioManagedWrprotect(k, pfn)) return false;
  const vf = k.get(k.L.VMA_FLAGS, s);
  if (vf & VMA_SHARED) return false;
  if (!(vf & VMA_MAYWRITE)) return false;
  if (vf & VMA_WRITE) return false;
  return folioTestAnon(k, pfn) && (pf & PTE_EXCL) !== 0;
}

/**
 * gup_must_unshare(vma, flags, page): a FOLL_PIN without FOLL_WRITE on an anon
 * page that is not PageAnonExclusive must unshare it first (R/O pins of page
 * cache matter only for FOLL_LONGTERM).
 */
// include/linux/mm.h: gup_must_unshare
function gupMustUnshare(k: Kernel, s: number, pfn: number, op: GupOp): boolean {
  if (op.write || !op.pin) return false;
  if (!folioTestAnon(k, pfn)) return false;
  // Mutant gup-pin-skips-unshare (mutants/gup.ts): a R/O pin of a shared anon page skips the unshare fault.
  if (k.cfg.mutant === 'gup-pin-skips-unshare') return false;
  return !k.has(k.L.PTE_FLAGS, s, PTE_EXCL);
}

/** check_vma_flags(vma, gup_flags): 0 or -EFAULT. */
// mm/gup.c: check_vma_flags
function checkVmaFlags(k: Kernel, s: number, op: GupOp): number {
  const vf = k.get(k.L.VMA_FLAGS, s);
  if (!(vf & VMA_MAPPED)) return -EFAULT;
  if (op.write && !(vf & VMA_WRITE)) {
    if (!op.force) return -EFAULT;
    // FOLL_FORCE only for COW mappings (is_cow_mapping: private and may write).
    if (vf & VMA_SHARED || !(vf & VMA_MAYWRITE)) return -EFAULT;
  }
  return 0;
}

function holdMmapLock(k: Kernel, tid: number, s: number): void {
  k.setBits(k.L.THR_LOCKS, tid, LK_MMAP_READ);
  k.set(k.L.THR_REG, tid * THREAD_REGS, s);
}

/** The GUP returns: the caller's mmap_read_unlock (a lock a fault handler already dropped is not held). */
function gupReturn(k: Kernel, tid: number, ret: number, what: string): GupResult {
  k.clearBits(k.L.THR_LOCKS, tid, LK_MMAP_READ);
  k.set(k.L.THR_REG, tid * THREAD_REGS, 0);
  if (k.log) k.trace(`${what} = ${ret}`);
  return 'next';
}

/** A one-line label of a GUP op (the kernel entry point its flags select). */
export function gupOpLabel(op: GupOp): string {
  const name = gupName(op, op.mm !== undefined);
  return op.write ? name.replace(/\)$/, `, ${op.value ?? 0})`) : name;
}

function gupName(op: GupOp, remote: boolean): string {
  const fn = remote ? 'get_user_pages_remote' : op.pin ? 'pin_user_pages' : op.locked ? 'get_user_pages_unlocked' : 'get_user_pages';
  const fl = [op.write ? 'FOLL_WRITE' : '', op.force ? 'FOLL_FORCE' : '', op.nowait ? 'FOLL_NOWAIT' : ''].filter(Boolean).join('|');
  const where = remote ? `mm${op.mm}, ` : '';
  return `${fn}(${where}v${op.vaddr}${fl ? `, ${fl}` : ''}${remote && op.locked ? ', &locked' : ''})`;
}

/**
 * One pass of __get_user_pages for the op's page, run by user CPU thread tid
 * whose task runs in ownMm.
 */
// mm/gup.c: __get_user_pages
export function gupStep(k: Kernel, tid: number, ownMm: number, op: GupOp, fileWritten: FileWritten): GupResult {
  ran(k, 'get_user_pages');
  const L = k.L;
  const mm = gupTargetMm(op, ownMm);
  const remote = mm !== ownMm;
  const name = gupName(op, remote);
  // get_task_mm of a task not yet forked: nothing to look up.
  if (!k.get(L.MM_LIVE, mm)) return gupReturn(k, tid, -EFAULT, `${name}: no mm`);
  if (ptlHeldByOther(k, tid, mm)) return 'blocked';
  const s = pteSlot(k, mm, op.vaddr);
  const bad = checkVmaFlags(k, s, op);
  if (bad) return gupReturn(k, tid, bad, `${name}: check_vma_flags`);
  const kind = k.get(L.PTE_KIND, s);
  const pf = k.get(L.PTE_FLAGS, s);
  let unshare = false;
  // follow_page_pte: FOLL_HONOR_NUMA_FAULT is always set (is_valid_gup_args), so a PROTNONE PTE faults.
  if (kind === PTE_PRESENT && !(pf & PTE_PROTNONE)) {
    const page = k.get(L.PTE_VAL, s);
    const folio = pageFolio(k, page);
    const mustWrite = op.write && !canFollowWritePte(k, s, folio, op);
    unshare = !mustWrite && !(pf & PTE_WRITE) && gupMustUnshare(k, s, folio, op);
    if (!mustWrite && !unshare) return gupGrab(k, tid, s, page, folio, op, name, fileWritten);
  } else if (kind === PTE_MIGRATION) {
    // handle_mm_fault -> migration_entry_wait: sleeps until the entry is gone.
    return 'blocked';
  }
  return faultinPage(k, tid, mm, op, remote, unshare, name);
}

/**
 * Does the next pass of thread tid's GUP op find its page (follow_page_pte
 * returns it, no fault)? Read only: the liveness fairness of a GUP's lookup
 * (models/kernel.fairness.ts) asks it of a state.
 */
// mm/gup.c: follow_page_pte
export function gupFollowFindsPage(k: Kernel, ownMm: number, op: GupOp): boolean {
  const L = k.L;
  const mm = gupTargetMm(op, ownMm);
  if (!k.get(L.MM_LIVE, mm)) return false;
  const s = pteSlot(k, mm, op.vaddr);
  if (checkVmaFlags(k, s, op)) return false;
  const pf = k.get(L.PTE_FLAGS, s);
  if (k.get(L.PTE_KIND, s) !== PTE_PRESENT || pf & PTE_PROTNONE) return false;
  const folio = pageFolio(k, k.get(L.PTE_VAL, s));
  if (op.write && !canFollowWritePte(k, s, folio, op)) return false;
  return (pf & PTE_WRITE) !== 0 || !gupMustUnshare(k, s, folio, op);
}

/** try_grab_folio + the caller's access (copy_to_user_page / copy_from_user_page), then put or keep the pin. */
function gupGrab(k: Kernel, tid: number, s: number, page: number, folio: number, op: GupOp, name: string, fileWritten: FileWritten): GupResult {
  const L = k.L;
  folioGet(k, folio);
  // follow_page_pte: VM_BUG_ON_PAGE((flags & FOLL_PIN) && PageAnon(page) && !PageAnonExclusive(page))
  if (op.pin && folioTestAnon(k, folio) && !k.has(L.PTE_FLAGS, s, PTE_EXCL)) k.event(EV_PIN_NOT_EXCL);
  if (op.write) {
    const v = op.value ?? 0;
    // copy_to_user_page + set_page_dirty_lock: a store through the kernel mapping of the page.
    setPageContent(k, page, v);
    k.setBits(L.PG_FLAGS, folio, PG_dirty);
    k.set(L.GH_LAST_WRITE, s, v + 1);
    if (k.has(L.VMA_FLAGS, s, VMA_SHARED)) fileWritten(k, vmaFileIndex(k, s), v, s);
    if (k.log) k.trace(`${name}: pfn ${page} (node ${folioNid(k, folio)}) <- ${v}`);
  } else {
    const v = pageContent(k, page);
    const last = k.get(L.GH_LAST_WRITE, s);
    if (last !== 0 && last !== v + 1) k.event(EV_DATA_LOSS);
    if (k.log) k.trace(`${name}: pfn ${page} (node ${folioNid(k, folio)}) reads ${v}`);
  }
  if (op.pin) {
    // One pin per CPU in the model; a second pin while one is held would need a list.
    const held = k.get(L.THR_PIN, tid);
    if (held) folioPut(k, tid, held - 1);
    k.set(L.THR_PIN, tid, folio + 1);
  } else {
    folioPut(k, tid, folio);
  }
  return gupReturn(k, tid, 1, `${name} -> pfn ${page}${op.pin ? ' pinned' : ''}`);
}

/** faultin_page: handle_mm_fault with the flags FOLL_* give (fault_flags.ts), then what __get_user_pages does with the result. */
// mm/gup.c: faultin_page
function faultinPage(k: Kernel, tid: number, mm: number, op: GupOp, remote: boolean, unshare: boolean, name: string): GupResult {
  const flags = gupFaultFlags(op, remote, unshare);
  const s = pteSlot(k, mm, op.vaddr);
  if (k.log) k.trace(`${name}: faultin_page(${unshare ? 'UNSHARE' : flags & FAULT_FLAG_WRITE ? 'WRITE' : 'READ'}${flags & FAULT_FLAG_ALLOW_RETRY ? '|ALLOW_RETRY' : ''}${flags & FAULT_FLAG_RETRY_NOWAIT ? '|RETRY_NOWAIT' : ''})`);
  const out = handleMmFault(k, tid, mm, op.vaddr, op.write, flags);
  if (out.kind === 'blocked') return 'blocked';
  if (out.kind === 'staged') return 'stay'; // inside handle_fault; gupAfterFault runs when it returns
  return gupAfterFault(k, tid, op, remote, s, out.vmret, name);
}

/**
 * What __get_user_pages / __get_user_pages_locked do once handle_mm_fault
 * returned vmret: an error ends the GUP (-EFAULT / -ENOMEM); 0 retries the
 * lookup (goto retry); VM_FAULT_RETRY is -EBUSY: without FOLL_UNLOCKABLE the
 * GUP returns the pages done so far (0: "VM_FAULT_RETRY couldn't trigger,
 * bypass"), with FOLL_NOWAIT too (*locked stays 1); otherwise the lock was
 * dropped and __get_user_pages_locked takes it again and retries with
 * FOLL_TRIED.
 */
// mm/gup.c: faultin_page, __get_user_pages, __get_user_pages_locked
export function gupAfterFault(k: Kernel, tid: number, op: GupOp, remote: boolean, s: number, vmret: number, name = gupName(op, remote)): GupResult {
  if (vmret & VM_FAULT_SIGBUS) return gupReturn(k, tid, -EFAULT, `${name}: fault`);
  if (vmret & VM_FAULT_OOM) return gupReturn(k, tid, -ENOMEM, `${name}: fault`);
  const flags = gupFaultFlags(op, remote, false);
  if (vmret & VM_FAULT_RETRY) {
    if (!(flags & FAULT_FLAG_ALLOW_RETRY) || flags & FAULT_FLAG_RETRY_NOWAIT) return gupReturn(k, tid, 0, `${name}: faultin_page = -EBUSY`);
    holdMmapLock(k, tid, s); // mmap_read_lock again, FOLL_TRIED
    return 'stay';
  }
  holdMmapLock(k, tid, s);
  return 'stay';
}

/** gupAfterFault for the GUP op a thread was running when its staged fault returned. */
export function gupFaultReturned(k: Kernel, tid: number, ownMm: number, op: GupOp, vmret: number): GupResult {
  const mm = gupTargetMm(op, ownMm);
  return gupAfterFault(k, tid, op, mm !== ownMm, pteSlot(k, mm, op.vaddr), vmret);
}

/** unpin_user_page of the page thread tid pinned (if any). */
// mm/gup.c: unpin_user_page
export function unpinUserPage(k: Kernel, tid: number): void {
  const held = k.get(k.L.THR_PIN, tid);
  if (!held) return;
  k.set(k.L.THR_PIN, tid, 0);
  if (k.log) k.trace(`unpin_user_page(pfn ${held - 1})`);
  folioPut(k, tid, held - 1);
}
