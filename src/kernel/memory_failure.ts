// memory_failure(pfn, 0) on one page, with v4's node_private_ops->memory_failure
// notification (patch 21: mm/memory-failure.c memory_failure ->
// mm/internal.h folio_managed_memory_failure), as the hwpoison injection
// interfaces start it (/sys/devices/system/memory/hard_offline_page,
// debugfs hwpoison/corrupt-pfn): a program op of a user CPU.
//
// Two steps, because folio_managed_memory_failure reads the ops with
// folio_node_private_ops (np and ops under rcu_read_lock, RCU dropped) and
// calls ops->memory_failure after: nothing holds the node between the read
// and the call (for a free page, no folio reference at all: the hook runs
// before get_hwpoison_page), so an offline + node_private_unregister can land
// in between (SEMANTICS 8.2 R5, 11.6).
//   A: pfn_to_online_page (-ENXIO), TestSetPageHWPoison (-EHWPOISON if it was
//      set), and for a private page the ops read: with a memory_failure
//      callback the thread stops here (THR_OP = OP_MEMORY_FAILURE,
//      REG[0] = pfn, REG[1] = the ops id read).
//   B: the callback, then the rest of memory_failure.
// The rest, scaled down: a page free in the buddy is taken off it
// (take_page_off_buddy, one reference, MF_RECOVERED); a page with no
// reference that is not in the buddy is ignored; an in-use page that is not
// on an LRU (after shake_page's lru_add_drain_all) is ignored too
// (get_hwpoison_page: HWPoisonHandlable fails, -EIO, MF_IGNORED), and
// free_pages_prepare keeps it out of the buddy when it is freed
// (page_alloc.ts). An anonymous LRU folio (order 0) goes the whole way:
// get_hwpoison_page's reference (kept for good), folio_lock,
// hwpoison_user_mappings (every PTE becomes a hwpoison entry through
// try_to_unmap(TTU_HWPOISON)), then identify_page_state -> me_pagecache_dirty
// / me_pagecache_clean, which for an anon folio is delete_from_lru_cache and
// MF_RECOVERED. collect_procs collects nobody: the model runs with the
// default vm.memory_failure_early_kill = 0, no task sets PF_MCE_EARLY and an
// injection has no MF_ACTION_REQUIRED, so kill_procs sends no signal and the
// kill is the late one: a later access to the address faults on the
// hwpoison entry (do_swap_page: VM_FAULT_HWPOISON) and gets SIGBUS
// (BUS_MCEERR_AR) instead of the page. Large folios (try_to_split_thp_page),
// swap-cache folios (me_swapcache_*) and page-cache folios
// (truncate_error_folio) are not modelled: such an injection throws.
// mf_mutex is not modelled: a config injects from one CPU.

import { BLOCK_ONLINE, EBUSY, EHWPOISON, ENXIO, N_MEMORY_PRIVATE, errname } from './defs.ts';
import { hasFix } from './config.ts';
import { EV2_HWPOISON_MAPPED, event2, pageInBuddy } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { PG_active, PG_dirty, PG_hwpoison, PG_hwpoison_ref, PG_locked, PG_lru, PG_unevictable, PTE_PRESENT, THREAD_REGS } from './layout.ts';
import { folioGet, folioIsolateLru, folioNrPages, folioPut, folioTestAnon, folioTestSwapcache, lruAddDrain, pageFolio } from './folio.ts';
import { memCgroupUncharge } from './memcg_charge.ts';
import { ptlHeldByOther } from './memory.ts';
import { folioMapped, rmapSlots, tryToUnmapHwpoison } from './rmap.ts';
import { takePageOffBuddy } from './buddy.ts';
import { noteOpsCallback, nodePrivateNp } from './node_private.ts';
import { OP_MEMORY_FAILURE } from './ops_codes.ts';
import { opsById } from './ops_table.ts';
import { ran } from './ran.ts';

