// The queue side of cpuset.memory_migrate (see src/kernel/cpuset_migrate.ts
// for the kworker): cpuset_migrate_mm's queueing and do_migrate_pages' pair
// choice. Kept free of the mm/ modules so kernel/cgroup/cpuset.c's model and
// the properties can use it without an import cycle.

import type { Kernel } from './kernel.ts';

function weight(mask: number): number {
  let w = 0;
  for (let m = mask; m; m &= m - 1) w++;
  return w;
}

/** node_remap(s, from, to): the node at s's position in from, taken mod weight(to), in to. */
// lib/bitmap.c: bitmap_bitremap
export function nodeRemap(s: number, from: number, to: number): number {
  if (!(from & (1 << s))) return s;
  const w = weight(to);
  if (w === 0) return s;
  let pos = weight(from & ((1 << s) - 1)) % w;
  for (let n = 0; n < 16; n++) {
    if (!(to & (1 << n))) continue;
    if (pos === 0) return n;
    pos--;
  }
  return s;
}

/**
 * do_migrate_pages' choice of the next (source, dest) pair from tmp: the last
 * source that moves (source != dest), breaking early at one whose dest is not
 * still a source; with weight(from) != weight(to) a source inside `to` is
 * skipped. null: nothing left to migrate.
 */
// mm/mempolicy.c: do_migrate_pages (the pair scan)
export function nextMigratePair(tmp: number, from: number, to: number): { source: number; dest: number } | null {
  let pick: { source: number; dest: number } | null = null;
  for (let s = 0; s < 16; s++) {
    if (!(tmp & (1 << s))) continue;
    if (weight(from) !== weight(to) && (to & (1 << s))) continue;
    const d = nodeRemap(s, from, to);
    if (s === d) continue;
    pick = { source: s, dest: d };
    if (!(tmp & (1 << d))) break;
  }
  return pick;
}

/**
 * cpuset_migrate_mm(mm, from, to): nothing when the masks are equal, else a
 * cpuset_migrate_mm_work queued on the ordered cpuset_migrate_mm_wq.
 */
// kernel/cgroup/cpuset.c: cpuset_migrate_mm
export function cpusetMigrateMm(k: Kernel, mm: number, from: number, to: number): void {
  if (from === to) return;
  const L = k.L;
  const n = k.get(L.CS_MIGQ_LEN);
  // Bounding the queue (the kernel's grows with every hotplug toggle while the
  // kworker waits): an item with no (source, dest) pair only drains the LRU
  // batches (lru_cache_disable) and is not queued; an item equal to one still
  // queued and not started is not queued twice. See the README's modelling choices.
  if (!nextMigratePair(from, from, to)) return;
  let same = 0;
  for (let i = k.get(L.CS_MIGQ_STARTED) ? 1 : 0; i < n; i++) {
    if (k.get(L.CS_MIGQ_MM, i) === mm && k.get(L.CS_MIGQ_FROM, i) === from && k.get(L.CS_MIGQ_TO, i) === to) same++;
  }
  if (same >= (k.cfg.cpusetMigrateDupBound ?? 1)) return;
  if (n >= L.CS_MIGQ_MM.len) throw new Error(`cpuset_migrate_mm_wq: more than ${L.CS_MIGQ_MM.len} queued items (raise CPUSET_MIGQ_MAX): ${Array.from({ length: n }, (_, i) => `${maskStr(k.get(L.CS_MIGQ_FROM, i))}->${maskStr(k.get(L.CS_MIGQ_TO, i))}`).join(" ")} + ${maskStr(from)}->${maskStr(to)}`);
  k.set(L.CS_MIGQ_MM, n, mm);
  k.set(L.CS_MIGQ_FROM, n, from);
  k.set(L.CS_MIGQ_TO, n, to);
  k.set(L.CS_MIGQ_LEN, 0, n + 1);
  if (k.log) k.trace(`cpuset_migrate_mm(mm${mm}, ${maskStr(from)} -> ${maskStr(to)}): queued on cpuset_migrate_mm_wq`);
}

/** Items still queued on cpuset_migrate_mm_wq (flush_workqueue waits for 0). */
export function cpusetMigratePending(k: Kernel): number {
  return k.cfg.actors.cpuset ? k.get(k.L.CS_MIGQ_LEN) : 0;
}

/** do_migrate_pages of the head item is between its lru_cache_disable and lru_cache_enable. */
export function cpusetMigrateRunning(k: Kernel): boolean {
  return k.cfg.actors.cpuset && k.get(k.L.CS_MIGQ_STARTED) !== 0;
}


function maskStr(mask: number): string {
  const out: number[] = [];
  for (let n = 0; mask >> n; n++) if (mask & (1 << n)) out.push(n);
  return `{${out.join(',')}}`;
}
