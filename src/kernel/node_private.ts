// drivers/base/node.c and include/linux/node_private.h. STUB CONTRACT
// (allocator/nodes helper): signatures final.
import type { Kernel } from './kernel.ts';
import type { NodePrivateOps } from './ops_table.ts';

/** folio_is_private_node(f): N_MEMORY_PRIVATE(folio_nid(f)), a live node-state test. */
export function folioIsPrivateNode(k: Kernel, pfn: number): boolean { void k; void pfn; return false; }

/** folio_node_private_ops(f): read np and ops under RCU, then drop RCU (R4). */
export function folioNodePrivateOps(k: Kernel, pfn: number): NodePrivateOps | null { void k; void pfn; return null; }

/** node_private_has_flag(nid, flag): live read; no np or no ops reads as 0. */
export function nodePrivateHasFlag(k: Kernel, nid: number, flag: number): boolean { void k; void nid; void flag; return false; }

/** node_private_migration_blocked(nid): READ_ONCE(np->migration_blocked). */
export function nodePrivateMigrationBlocked(k: Kernel, nid: number): boolean { void k; void nid; return false; }

/** np slot of a private node (the struct its driver embeds), or -1 for a DRAM node. */
export function npSlotOfNode(k: Kernel, nid: number): number { void k; void nid; return -1; }

/** node_private_set_ops(nid, ops) */
export function nodePrivateSetOps(k: Kernel, nid: number, opsId: number): number { void k; void nid; void opsId; return 0; }

/** node_private_clear_ops(nid, ops) */
export function nodePrivateClearOps(k: Kernel, nid: number, opsId: number): number { void k; void nid; void opsId; return 0; }

/** folio_managed_wrprotect(f): the folio's node has NP_OPS_PROTECT_WRITE. */
export function folioManagedWrprotect(k: Kernel, pfn: number): boolean { void k; void pfn; return false; }

/** folio_managed_allows_migrate(f) */
export function folioManagedAllowsMigrate(k: Kernel, pfn: number): boolean { void k; void pfn; return true; }

/** internal.h folio_managed_on_free: run free_folio; true = kept out of the buddy. */
export function folioManagedOnFree(k: Kernel, tid: number, pfn: number): boolean { void k; void tid; void pfn; return false; }

/** node_private_migrate_to(list, nid, mode, reason, &nr): ref under RCU, call outside, put. */
export function nodePrivateMigrateTo(k: Kernel, tid: number, list: number[], nid: number, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  void k; void tid; void list; void nid; void mode; void reason;
  return { ret: -19, nrSucceeded: 0 };
}
