// Long-term pinning: pin_user_pages(FOLL_LONGTERM) of one page and
// unpin_user_page (mm/gup.c), with v4's NP_OPS_LONGTERM_PIN gate
// (patch 20: include/linux/mm.h folio_is_longterm_pinnable ->
// drivers/base/node.c node_private_allows_longterm_pin).
//
// The call is __gup_longterm_locked's loop, two steps per pass:
//   1. __get_user_pages_locked: follow the PTE (faulting it in first, as
//      faultin_page does, one fault per step like a user access) and grab the
//      folio with FOLL_PIN: THR_LT_PIN = pfn + 1, THR_LT_PIN_STAGE = PIN_CHECK.
//      A FOLL_WRITE pin follows only a writable PTE (can_follow_write_pte);
//      otherwise it takes a write fault (FAULT_FLAG_WRITE), which on a P folio
//      is v4's handle_fault (cram_fault promotes it). pin_user_pages passes
//      no `locked`, so its faults have no FAULT_FLAG_ALLOW_RETRY: a handler's
//      VM_FAULT_RETRY ends the call with 0 pages (faultin_page: -EBUSY,
//      "VM_FAULT_RETRY couldn't trigger, bypass"). The mmap lock the call
//      holds between passes is not modelled here (gup.ts models it).
//   2. check_and_migrate_movable_folios: folio_is_longterm_pinnable reads the
//      node's flags live (node_private_flags under RCU), so a set_ops or
//      clear_ops can land between the pin and the check: a step boundary.
//      Pinnable: the call returns the pin (PIN_HELD). Not pinnable:
//      collect_longterm_unpinnable_folios isolates it, migrate_longterm_
//      unpinnable_folios unpins it and migrates it with alloc_migration_target
//      (nid NUMA_NO_NODE = the folio's node, GFP_USER | __GFP_NOWARN); moved:
//      -EAGAIN and the loop starts over at 1 (the PTE now maps the new folio);
//      not moved: -ENOMEM, the call fails and holds nothing.
// The pin is one folio reference in the model (the kernel adds
// GUP_PIN_COUNTING_BIAS; both make folio_migrate_mapping's refcount check fail,
// which is what keeps a pinned folio in place).
//
// Scope (what this file does not model, see README): the device's stores
// through a FOLL_WRITE pin (the pin's data is not followed); GUP-fast (its pinnable check
// falls back to this slow path for a folio it refuses, so the outcome is the
// same); the unshare fault of a non-exclusive anon page (FAULT_FLAG_UNSHARE,
// h-faults' GUP model): a program that needs it throws; CMA, device-coherent
// and fsdax folios (the model has none).

import { EFAULT, ENOMEM, GFP_USER, MIGRATE_SYNC, MR_LONGTERM_PIN, N_MEMORY_PRIVATE, NP_OPS_LONGTERM_PIN, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS, ZONE_MOVABLE, __GFP_HIGHMEM, __GFP_NOWARN, errname } from './defs.ts';
import { FAULT_FLAG_ALLOW_RETRY, gupFaultFlags } from './fault_flags.ts';
import { folioGet, folioIsolateLru, folioNid, folioNrPages, folioPut, folioTestAnon, lruAddDrain, pageFolio } from './folio.ts';
import { zoneType } from './geometry.ts';
import { EV2_LONGTERM_PIN_UNGATED, event2 } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { LK_MMAP_READ, PG_lru, PTE_EXCL, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE, VMA_MAPPED, VMA_WRITE } from './layout.ts';
import { handleMmFault, pteSlot } from './memory.ts';
import { migratePages, nodeStatModIsolated, putbackMovablePages, type NewFolioFn } from './migrate.ts';
import { nodePrivateHasFlag } from './node_private.ts';
import { opsById } from './ops_table.ts';
import { allocPages } from './page_alloc.ts';
import { ran } from './ran.ts';
import { PIN_NONE } from './folio_pin.ts';

/** THR_LT_PIN_STAGE values (PIN_NONE, no pin, lives in folio_pin.ts). */
export { PIN_NONE };
/** __get_user_pages_locked pinned THR_LT_PIN; check_and_migrate_movable_folios is the next step. */
export const PIN_CHECK = 1;
/** pin_user_pages returned the pin; it is held until unpin_user_page. */
export const PIN_HELD = 2;

