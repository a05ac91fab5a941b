// mm/migrate.c: page migration.
//
// Granularity: one migratePages call is ONE atomic step of its thread. The
// kernel's migrate_pages unmaps, copies and remaps a batch with sleeps in
// between, but the interleavings the RFC cares about inside a batch (R2) are
// bounded by one batch and are covered by splitting the callers (can_demote |
// demote_folio_list, cram_fault F1..F6) into steps instead. An atomic call
// does not retry -EAGAIN (the NR_MAX_MIGRATE_PAGES_RETRY passes would see the
// same state inside one step); the staged batch (migrate_batch.ts) does.

import { EFAULT, EBUSY, ENOENT, ENOMEM, GFP_HIGHUSER_MOVABLE, MIGRATE_ASYNC, MIGRATE_SYNC, MR_DEMOTION, MR_NUMA_MISPLACED, MR_SYSCALL, __GFP_COMP, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN, __GFP_RECLAIM, __GFP_THISNODE, errname, N_MEMORY_PRIVATE, GFP_PRIVATE } from './defs.ts';
import { GA_WHILE_BLOCKED, PG_active, PG_anon, PG_locked, PG_unevictable, PTE_PRESENT } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { MIGRATE_COPIED_FLAGS, folioGet, folioIsolateLru, folioLocked, folioNid, folioNrPages, folioPut, folioPutbackLru, folioUnlock, lruAdd, lruAddDrain, pageFolio } from './folio.ts';
import { folioIsPrivateNode, folioManagedAllowsMigrate, folioManagedMigrateCb, folioNodePrivateOps, nodePrivateMigrateTo } from './node_private.ts';
import { NULL_PFN, allocPages, freePagesToBuddy } from './page_alloc.ts';
import { copyFolioContent, ghostLegitWrite } from './page.ts';
import { folioMapped, removeMigrationPtes, tryToMigrate } from './rmap.ts';
import { ran } from './ran.ts';
import { splitFolioToList } from './thp.ts';
import { memCgroupMigrate } from './memcg_charge.ts';
import { EV2_CRAM_INBOUND, event2 } from './ghost.ts';

/** new_folio_t: allocate a destination for src; NULL_PFN if none. */
export type NewFolioFn = (k: Kernel, src: number) => number;
/** free_folio_t: give back an unused destination. */
export type PutNewFolioFn = (k: Kernel, tid: number, dst: number) => void;

/**
 * node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio), d):
 * callers that isolate folios for migration add +nr; migrate_folio_done
 * (success) and putback_movable_pages (failure) take it back. Not clamped: a
 * caller that forgot the increment wraps the (16-bit) counter, which the
 * INV-REFCOUNT-BALANCE check then reports instead of it being hidden.
 */
// include/linux/vmstat.h: node_stat_mod_folio
export function nodeStatModIsolated(k: Kernel, pfn: number, d: number): void {
  const f = k.has(k.L.PG_FLAGS, pfn, PG_anon) ? k.L.NODE_NR_ISOLATED_ANON : k.L.NODE_NR_ISOLATED_FILE;
  const nid = k.g.pfnNode[pfn]!;
  k.add(f, nid, d);
}

/**
 * migrate_folio_done: NR_ISOLATED -= nr unless the reason is MR_DEMOTION
 * (shrink_folio_list accounts its own isolation).
 */
// mm/migrate.c: migrate_folio_done
function migrateFolioDoneStat(k: Kernel, src: number, nr: number, reason: number): void {
  if (reason === MR_DEMOTION) return;
  nodeStatModIsolated(k, src, -nr);
}

/**
 * migrate_pages(list, get_new, put_new, private, mode, reason): migrate every
 * isolated folio on `list` (pfns); moved ones are removed from the list.
 * Returns 0, the number not migrated, or -errno, and nrSucceeded.
 * As migrate_pages_batch: first every folio gets its destination and is
 * unmapped (the get_new callback, e.g. alloc_cram_folio's pressure check, runs
 * per folio), then the unmapped folios are moved. An allocation failure stops
 * the unmap loop with -ENOMEM and moves what was unmapped ("goto move");
 * folios that failed stay on the list, still isolated, for the caller.
 */