/** What one step did: the op is over ('next'), goes on ('stay'), or cannot run now ('blocked': folio_lock or a PTL of a mapping mm is held). */
export type MfStep = 'next' | 'stay' | 'blocked';

/** pfn of the `page`-th page of node nid's memory (its blocks in order), or -1. */
export function nodePagePfn(k: Kernel, nid: number, page: number): number {
  let i = page;
  for (const b of k.g.blocks) {
    if (b.node !== nid) continue;
    if (i < b.pages) return b.firstPfn + i;
    i -= b.pages;
  }
  return -1;
}

/** One step of memory_failure(pfn, 0) by thread tid (see header). */
// mm/memory-failure.c: memory_failure
export function memoryFailureStep(k: Kernel, tid: number, pfn: number): MfStep {
  const R = tid * THREAD_REGS;
  if (k.get(k.L.THR_OP, tid) === OP_MEMORY_FAILURE) {
    const p = k.get(k.L.THR_REG, R);
    // The callback and the rest are one step here: wait (before the callback) until the rest could run.
    if (finishBlocked(k, tid, p)) return 'blocked';
    const ops = opsById(k, k.get(k.L.THR_REG, R + 1));
    endOp(k, tid);
    if (ops?.memoryFailure) callback(k, p, ops.name, ops.memoryFailure);
    return finish(k, tid, p);
  }
  // A step that runs the rest at once waits, as a whole, until it could (folio_lock, the PTLs of try_to_unmap).
  if (pfn >= 0 && !staysForCallback(k, pfn) && finishBlocked(k, tid, pfn)) return 'blocked';
  ran(k, 'memory_failure');
  if (pfn < 0 || !pfnToOnlinePage(k, pfn)) return done(k, pfn, -ENXIO);
  // TestSetPageHWPoison: a second report of the same page stops here.
  if (k.has(k.L.PG_FLAGS, pfn, PG_hwpoison)) return done(k, pfn, -EHWPOISON);
  k.setBits(k.L.PG_FLAGS, pfn, PG_hwpoison);
  if (k.log) k.trace(`memory_failure(pfn ${pfn}): TestSetPageHWPoison`);
  // v4: if (unlikely(page_is_private_managed(p))) folio_managed_memory_failure(page_folio(p), pfn, flags)
  const nid = k.g.pfnNode[pfn]!;
  if (k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) {
    const slot = nodePrivateNp(k, nid);
    const opsId = slot < 0 ? 0 : k.get(k.L.NP_OPS, slot);
    const ops = opsById(k, opsId);
    if (ops?.memoryFailure) {
      // Fix memory-failure-cb-under-rcu: call the notification under the rcu_read_lock
      // of the ops read (it is notification only and must not sleep), so
      // node_private_unregister's synchronize_rcu waits for it.
      if (hasFix(k.cfg, 'memory-failure-cb-under-rcu')) {
        callback(k, pfn, ops.name, ops.memoryFailure);
        return finish(k, tid, pfn);
      }
      k.set(k.L.THR_OP, tid, OP_MEMORY_FAILURE);
      k.set(k.L.THR_REG, R, pfn);
      k.set(k.L.THR_REG, R + 1, opsId);
      if (k.log) k.trace(`folio_managed_memory_failure(pfn ${pfn}): folio_node_private_ops -> ${ops.name} (RCU dropped)`);
      return 'stay';
    }
  }
  return finish(k, tid, pfn);
}

/** Does step A stop after the ops read (a private page whose ops have memory_failure, without the fix)? Read only. */
function staysForCallback(k: Kernel, pfn: number): boolean {
  if (hasFix(k.cfg, 'memory-failure-cb-under-rcu')) return false;
  const nid = k.g.pfnNode[pfn]!;
  if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) return false;
  const slot = nodePrivateNp(k, nid);
  return !!opsById(k, slot < 0 ? 0 : k.get(k.L.NP_OPS, slot))?.memoryFailure;
}