/** What one step of the call did: the op is over ('next'), goes on ('stay'), or could not run ('blocked'). */
export type PinStep = 'next' | 'stay' | 'blocked';

/** node_private_allows_longterm_pin(nid): the out-of-line helper of folio_is_longterm_pinnable. */
// drivers/base/node.c: node_private_allows_longterm_pin (v4 patch 20)
export function nodePrivateAllowsLongtermPin(k: Kernel, nid: number): boolean {
  return nodePrivateHasFlag(k, nid, NP_OPS_LONGTERM_PIN);
}

/**
 * folio_is_longterm_pinnable(f) for the folios the model has (no CMA,
 * device-coherent or fsdax folios): a private node's folio is pinnable iff the
 * node allows it (v4), checked BEFORE the movable-zone rule, so an opted-in
 * node's ZONE_MOVABLE folio is pinnable in place; any other folio iff it is
 * not in ZONE_MOVABLE.
 */
// include/linux/mm.h: folio_is_longterm_pinnable (v4 patch 20)
export function folioIsLongtermPinnable(k: Kernel, pfn: number): boolean {
  const nid = folioNid(k, pfn);
  if (k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) {
    // Mutant longterm-pin-flag-ignored (mutants/claims.ts): private folios are pinnable whatever the node's flags.
    if (k.cfg.mutant === 'longterm-pin-flag-ignored') return true;
    return nodePrivateAllowsLongtermPin(k, nid);
  }
  return zoneType(k.g.pfnZone[pfn]!) !== ZONE_MOVABLE;
}

/** alloc_migration_target with mtc = {NUMA_NO_NODE, GFP_USER | __GFP_NOWARN} (migrate_longterm_unpinnable_folios). */
// mm/migrate.c: alloc_migration_target
function allocLongtermTarget(): NewFolioFn {
  return (k, src) => {
    // nid NUMA_NO_NODE -> folio_nid(src); a HIGHMEM or MOVABLE source zone adds __GFP_HIGHMEM.
    const movable = zoneType(k.g.pfnZone[src]!) === ZONE_MOVABLE;
    const gfp = GFP_USER | __GFP_NOWARN | (movable ? __GFP_HIGHMEM : 0);
    return allocPages(k, gfp, k.get(k.L.PG_ORDER, src), folioNid(k, src), null);
  };
}

/** The fault flags faultin_page builds for pin_user_pages(FOLL_LONGTERM [| FOLL_WRITE]): WRITE or nothing (no FOLL_UNLOCKABLE). */
export function pinFaultFlags(vaddr: number, write: boolean): number {
  return gupFaultFlags({ op: 'gup', vaddr, write, pin: true }, false, false);
}

/** One step of pin_user_pages(vaddr, 1, FOLL_LONGTERM [| FOLL_WRITE]) by thread tid in mm (see header). */
// mm/gup.c: pin_user_pages -> __gup_longterm_locked
export function pinUserPagesLongtermStep(k: Kernel, tid: number, mm: number, vaddr: number, write = false): PinStep {
  const stage = k.get(k.L.THR_LT_PIN_STAGE, tid);
  if (stage === PIN_CHECK) return checkAndMigrateMovableFolios(k, tid);
  if (stage === PIN_HELD) {
    // One long-term pin per thread in the model: a second pin op while one is held is a program error.
    throw new Error(`thread ${tid}: pin_user_pages while a long-term pin is held (one pin per thread in the model)`);
  }
  return getUserPagesLocked(k, tid, mm, vaddr, write);
}

/** Does the next step of thread tid's pin_user_pages(FOLL_LONGTERM) find and pin its page (no fault)? Read only (liveness fairness). */
export function pinLookupFindsPage(k: Kernel, tid: number, mm: number, vaddr: number, write = false): boolean {
  if (k.get(k.L.THR_LT_PIN_STAGE, tid) !== PIN_NONE) return false;
  const s = pteSlot(k, mm, vaddr);
  return k.has(k.L.VMA_FLAGS, s, VMA_MAPPED) && k.get(k.L.PTE_KIND, s) === PTE_PRESENT && !k.has(k.L.PTE_FLAGS, s, PTE_PROTNONE) && (!write || k.has(k.L.PTE_FLAGS, s, PTE_WRITE));
}