export function migratePages(k: Kernel, tid: number, list: number[], getNew: NewFolioFn, putNew: PutNewFolioFn | null, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  ran(k, 'migrate_pages');
  // mm/migrate.c: migrate_pages -> migrate_pages_batch
  let failed = 0;
  let nrSucceeded = 0;
  let nomem = false;
  const todo = list.slice();
  const left: number[] = [];
  const splitFolios: number[] = [];
  // One migrate_pages_batch pass: the unmap loop, then the move loop. The
  // first pass may split a large folio whose destination could not be
  // allocated (its pieces wait on split_folios); the second pass over them
  // is MIGRATE_ASYNC, once, and its return value is ignored (migrate_pages).
  const batch = (folios: readonly number[], first: boolean): void => {
    let stop = false;
    const unmapped: { src: number; dst: number }[] = [];
    for (const src of folios) {
      if (stop) {
        left.push(src);
        continue;
      }
      const srcNr = folioNrPagesSafe(k, src);
      const r = migrateFolioUnmap(k, tid, src, getNew, putNew, reason);
      if (r.kind === 'done') nrSucceeded += srcNr;
      else if (r.kind === 'unmapped') unmapped.push({ src, dst: r.dst });
      else if (r.kind === 'nomem' && first && trySplitFolio(k, tid, src, reason, splitFolios)) {
        failed++; // "all split folios of a large folio is counted as 1 failure already"
      } else {
        left.push(src);
        if (r.kind === 'nomem') {
          stop = true;
          if (first) nomem = true;
        } else if (first) failed++;
      }
    }
    // move: try_to_unmap_flush, then migrate_folios_move
    for (const { src, dst } of unmapped) {
      const nr = folioNrPagesSafe(k, src);
      if (migrateFolioMove(k, tid, src, dst, putNew, reason)) nrSucceeded += nr;
      else {
        left.push(src);
        if (first) failed++;
      }
    }
  };
  batch(todo, true);
  if (splitFolios.length) batch(splitFolios, false);
  list.length = 0;
  list.push(...todo.filter((p) => left.includes(p)), ...left.filter((p) => !todo.includes(p)));
  const ret = nomem ? -ENOMEM : failed;
  if (k.log) k.trace(`migrate_pages([${todo.join(',')}], mode ${mode}, reason ${reason}) = ${errname(ret)} (succeeded ${nrSucceeded})`);
  return { ret, nrSucceeded };
}

/**
 * migrate_pages_batch's -ENOMEM case for a large folio: "Large folio NUMA
 * faulting doesn't split to retry" (nosplit = reason == MR_NUMA_MISPLACED);
 * otherwise try_split_folio: folio_trylock (MIGRATE_ASYNC; a sync caller
 * would sleep, which an atomic step cannot: both fail here), then
 * split_folio_to_list onto split_folios. True if the folio was split (its
 * pieces, head first, are appended to splitFolios).
 */
// mm/migrate.c: migrate_pages_batch, try_split_folio
export function trySplitFolio(k: Kernel, tid: number, src: number, reason: number, splitFolios: number[]): boolean {
  if (reason === MR_NUMA_MISPLACED || folioNrPagesSafe(k, src) === 1) return false;
  if (folioLocked(k, src)) return false;
  k.setBits(k.L.PG_FLAGS, src, PG_locked);
  const r = splitFolioToList(k, tid, src, true);
  folioUnlock(k, src);
  if (r.ret !== 0) return false;
  splitFolios.push(src, ...r.newFolios);
  return true;
}

/** A freed source has order 0 in the state; count it as one page. */
export function folioNrPagesSafe(k: Kernel, pfn: number): number {
  return Math.max(1, folioNrPages(k, pfn));
}