/**
 * Would the in-use path sleep: the LRU folio holding pfn is locked
 * (folio_lock) or a mm that maps it has its PTL held by another thread
 * (try_to_unmap's page_vma_mapped_walk)? Read only.
 */
function finishBlocked(k: Kernel, tid: number, pfn: number): boolean {
  if (pfn < 0 || pageInBuddy(k, pfn) || k.get(k.L.PG_REF, pfn) === 0 || k.g.pfnNode[pfn] === undefined) return false;
  const folio = pageFolio(k, pfn);
  if (!k.has(k.L.PG_FLAGS, folio, PG_lru) && k.get(k.L.PG_LRU_BATCH, folio) === 0) return false;
  if (k.has(k.L.PG_FLAGS, folio, PG_locked)) return true;
  return rmapSlots(k, folio, PTE_PRESENT).some((s) => ptlHeldByOther(k, tid, Math.floor(s / k.cfg.vaddrs)));
}

function callback(k: Kernel, pfn: number, name: string, fn: (k: Kernel, pfn: number) => void): void {
  noteOpsCallback(k, k.g.pfnNode[pfn]!);
  if (k.log) k.trace(`${name}.memory_failure(pfn ${pfn})`);
  fn(k, pfn);
}

function endOp(k: Kernel, tid: number): void {
  const R = tid * THREAD_REGS;
  k.set(k.L.THR_OP, tid, 0);
  k.set(k.L.THR_REG, R, 0);
  k.set(k.L.THR_REG, R + 1, 0);
}

/** pfn_to_online_page: the page's memory block is online. */
// mm/memory_hotplug.c: pfn_to_online_page
function pfnToOnlinePage(k: Kernel, pfn: number): boolean {
  const b = k.g.blocks.findIndex((x) => pfn >= x.firstPfn && pfn < x.firstPfn + x.pages);
  return b >= 0 && k.get(k.L.BLOCK_STATE, b) === BLOCK_ONLINE;
}

/** memory_failure after the v4 hook: get_hwpoison_page and the free / in-use paths (see header). */
function finish(k: Kernel, tid: number, pfn: number): MfStep {
  if (pageInBuddy(k, pfn)) {
    // Mutant hwpoison-stays-in-buddy (mutants/claims.ts): take_page_off_buddy is skipped.
    if (k.cfg.mutant !== 'hwpoison-stays-in-buddy' && takePageOffBuddy(k, pfn)) {
      // take_page_off_buddy succeeded: page_ref_inc(p), MF_RECOVERED (the page is never freed again).
      k.set(k.L.PG_REF, pfn, 1);
      return done(k, pfn, 0, 'free buddy page taken off (MF_RECOVERED)');
    }
    return done(k, pfn, -EBUSY, 'free buddy page (MF_FAILED)');
  }
  if (k.get(k.L.PG_REF, pfn) === 0) return done(k, pfn, 0, 'no reference, not in the buddy (MF_IGNORED)');
  return inUse(k, tid, pfn);
}

/**
 * The in-use page: get_hwpoison_page, folio_lock, hwpoison_user_mappings,
 * identify_page_state (see header).
 */
