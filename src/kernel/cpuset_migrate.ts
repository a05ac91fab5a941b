// cpuset.memory_migrate (kernel/cgroup/cpuset.c, cgroup v2 sets CS_MEMORY_MIGRATE
// on every child cpuset in cpuset_css_alloc). An update of the child's tasks
// (a cpuset.mems write, or the hotplug handler) queues one
// cpuset_migrate_mm_work per mm on the ordered cpuset_migrate_mm_wq; a kworker
// runs each item's do_migrate_pages(mm, from, to, MPOL_MF_MOVE_ALL) later,
// concurrently with the tasks. The writer of cpuset.mems flushes the workqueue
// on its way back to user space (schedule_flush_migrate_mm -> task_work), so
// the administrator's next write waits for the queue to drain.
//
// The kworker's step is one migrate_to_node(mm, source, dest) of the head
// item (the kernel runs each source node's queue_pages_range and
// migrate_pages between the steps a user thread can observe; the model runs
// one source node per step, as move_pages runs one page per step). The LRU
// cache stays disabled from the item's first step to its last
// (lru_cache_disable / lru_cache_enable around the loop).

import { PTE_PRESENT } from './layout.ts';
import { cpusetMigratePending, nextMigratePair } from './cpuset_migrate_queue.ts';
import { errname, MR_SYSCALL, NP_OPS_MIGRATION } from './defs.ts';
import { folioIsolateLru, folioNid, folioNrPages, lruAddDrain, pageFolio } from './folio.ts';
import type { Kernel } from './kernel.ts';
import { ptlHeldByOther } from './memory.ts';
import { migrateFoliosToNode, nodeStatModIsolated } from './migrate.ts';
import { folioIsPrivateNode, nodePrivateHasFlag } from './node_private.ts';
import { ran } from './ran.ts';

export { cpusetMigratePending, cpusetMigrateRunning, nextMigratePair, nodeRemap } from './cpuset_migrate_queue.ts';

/**
 * The kworker's step: one migrate_to_node of the head item's
 * do_migrate_pages; when no pair remains, the item ends (lru_cache_enable,
 * mmput) and the queue moves on. Not enabled with an empty queue.
 */
// kernel/cgroup/cpuset.c: cpuset_migrate_mm_workfn -> mm/mempolicy.c: do_migrate_pages
export function cpusetMigrateWorkStep(k: Kernel, tid: number): boolean {
  const L = k.L;
  if (cpusetMigratePending(k) === 0) return false;
  ran(k, 'do_migrate_pages');
  const mm = k.get(L.CS_MIGQ_MM, 0);
  // queue_pages_range walks the page tables under each PTE lock (pte_offset_map_lock): it waits for a fault holding it.
  if (ptlHeldByOther(k, tid, mm)) return false;
  const from = k.get(L.CS_MIGQ_FROM, 0);
  const to = k.get(L.CS_MIGQ_TO, 0);
  let tmp: number;
  if (!k.get(L.CS_MIGQ_STARTED)) {
    // lru_cache_disable(): lru_add_drain_all, and no per-CPU batching until lru_cache_enable.
    lruAddDrain(k, tid, -1);
    k.set(L.CS_MIGQ_STARTED, 0, 1);
    tmp = from;
  } else tmp = k.get(L.CS_MIGQ_TMP);
  const pair = nextMigratePair(tmp, from, to);
  if (pair) {
    tmp &= ~(1 << pair.source);
    k.set(L.CS_MIGQ_TMP, 0, tmp);
    migrateToNode(k, tid, mm, pair.source, pair.dest);
  }
  if (!pair || !nextMigratePair(tmp, from, to)) finishItem(k);
  return true;
}

function finishItem(k: Kernel): void {
  const L = k.L;
  const n = k.get(L.CS_MIGQ_LEN);
  for (let i = 1; i < n; i++) {
    k.set(L.CS_MIGQ_MM, i - 1, k.get(L.CS_MIGQ_MM, i));
    k.set(L.CS_MIGQ_FROM, i - 1, k.get(L.CS_MIGQ_FROM, i));
    k.set(L.CS_MIGQ_TO, i - 1, k.get(L.CS_MIGQ_TO, i));
  }
  k.set(L.CS_MIGQ_MM, n - 1, 0);
  k.set(L.CS_MIGQ_FROM, n - 1, 0);
  k.set(L.CS_MIGQ_TO, n - 1, 0);
  k.set(L.CS_MIGQ_LEN, 0, n - 1);
  k.set(L.CS_MIGQ_TMP, 0, 0);
  k.set(L.CS_MIGQ_STARTED, 0, 0);
  if (k.log) k.trace('do_migrate_pages: done (lru_cache_enable, mmput)');
}

/**
 * migrate_to_node(mm, source, dest, MPOL_MF_MOVE_ALL): queue_pages_range over
 * the whole mm with nmask {source} (queue_folios_pte_range, v4: a private
 * folio without NP_OPS_MIGRATION is skipped; MOVE_ALL queues shared folios
 * too; a folio that cannot be isolated counts as failed), then
 * migrate_folios_to_node(list, dest, MIGRATE_SYNC, MR_SYSCALL): a private
 * dest goes through its node_private_migrate_to (v4).
 */
// mm/mempolicy.c: migrate_to_node
function migrateToNode(k: Kernel, tid: number, mm: number, source: number, dest: number): void {
  const list: number[] = [];
  let failed = 0;
  for (let v = 0; v < k.cfg.vaddrs; v++) {
    const s = mm * k.cfg.vaddrs + v;
    if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) continue;
    const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
    if (folioNid(k, pfn) !== source || list.includes(pfn)) continue;
    // queue_folios_pte_range (v4)
    if (folioIsPrivateNode(k, pfn) && !nodePrivateHasFlag(k, source, NP_OPS_MIGRATION)) continue;
    // migrate_folio_add (MPOL_MF_MOVE_ALL)
    if (!folioIsolateLru(k, pfn)) {
      failed++;
      continue;
    }
    nodeStatModIsolated(k, pfn, folioNrPages(k, pfn));
    list.push(pfn);
  }
  const queued = list.length;
  const ret = queued ? migrateFoliosToNode(k, tid, list, dest, MR_SYSCALL) : 0;
  if (k.log) k.trace(`migrate_to_node(mm${mm}, N${source} -> N${dest}): ${queued} queued, ${failed} not isolated, ${errname(ret)}`);
}