/** __get_user_pages_locked for one page: follow the PTE, fault it in, or pin its folio. */
// mm/gup.c: __get_user_pages -> follow_page_pte -> try_grab_folio(FOLL_PIN)
function getUserPagesLocked(k: Kernel, tid: number, mm: number, vaddr: number, write: boolean): PinStep {
  ran(k, '__get_user_pages');
  const L = k.L;
  const s = pteSlot(k, mm, vaddr);
  if (!k.has(L.VMA_FLAGS, s, VMA_MAPPED)) return failed(k, tid, vaddr, -EFAULT);
  // check_vma_flags: FOLL_WRITE without FOLL_FORCE needs VM_WRITE.
  if (write && !k.has(L.VMA_FLAGS, s, VMA_WRITE)) return failed(k, tid, vaddr, -EFAULT);
  // follow_page_pte; with FOLL_WRITE, can_follow_write_pte: a writable PTE (no FOLL_FORCE).
  if (k.get(L.PTE_KIND, s) === PTE_PRESENT && !k.has(L.PTE_FLAGS, s, PTE_PROTNONE) && (!write || k.has(L.PTE_FLAGS, s, PTE_WRITE))) {
    const pfn = pageFolio(k, k.get(L.PTE_VAL, s));
    // gup_must_unshare: a read pin of an anon page that is not exclusive needs an unshare fault first.
    if (folioTestAnon(k, pfn) && !k.has(L.PTE_FLAGS, s, PTE_EXCL)) {
      throw new Error(`pin_user_pages(v${vaddr}): unshare fault of a shared anon page is not modelled here (FAULT_FLAG_UNSHARE)`);
    }
    folioGet(k, pfn);
    k.set(L.THR_LT_PIN, tid, pfn + 1);
    k.set(L.THR_LT_PIN_STAGE, tid, PIN_CHECK);
    if (k.log) k.trace(`__get_user_pages(v${vaddr}, FOLL_PIN|FOLL_LONGTERM${write ? '|FOLL_WRITE' : ''}): pinned pfn ${pfn} (node ${folioNid(k, pfn)})`);
    return 'stay';
  }
  // faultin_page: handle_mm_fault (FAULT_FLAG_WRITE for FOLL_WRITE), then follow the PTE again at the next step.
  const out = handleMmFault(k, tid, mm, vaddr, write, pinFaultFlags(vaddr, write));
  if (out.kind === 'blocked') return 'blocked';
  if (out.kind === 'staged') return 'stay'; // inside handle_fault: pinFaultReturned decides when it returns
  return afterFault(k, tid, vaddr, out.vmret);
}

/** faultin_page's result for the call: an error or a VM_FAULT_RETRY without ALLOW_RETRY ends it; otherwise follow again. */
// mm/gup.c: faultin_page, __get_user_pages
function afterFault(k: Kernel, tid: number, vaddr: number, vmret: number): PinStep {
  if (vmret & VM_FAULT_OOM) return failed(k, tid, vaddr, -ENOMEM);
  if (vmret & VM_FAULT_SIGBUS) return failed(k, tid, vaddr, -EFAULT);
  if (vmret & VM_FAULT_RETRY && !(pinFaultFlags(vaddr, false) & FAULT_FLAG_ALLOW_RETRY)) {
    // -EBUSY from faultin_page without FOLL_UNLOCKABLE: __get_user_pages returns 0 pages, nothing to check or pin.
    if (k.log) k.trace(`pin_user_pages(v${vaddr}, FOLL_LONGTERM): faultin_page = -EBUSY -> 0 pages`);
    return 'next';
  }
  return 'stay';
}

/**
 * Thread tid's handle_fault returned vmret inside its pin_user_pages call:
 * the lock the handler kept is the call's, not modelled here (header), so it
 * goes; then as afterFault.
 */
export function pinFaultReturned(k: Kernel, tid: number, vaddr: number, vmret: number): PinStep {
  k.clearBits(k.L.THR_LOCKS, tid, LK_MMAP_READ);
  return afterFault(k, tid, vaddr, vmret);
}

