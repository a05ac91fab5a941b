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
// reference that is not in the buddy is ignored; an in-use page keeps its
// mappings (hwpoison_user_mappings / the SIGBUS kill are not modelled, README)
// and free_pages_prepare keeps it out of the buddy when it is freed
// (page_alloc.ts). mf_mutex is not modelled: a config injects from one CPU.

import { BLOCK_ONLINE, EBUSY, EHWPOISON, ENXIO, N_MEMORY_PRIVATE, errname } from './defs.ts';
import { hasFix } from './config.ts';
import { pageInBuddy } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { PG_hwpoison, THREAD_REGS } from './layout.ts';
import { takePageOffBuddy } from './buddy.ts';
import { noteOpsCallback, nodePrivateNp } from './node_private.ts';
import { OP_MEMORY_FAILURE } from './ops_codes.ts';
import { opsById } from './ops_table.ts';
import { ran } from './ran.ts';

/** What one step did: the op is over ('next') or goes on ('stay'). */
export type MfStep = 'next' | 'stay';

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
    const ops = opsById(k, k.get(k.L.THR_REG, R + 1));
    endOp(k, tid);
    if (ops?.memoryFailure) callback(k, p, ops.name, ops.memoryFailure);
    return finish(k, p);
  }
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
        return finish(k, pfn);
      }
      k.set(k.L.THR_OP, tid, OP_MEMORY_FAILURE);
      k.set(k.L.THR_REG, R, pfn);
      k.set(k.L.THR_REG, R + 1, opsId);
      if (k.log) k.trace(`folio_managed_memory_failure(pfn ${pfn}): folio_node_private_ops -> ${ops.name} (RCU dropped)`);
      return 'stay';
    }
  }
  return finish(k, pfn);
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
function finish(k: Kernel, pfn: number): MfStep {
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
  return done(k, pfn, 0, 'in use: hwpoison flag set (unmap and kill not modelled)');
}

function done(k: Kernel, pfn: number, ret: number, what = ''): MfStep {
  if (k.log) k.trace(`memory_failure(pfn ${pfn}) = ${errname(ret)}${what ? ` (${what})` : ''}`);
  return 'next';
}