function putDst(k: Kernel, tid: number, dst: number, putNew: PutNewFolioFn | null): void {
  if (putNew) putNew(k, tid, dst);
  else folioPut(k, tid, dst);
}

/**
 * The result of migrate_pages_batch's unmap loop for one folio: 'done' (freed
 * under us: counts as migrated), 'unmapped' (dst allocated, both locked, src's
 * PTEs are migration entries: it waits for the move loop), 'nomem' (get_new
 * returned NULL: the loop stops), 'fail' (stays on the list).
 */
export type UnmapResult = { readonly kind: 'done' | 'nomem' | 'fail' } | { readonly kind: 'unmapped'; readonly dst: number };

/** The "freed from under us" check, then get_new + migrate_folio_unmap for one isolated folio. */
export function migrateFolioUnmap(k: Kernel, tid: number, src: number, getNew: NewFolioFn, putNew: PutNewFolioFn | null, reason: number): UnmapResult {
  const L = k.L;
  // mm/migrate.c: migrate_pages_batch: "the folio was freed from under us, so just drop our reference".
  if (k.get(L.PG_REF, src) === 1) {
    k.clearBits(L.PG_FLAGS, src, PG_active | PG_unevictable);
    if (k.log) k.trace(`migrate_folio_unmap(pfn ${src}): freed under us`);
    migrateFolioDoneStat(k, src, folioNrPages(k, src), reason);
    folioPut(k, tid, src); // migrate_folio_done
    // Safety mutants (mutants/safety.ts): the done path frees the folio again / puts it again.
    const dram = !folioIsPrivateNode(k, src);
    if (dram && k.cfg.mutant === 'freed-under-us-double-free') freePagesToBuddy(k, src, 0);
    if (dram && k.cfg.mutant === 'freed-under-us-put-twice') folioPut(k, tid, src);
    return { kind: 'done' };
  }
  // mm/migrate.c: migrate_folio_unmap
  const dst = getNew(k, src);
  if (dst === NULL_PFN) return { kind: 'nomem' };
  // MIGRATE_ASYNC uses folio_trylock; a sync caller would sleep, which the
  // model cannot do inside an atomic step: both fail this pass.
  if (folioLocked(k, src)) {
    putDst(k, tid, dst, putNew);
    return { kind: 'fail' };
  }
  k.setBits(L.PG_FLAGS, src, PG_locked);
  k.setBits(L.PG_FLAGS, dst, PG_locked);
  if (folioMapped(k, src)) tryToMigrate(k, src);
  if (folioMapped(k, src)) {
    // try_to_migrate left it mapped (gate): migrate_folio_unmap fails with -EAGAIN.
    removeMigrationPtes(k, src, src);
    folioUnlock(k, src);
    folioUnlock(k, dst);
    putDst(k, tid, dst, putNew);
    return { kind: 'fail' };
  }
  return { kind: 'unmapped', dst };
}

/**
 * migrate_folios_undo for one folio left unmapped after the move loop's last
 * pass: migrate_folio_undo_src (the PTEs back to src, src unlocked, back on
 * the list) and migrate_folio_undo_dst (dst unlocked and given back).
 */
// mm/migrate.c: migrate_folios_undo
export function migrateFolioUndo(k: Kernel, tid: number, src: number, dst: number, putNew: PutNewFolioFn | null): void {
  removeMigrationPtes(k, src, src);
  folioUnlock(k, src);
  folioUnlock(k, dst);
  putDst(k, tid, dst, putNew);
}

/**
 * migrate_folio_move for one unmapped folio (the move loop); false: -EAGAIN.
 * keepOnAgain: the folio stays unmapped with its dst for the move loop's next
 * pass (migrate_folio_move: "if (rc == -EAGAIN) { list_add(&dst->lru, prev); ... return rc; }");
 * else it is undone at once (an atomic migratePages: its later passes would see the same state).
 */
