// Which kernel functions a run executed (issue 10, class 5: scope). A
// configuration that never runs a function cannot say anything about it; the
// explorer reports, per run, the functions of this list that never ran.
//
// The record lives OUTSIDE the state vector, on the Machine (static for a
// configuration, shared by every state of a run): it must not change state
// identity, and it is monotone (a function that ran once, ran). Each listed
// function calls ran(k, name) on entry; a bit per name keeps the hot path to
// one store.

import type { Kernel, Machine } from './kernel.ts';

/** The kernel functions the model instruments, by kernel name. */
export const KERNEL_FUNCTIONS = [
  'cram_free_folio_cb', // src/cram/cram.ts
  'alloc_cram_folio', // src/cram/cram.ts
  'cram_put_new_folio', // src/cram/cram.ts
  'alloc_cram_promote_folio', // src/cram/cram.ts
  'cram_migrate_to', // src/cram/cram.ts
  'cram_folio_migrate', // src/cram/cram.ts
  'cram_register_private_node', // src/cram/cram.ts
  'cram_unregister_private_node', // src/cram/cram.ts
  'cram_fault', // src/cram/cram.ts
  'cram_set_pressure', // src/cram/pressure.ts
  'cram_clear_pressure', // src/cram/pressure.ts
  'cxl_compression_flush_cb', // src/cxl/compression.ts
  'cxl_flush_buf_send', // src/cxl/compression.ts
  'cxl_flush_kthread_fn', // src/cxl/compression.ts
  'cxl_flush_overflow_work', // src/cxl/compression.ts
  '__free_one_page', // src/kernel/buddy.ts
  'start_isolate_page_range', // src/kernel/buddy.ts
  '__offline_isolated_pages', // src/kernel/buddy.ts
  'cpuset_handle_hotplug', // src/kernel/cpuset.ts
  'filemap_get_folio', // src/kernel/filemap.ts
  'generic_perform_write', // src/kernel/filemap.ts
  'filemap_writeback', // src/kernel/filemap.ts
  'filemap_remove_folio', // src/kernel/filemap.ts
  'dup_mm', // src/kernel/fork.ts
  'handle_mm_fault', // src/kernel/memory.ts
  'do_anonymous_page', // src/kernel/memory.ts
  'do_wp_page', // src/kernel/memory.ts
  'change_prot_numa', // src/kernel/memory.ts
  'do_numa_page', // src/kernel/memory.ts
  'do_swap_page', // src/kernel/memory.ts
  'online_pages', // src/kernel/memory_hotplug.ts
  'offline_pages', // src/kernel/memory_hotplug.ts
  'add_private_memory_driver_managed', // src/kernel/memory_hotplug.ts
  'try_offline_node', // src/kernel/memory_hotplug.ts
  'offline_and_remove_private_memory', // src/kernel/memory_hotplug.ts
  'establish_demotion_targets', // src/kernel/memory_tiers.ts
  'mpol_set_nodemask', // src/kernel/mempolicy.ts
  'mpol_rebind_mm', // src/kernel/mempolicy.ts
  'do_mbind', // src/kernel/mempolicy.ts
  'do_set_mempolicy', // src/kernel/mempolicy.ts
  'do_migrate_pages', // src/kernel/cpuset_migrate.ts
  'migrate_pages', // src/kernel/migrate.ts
  'putback_movable_pages', // src/kernel/migrate.ts
  'migrate_misplaced_folio', // src/kernel/migrate.ts
  'do_pages_move', // src/kernel/migrate.ts
  'mprotect_fixup', // src/kernel/mprotect.ts
  'folio_managed_on_free', // src/kernel/node_private.ts
  'folio_managed_migrate_notify', // src/kernel/node_private.ts
  'node_private_migrate_to', // src/kernel/node_private.ts
  'node_private_register', // src/kernel/node_private.ts
  'node_private_set_ops', // src/kernel/node_private.ts
  'node_private_clear_ops', // src/kernel/node_private.ts
  'node_private_unregister', // src/kernel/node_private.ts
  'numa_zone_alloc_allowed', // src/kernel/page_alloc.ts
  '__setup_per_zone_wmarks', // src/kernel/page_alloc.ts
  '__alloc_pages', // src/kernel/page_alloc.ts
  'alloc_contig_pages', // src/kernel/page_alloc.ts
  'zap_present_ptes', // src/kernel/rmap.ts
  'try_to_migrate', // src/kernel/rmap.ts
  'remove_migration_ptes', // src/kernel/rmap.ts
  'try_to_unmap', // src/kernel/rmap.ts
  'add_to_swap', // src/kernel/swap.ts
  'delete_from_swap_cache', // src/kernel/swap.ts
  'swap_writepage', // src/kernel/swap.ts
  'wakeup_kswapd', // src/kernel/vmscan.ts
  'can_demote', // src/kernel/vmscan.ts
  'demote_folio_list', // src/kernel/vmscan.ts
  'shrink_folio_list', // src/kernel/vmscan.ts
  'build_all_zonelists', // src/kernel/zonelist.ts
  '__get_user_pages', // src/kernel/gup_longterm.ts
  'check_and_migrate_movable_folios', // src/kernel/gup_longterm.ts
  'out_of_memory', // src/kernel/oom_kill.ts
  'memory_failure', // src/kernel/memory_failure.ts
  'get_user_pages', // src/kernel/gup.ts
  'update_nodemask', // src/kernel/cpuset.ts
  'lru_add_drain', // src/kernel/folio.ts
  'alloc_anon_folio', // src/kernel/thp.ts
  '__folio_split', // src/kernel/thp.ts
  'mem_cgroup_charge', // src/kernel/memcontrol.ts
  'try_to_free_mem_cgroup_pages', // src/kernel/memcg_reclaim.ts
  'mem_cgroup_out_of_memory', // src/kernel/oom_kill.ts
  'copy_present_page', // src/kernel/fork.ts
  'hwpoison_user_mappings', // src/kernel/memory_failure.ts
  'set_mempolicy_home_node', // src/kernel/mempolicy.ts
  'cpuset_attach', // src/kernel/cpuset_attach.ts
  'remove_tasks_in_empty_cpuset', // src/kernel/cpuset_attach.ts (cgroup v1)
] as const;

export type KernelFunction = (typeof KERNEL_FUNCTIONS)[number];

const INDEX: ReadonlyMap<string, number> = new Map(KERNEL_FUNCTIONS.map((n, i) => [n, i]));

/** A zeroed record for a new Machine. */
export function newRanRecord(): Uint8Array {
  return new Uint8Array(KERNEL_FUNCTIONS.length);
}

/** Record that kernel function fn ran (no effect on the state). */
export function ran(k: Kernel, fn: KernelFunction): void {
  k.m.ran[INDEX.get(fn)!] = 1;
}

/** The functions of KERNEL_FUNCTIONS that ran on machine m so far, and those that never did (list order). */
export function ranReport(m: Machine): { ran: string[]; never: string[] } {
  const r: string[] = [];
  const n: string[] = [];
  KERNEL_FUNCTIONS.forEach((f, i) => (m.ran[i] ? r : n).push(f));
  return { ran: r, never: n };
}