// mm/memory-failure.c: memory_failure, get_any_page, hwpoison_user_mappings, identify_page_state, me_pagecache_clean
function inUse(k: Kernel, tid: number, pfn: number): MfStep {
  const L = k.L;
  const folio = pageFolio(k, pfn);
  // get_any_page: HWPoisonHandlable needs PageLRU; shake_page (lru_add_drain_all) between the tries.
  if (!k.has(L.PG_FLAGS, folio, PG_lru) && k.get(L.PG_LRU_BATCH, folio) !== 0) lruAddDrain(k, tid, -1);
  if (!k.has(L.PG_FLAGS, folio, PG_lru)) return done(k, pfn, -EBUSY, 'get_hwpoison_page: unhandlable page (MF_IGNORED)');
  if (folioNrPages(k, folio) > 1) throw new Error(`memory_failure(pfn ${pfn}): a large folio (try_to_split_thp_page) is not modelled`);
  if (!folioTestAnon(k, folio) || folioTestSwapcache(k, folio)) {
    throw new Error(`memory_failure(pfn ${pfn}): a page-cache or swap-cache folio (me_pagecache_*, me_swapcache_*) is not modelled`);
  }
  // __get_hwpoison_page: folio_try_get. memory_failure never drops it (the page is never freed again).
  folioGet(k, folio);
  k.setBits(L.PG_FLAGS, folio, PG_hwpoison_ref);
  // folio_lock (finishBlocked waited for it); the saved page_flags.
  const pageFlags = k.get(L.PG_FLAGS, folio);
  if (folioMapped(k, folio)) {
    // hwpoison_user_mappings: collect_procs finds no early-kill task (header), then unmap_poisoned_folio.
    ran(k, 'hwpoison_user_mappings');
    // Mutant hwpoison-keeps-mappings (mutants/claims.ts): the unmap is skipped and reported done (the model before issue 12 item 12's row).
    if (k.cfg.mutant !== 'hwpoison-keeps-mappings') tryToUnmapHwpoison(k, folio);
    if (folioMapped(k, folio) && k.cfg.mutant !== 'hwpoison-keeps-mappings') {
      // forcekill (!unmap_success): kill_procs over an empty list; MF_MSG_UNMAP_FAILED.
      return done(k, pfn, -EBUSY, 'unmapping failed page (MF_FAILED)');
    }
    if (k.log) k.trace(`hwpoison_user_mappings(pfn ${pfn}): unmapped; kill_procs: no early-kill task (late kill: SIGBUS at the next access)`);
  }
  // identify_page_state: lru|dirty -> me_pagecache_dirty (no mapping for anon), lru -> me_pagecache_clean.
  const dirty = ((pageFlags | k.get(L.PG_FLAGS, folio)) & PG_dirty) !== 0;
  deleteFromLruCache(k, tid, folio);
  // me_pagecache_clean: "For anonymous folios the only reference left should be the one m_f() holds": MF_RECOVERED.
  noteRecovered(k, folio);
  return done(k, pfn, 0, `${dirty ? 'dirty' : 'clean'} LRU page: Recovered`);
}

/** delete_from_lru_cache: isolate from the LRU, clear active/unevictable, uncharge, drop the isolation reference. */
// mm/memory-failure.c: delete_from_lru_cache
function deleteFromLruCache(k: Kernel, tid: number, folio: number): void {
  if (!folioIsolateLru(k, folio)) return;
  k.clearBits(k.L.PG_FLAGS, folio, PG_active | PG_unevictable);
  memCgroupUncharge(k, folio);
  folioPut(k, tid, folio);
}

/**
 * Ghost, for INV-HWPOISON-UNMAPPED: memory_failure is about to report the
 * in-use page recovered; read from the state, is any present PTE still
 * mapping it, or is it still on an LRU?
 */
function noteRecovered(k: Kernel, folio: number): void {
  const L = k.L;
  let mapped = false;
  for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) {
    if (k.get(L.MM_LIVE, Math.floor(s / k.cfg.vaddrs)) && k.get(L.PTE_KIND, s) === PTE_PRESENT && k.get(L.PTE_VAL, s) === folio) mapped = true;
  }
  if (mapped || k.has(L.PG_FLAGS, folio, PG_lru)) event2(k, EV2_HWPOISON_MAPPED);
}

function done(k: Kernel, pfn: number, ret: number, what = ''): MfStep {
  if (k.log) k.trace(`memory_failure(pfn ${pfn}) = ${errname(ret)}${what ? ` (${what})` : ''}`);
  return 'next';
}