export function migrateFolioMove(k: Kernel, tid: number, src: number, dst: number, putNew: PutNewFolioFn | null, reason: number, keepOnAgain = false): boolean {
  const L = k.L;
  const wasLru = true; // every folio the model migrates is an LRU folio (no movable_ops pages)
  // folio_migrate_mapping: the refcount must be exactly isolation + cache refs.
  const cacheRefs = (k.get(L.PG_MAPPING, src) ? 1 : 0) + (k.get(L.PG_SWAP, src) ? 1 : 0);
  if (k.get(L.PG_REF, src) !== 1 + cacheRefs) {
    if (k.log) k.trace(`folio_migrate_mapping(pfn ${src}) = -EAGAIN (refcount ${k.get(L.PG_REF, src)})`);
    if (!keepOnAgain) migrateFolioUndo(k, tid, src, dst, putNew);
    return false;
  }
  const nr = folioNrPages(k, src);
  // folio_migrate_mapping: page-cache / swap-cache slot moves to dst with its reference.
  const m = k.get(L.PG_MAPPING, src);
  if (m) {
    k.set(L.PCACHE, m - 1, dst + 1);
    k.set(L.PG_MAPPING, dst, m);
    k.set(L.PG_MAPPING, src, 0);
  }
  const sw = k.get(L.PG_SWAP, src);
  if (sw) {
    k.set(L.SWAP_CACHE, sw - 1, dst + 1);
    k.set(L.PG_SWAP, dst, sw);
    k.set(L.PG_SWAP, src, 0);
  }
  k.add(L.PG_REF, dst, cacheRefs);
  k.add(L.PG_REF, src, -cacheRefs);
  // folio_migrate_copy: contents, then folio_migrate_flags.
  // Mutant demote-copy-after-free: a DRAM source is copied only after its last put (below).
  const copyLate = k.cfg.mutant === 'demote-copy-after-free' && !folioIsPrivateNode(k, src);
  if (k.cfg.mutant !== 'migrate-copy-skipped' && !copyLate) copyFolioContent(k, dst, src, nr);
  if (folioIsPrivateNode(k, dst) && !(k.get(L.GH_ALLOC, dst) & GA_WHILE_BLOCKED)) {
    for (let i = 0; i < nr; i++) ghostLegitWrite(k, dst + i);
  }
  migrateFolioDoneStat(k, src, nr, reason); // before the flags move (folio_is_file_lru of src)
  const fl = k.get(L.PG_FLAGS, src) & MIGRATE_COPIED_FLAGS;
  k.setBits(L.PG_FLAGS, dst, fl);
  k.clearBits(L.PG_FLAGS, src, MIGRATE_COPIED_FLAGS);
  memCgroupMigrate(k, src, dst); // folio_migrate_flags ends in mem_cgroup_migrate(src, dst)
  // Ghost: a folio entering a CRAM node by anything but demotion (the cover letter: "Folios reach the private node only via reclaim (demotion)").
  if (reason !== MR_DEMOTION && folioNid(k, src) !== folioNid(k, dst) && folioNodePrivateOps(k, dst)?.name === 'cram_ops') event2(k, EV2_CRAM_INBOUND);
  // migrate_folio_move: v4 folio_managed_migrate_notify, only if src is private.
  folioManagedMigrateCb(k, src, dst);
  if (wasLru) lruAdd(k, dst, tid); // folio_add_lru(dst): into the migrating CPU's batch
  // Mutant demote-remaps-src: a migration to a private node restores the PTEs to the source.
  removeMigrationPtes(k, src, k.cfg.mutant === 'demote-remaps-src' && folioIsPrivateNode(k, dst) ? src : dst);
  folioUnlock(k, dst);
  folioUnlock(k, src);
  if (k.log) k.trace(`migrate_folio_move(pfn ${src} node ${folioNid(k, src)} -> pfn ${dst} node ${folioNid(k, dst)})`);
  folioPut(k, tid, dst); // the allocation's reference
  // Mutant promote-leaks-src: a folio migrated off a private node keeps its isolation reference (never freed).
  if (k.cfg.mutant === 'promote-leaks-src' && folioIsPrivateNode(k, src)) return true;
  folioPut(k, tid, src); // migrate_folio_done: the isolation reference -> __folio_put -> free hooks
  if (copyLate) {
    copyFolioContent(k, dst, src, nr);
    if (folioIsPrivateNode(k, dst)) for (let i = 0; i < nr; i++) ghostLegitWrite(k, dst + i);
  }
  return true;
}