/** check_and_migrate_movable_folios for the pinned folio (see header). */
// mm/gup.c: check_and_migrate_movable_folios -> collect_longterm_unpinnable_folios, migrate_longterm_unpinnable_folios
function checkAndMigrateMovableFolios(k: Kernel, tid: number): PinStep {
  ran(k, 'check_and_migrate_movable_folios');
  const L = k.L;
  const pfn = k.get(L.THR_LT_PIN, tid) - 1;
  if (folioIsLongtermPinnable(k, pfn)) {
    k.set(L.THR_LT_PIN_STAGE, tid, PIN_HELD);
    noteGrant(k, pfn);
    if (k.log) k.trace(`check_and_migrate_movable_folios(pfn ${pfn}): pinnable -> pin_user_pages = 1 (long-term pin on node ${folioNid(k, pfn)})`);
    return 'next';
  }
  // mm/gup.c: collect_longterm_unpinnable_folios drains every CPU's lru_add batch once when the folio
  // is not on an LRU (`if (!folio_test_lru(folio) && drain_allow) lru_add_drain_all()`): a folio
  // just faulted in sits in its CPU's batch, and without the drain the isolation would fail on every
  // -EAGAIN retry of __gup_longterm_locked.
  if (!k.has(L.PG_FLAGS, pfn, PG_lru)) lruAddDrain(k, tid, -1);
  const isolated = folioIsolateLru(k, pfn);
  if (isolated) nodeStatModIsolated(k, pfn, folioNrPages(k, pfn));
  // migrate_longterm_unpinnable_folios: "drop the reference obtained by __get_user_pages_locked()".
  k.set(L.THR_LT_PIN, tid, 0);
  k.set(L.THR_LT_PIN_STAGE, tid, PIN_NONE);
  folioPut(k, tid, pfn);
  if (isolated) {
    const list = [pfn];
    const { ret } = migratePages(k, tid, list, allocLongtermTarget(), null, MIGRATE_SYNC, MR_LONGTERM_PIN);
    if (list.length) putbackMovablePages(k, tid, list);
    if (ret !== 0) {
      if (k.log) k.trace(`check_and_migrate_movable_folios(pfn ${pfn}): not pinnable, migration failed -> pin_user_pages = ${errname(-ENOMEM)}`);
      return 'next';
    }
  }
  if (k.log) k.trace(`check_and_migrate_movable_folios(pfn ${pfn}): not pinnable -> -EAGAIN (${isolated ? 'migrated' : 'not isolated'}), GUP again`);
  return 'stay';
}

function failed(k: Kernel, tid: number, vaddr: number, err: number): PinStep {
  if (k.log) k.trace(`pin_user_pages(v${vaddr}, FOLL_LONGTERM) = ${errname(err)}`);
  void tid;
  return 'next';
}

/**
 * Ghost, for INV-LONGTERM-PIN: the pin just returned is on a private node
 * whose ops (read here from the state, not through the model's helpers) lack
 * NP_OPS_LONGTERM_PIN.
 */
function noteGrant(k: Kernel, pfn: number): void {
  const nid = folioNid(k, pfn);
  if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) return;
  const np = k.get(k.L.NODE_NP, nid) - 1;
  const flags = np < 0 ? 0 : opsById(k, k.get(k.L.NP_OPS, np))?.flags ?? 0;
  if (!(flags & NP_OPS_LONGTERM_PIN)) event2(k, EV2_LONGTERM_PIN_UNGATED);
}

/** unpin_user_page of the long-term pin thread tid holds (a no-op without one). */
// mm/gup.c: unpin_user_page -> gup_put_folio(FOLL_PIN)
export function unpinUserPage(k: Kernel, tid: number): void {
  if (k.get(k.L.THR_LT_PIN_STAGE, tid) !== PIN_HELD) return;
  const pfn = k.get(k.L.THR_LT_PIN, tid) - 1;
  k.set(k.L.THR_LT_PIN, tid, 0);
  k.set(k.L.THR_LT_PIN_STAGE, tid, PIN_NONE);
  if (k.log) k.trace(`unpin_user_page(pfn ${pfn})`);
  folioPut(k, tid, pfn);
}

export { pinsOn } from './folio_pin.ts';
