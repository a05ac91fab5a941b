// mm/memcontrol.c: the charge state of a folio (folio->memcg_data) and the
// page counter: commit, uncharge at free, and the move at migration. A leaf
// module (imported by folio.ts and migrate.ts); the charge path with reclaim
// and OOM is src/kernel/memcontrol.ts, whose header says what v4 relies on.

import type { Kernel } from './kernel.ts';

export function memcgEnabled(k: Kernel): boolean {
  return k.cfg.memcg !== undefined;
}

/** folio_memcg(folio): memcg id, or -1 when uncharged (or memcg off). */
export function folioMemcg(k: Kernel, pfn: number): number {
  if (!memcgEnabled(k)) return -1;
  return k.get(k.L.PG_MEMCG, pfn) - 1;
}

/** page_counter_read(&memcg->memory) */
export function memcgUsage(k: Kernel): number {
  return memcgEnabled(k) ? k.get(k.L.MEMCG_USAGE, 0) : 0;
}

/** commit_charge(folio, memcg): folio->memcg_data = memcg. */
export function commitCharge(k: Kernel, pfn: number): void {
  k.set(k.L.PG_MEMCG, pfn, 1);
}

/**
 * mem_cgroup_uncharge(folio) at the free that reaches the buddy
 * (__folio_put after the free_folio hook, or shrink_folio_list's
 * mem_cgroup_uncharge_folios): the counter drops by the folio's pages.
 */
export function memCgroupUncharge(k: Kernel, pfn: number): void {
  if (!memcgEnabled(k) || k.get(k.L.PG_MEMCG, pfn) === 0) return;
  // mm/memcontrol.c: __mem_cgroup_uncharge -> uncharge_folio, uncharge_batch
  const nr = 1 << k.get(k.L.PG_ORDER, pfn);
  // Mutant memcg-uncharge-skipped (mutants/memcg.ts): memcg_data is cleared, the counter is not.
  if (k.cfg.mutant !== 'memcg-uncharge-skipped') k.add(k.L.MEMCG_USAGE, 0, -nr);
  k.set(k.L.PG_MEMCG, pfn, 0);
  if (k.log) k.trace(`mem_cgroup_uncharge(pfn ${pfn}): usage ${k.get(k.L.MEMCG_USAGE, 0)}`);
}

/**
 * mem_cgroup_migrate(old, new) at the end of folio_migrate_flags: the charge
 * moves from src to dst (commit_charge(new, memcg); old->memcg_data = 0); the
 * page counter does not change.
 */
export function memCgroupMigrate(k: Kernel, src: number, dst: number): void {
  if (!memcgEnabled(k)) return;
  // mm/memcontrol.c: mem_cgroup_migrate (called from mm/migrate.c: folio_migrate_flags)
  // Mutant memcg-migrate-skipped (mutants/memcg.ts): the charge stays with src.
  if (k.cfg.mutant === 'memcg-migrate-skipped') return;
  if (k.get(k.L.PG_MEMCG, dst) !== 0) return; // "Page cache replacement: new folio already charged?"
  const m = k.get(k.L.PG_MEMCG, src);
  if (m === 0) return;
  k.set(k.L.PG_MEMCG, dst, m);
  k.set(k.L.PG_MEMCG, src, 0);
}