/** putback_movable_pages(list): every folio left on the list back to the LRU. */
export function putbackMovablePages(k: Kernel, tid: number, list: number[]): void {
  ran(k, 'putback_movable_pages');
  // mm/migrate.c: putback_movable_pages
  for (const pfn of list) {
    nodeStatModIsolated(k, pfn, -folioNrPages(k, pfn));
    folioPutbackLru(k, tid, pfn);
  }
  list.length = 0;
}

/** alloc_misplaced_dst_folio: THISNODE, no reclaim, never __GFP_PRIVATE (never lands on P). */
export function allocMisplacedDstFolio(node: number): NewFolioFn {
  return (k, src) => allocPages(k, (GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN) & ~__GFP_RECLAIM, k.get(k.L.PG_ORDER, src), node, null);
}

/**
 * migrate_misplaced_folio_prepare + migrate_misplaced_folio(folio, node) for
 * NUMA hinting faults. Returns 0 if the folio moved, else an errno.
 * The caller holds a reference and no PTL.
 */
export function migrateMisplacedFolio(k: Kernel, tid: number, pfn: number, node: number): number {
  ran(k, 'migrate_misplaced_folio');
  // mm/migrate.c: migrate_misplaced_folio_prepare (v4: folio_managed_allows_migrate -> -ENOENT)
  if (!folioManagedAllowsMigrate(k, pfn)) {
    if (k.log) k.trace(`migrate_misplaced_folio_prepare(pfn ${pfn}, node ${node}) = -ENOENT`);
    return -ENOENT;
  }
  if (!folioIsolateLru(k, pfn)) {
    if (k.log) k.trace(`migrate_misplaced_folio_prepare(pfn ${pfn}, node ${node}) = -EAGAIN`);
    return -11;
  }
  nodeStatModIsolated(k, pfn, folioNrPages(k, pfn));
  const list = [pfn];
  const { ret } = migratePages(k, tid, list, allocMisplacedDstFolio(node), null, MIGRATE_ASYNC, MR_NUMA_MISPLACED);
  if (list.length) putbackMovablePages(k, tid, list);
  return ret === 0 ? 0 : -11;
}

/** alloc_migration_target with mtc = {nid, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE} (move_pages to DRAM). */
export function allocMigrationTarget(node: number): NewFolioFn {
  // alloc_migration_target: the source's order (a large source also drops __GFP_RECLAIM and adds GFP_TRANSHUGE's bits).
  return (k, src) => {
    const order = k.get(k.L.PG_ORDER, src);
    const gfp = order ? ((GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_COMP | __GFP_NOWARN | __GFP_NOMEMALLOC) & ~__GFP_RECLAIM) : GFP_HIGHUSER_MOVABLE | __GFP_THISNODE;
    return allocPages(k, gfp, order, node, null);
  };
}

/**
 * migrate_folios_to_node (v4): a private target goes through
 * node_private_migrate_to (the service's migrate_to; MR_SYSCALL is accepted,
 * SEMANTICS 11.4), any other through migrate_pages(alloc_migration_target).
 */
export function migrateFoliosToNode(k: Kernel, tid: number, list: number[], node: number, reason: number): number {
  // mm/migrate.c: migrate_folios_to_node
  const priv = nodeIsPrivate(k, node);
  // Mutant migrate-folios-to-node-bypasses-ops (mutants/mempolicy_task.ts): a private target is allocated
  // directly with GFP_PRIVATE instead of going through the node's migrate_to.
  const bypass = priv && k.cfg.mutant === 'migrate-folios-to-node-bypasses-ops';
  const r = priv && !bypass
    ? nodePrivateMigrateTo(k, tid, list, node, MIGRATE_SYNC, reason)
    : migratePages(k, tid, list, bypass ? (kk) => allocPages(kk, GFP_HIGHUSER_MOVABLE | GFP_PRIVATE, 0, node, null) : allocMigrationTarget(node), null, MIGRATE_SYNC, reason);
  if (list.length) putbackMovablePages(k, tid, list);
  return r.ret;
}

function nodeIsPrivate(k: Kernel, node: number): boolean {
  return (k.get(k.L.NODE_STATES, node) & N_MEMORY_PRIVATE) !== 0;
}

/**
 * move_pages(2) for one page: do_pages_move -> add_folio_for_migration ->
 * migrate_folios_to_node. Returns the syscall result and the page's status
 * (node, or -errno).
 */
export function doPagesMove(k: Kernel, tid: number, mm: number, vaddr: number, node: number): { ret: number; status: number } {
  ran(k, 'do_pages_move');
  // lru_cache_disable() (lru_add_drain_all) first; batching stays off to
  // lru_cache_enable(), so what this step adds to the LRU is drained at its end.
  lruAddDrain(k, tid, -1);
  const r = doPagesMoveOne(k, tid, mm, vaddr, node);
  const t = k.g.threads[tid];
  if (t?.kind === 'cpu') lruAddDrain(k, tid, t.cpu);
  return r;
}

function doPagesMoveOne(k: Kernel, tid: number, mm: number, vaddr: number, node: number): { ret: number; status: number } {
  // mm/migrate.c: add_folio_for_migration
  const s = mm * k.cfg.vaddrs + vaddr;
  if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) return done(k, mm, vaddr, node, 0, -ENOENT);
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  if (folioNid(k, pfn) === node) return done(k, mm, vaddr, node, 0, node);
  if (!folioManagedAllowsMigrate(k, pfn)) return done(k, mm, vaddr, node, 0, -ENOENT);
  folioGet(k, pfn);
  const isolated = folioIsolateLru(k, pfn);
  folioPut(k, tid, pfn);
  if (!isolated) return done(k, mm, vaddr, node, 0, -EBUSY);
  nodeStatModIsolated(k, pfn, folioNrPages(k, pfn));
  const list = [pfn];
  const ret = migrateFoliosToNode(k, tid, list, node, MR_SYSCALL);
  // move_pages_and_store_status: status is stored only when everything moved.
  if (ret !== 0) return done(k, mm, vaddr, node, ret, ret < 0 ? ret : -EBUSY);
  return done(k, mm, vaddr, node, 0, node);
}

function done(k: Kernel, mm: number, vaddr: number, node: number, ret: number, status: number): { ret: number; status: number } {
  if (k.log) k.trace(`move_pages(mm ${mm}, v${vaddr}, node ${node}) = ${errname(ret)}, status ${errname(status)}`);
  return { ret, status };
}

/** do_pages_stat for one page: the node of the mapped folio, or -ENOENT / -EFAULT. */
export function doPagesStat(k: Kernel, mm: number, vaddr: number): number {
  // mm/migrate.c: do_pages_stat_array (v4: folio_managed_allows_user_migrate -> -ENOENT)
  if (vaddr >= k.cfg.vaddrs) return -EFAULT;
  const s = mm * k.cfg.vaddrs + vaddr;
  if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) return -ENOENT;
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  if (!folioManagedAllowsMigrate(k, pfn)) return -ENOENT;
  return folioNid(k, pfn);
}
