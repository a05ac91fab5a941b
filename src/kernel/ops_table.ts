// node_private_ops tables (include/linux/node_private.h: struct node_private_ops).
// A table is static; the state holds only its id in NP_OPS. Id 0 is NULL,
// id 1 is cram_ops (mm/cram.c), ids 2.. are cfg.opsTables (drivers and tests).
//
// STUB CONTRACT (owned by the allocator/nodes helper; cram_ops is filled in by
// the folio/CRAM helper through registerCramOps): signatures are final.

import type { KernelConfig } from './config.ts';
import { GFP_HIGHUSER_MOVABLE, GFP_PRIVATE } from './defs.ts';
import { folioPut } from './folio.ts';
import type { Kernel } from './kernel.ts';
import { migratePages } from './migrate.ts';
import type { BatchCallbacks } from './migrate_batch.ts';
import { allocPages } from './page_alloc.ts';
import { ghostLegitWrite, setPageContent } from './page.ts';

/** Callback set of one ops table; absent members are NULL pointers. */
export interface NodePrivateOps {
  readonly name: string;
  readonly flags: number;
  /** free_folio(f) -> true: keep the folio out of the buddy (refcount already 0). */
  readonly freeFolio?: (k: Kernel, tid: number, pfn: number) => boolean;
  /** folio_split(f, new|NULL) */
  readonly folioSplit?: (k: Kernel, pfn: number, newPfn: number) => void;
  /**
   * migrate_to(list, nid, mode, reason, &nr_succeeded) -> migrate_pages return:
   * 0 all moved, >0 number not moved, <0 errno. `list` holds isolated folio pfns;
   * moved folios are removed from it. Runs in thread tid.
   */
  readonly migrateTo?: (k: Kernel, tid: number, list: number[], nid: number, mode: number, reason: number) => { ret: number; nrSucceeded: number };
  /**
   * The same migrate_to as steps of its thread (kswapd's demotion batch,
   * src/kernel/migrate_batch.ts): what runs before its migrate_pages call,
   * the callbacks migrate_pages gets, and what runs after it.
   */
  readonly migrateToStaged?: MigrateToStaged;
  /** folio_migrate(src, dst): src is on the private node, both locked. */
  readonly folioMigrate?: (k: Kernel, src: number, dst: number) => void;
  /** handle_fault(f, vmf, level): staged, see memory.ts; the table only says it exists. */
  readonly handleFault?: true;
  /** reclaim_policy(nid, &policy) */
  readonly reclaimPolicy?: (k: Kernel, nid: number) => { mayswap: boolean; maywritepage: boolean; managedWatermarks: boolean };
  /** memory_failure(f, pfn, flags): notification only. */
  readonly memoryFailure?: (k: Kernel, pfn: number) => void;
}

/** migrate_to split around its migrate_pages call (see NodePrivateOps.migrateToStaged). */
export interface MigrateToStaged {
  /** Up to migrate_pages: { ret } if it returns without calling it, else the folios it keeps back (not handed to migrate_pages). */
  readonly begin: (k: Kernel, tid: number, list: readonly number[], nid: number, mode: number, reason: number) => { readonly ret: number } | { readonly kept: readonly number[] };
  /** get_new_folio / put_new_folio of its migrate_pages call (a pure function of the arguments). */
  readonly callbacks: (k: Kernel, tid: number, nid: number, reason: number) => BatchCallbacks;
  /** After migrate_pages returned r (kept folios counted as failed and left on the list): migrate_to's result. */
  readonly end: (k: Kernel, tid: number, list: readonly number[], nid: number, r: { ret: number; nrSucceeded: number }) => { ret: number; nrSucceeded: number };
}

export const OPS_NULL = 0;
export const OPS_CRAM = 1;

// Set once at module load by mm/cram.ts (a static table, not model state).
let cramOps: NodePrivateOps | null = null;

/** mm/cram.c defines cram_ops; it hands the table here (breaks an import cycle). */
export function registerCramOps(ops: NodePrivateOps): void {
  cramOps = ops;
}

// Generic tables are static per configuration; cached on the immutable config, never on state.
const genericCache = new WeakMap<KernelConfig, readonly NodePrivateOps[]>();

/** The ops table with id `id` in this configuration, or null for NULL. */
export function opsById(k: Kernel, id: number): NodePrivateOps | null {
  if (id === OPS_NULL) return null;
  if (id === OPS_CRAM) return cramOps;
  let tables = genericCache.get(k.cfg);
  if (!tables) {
    tables = k.cfg.opsTables.map((t) => genericOps(t.name, t.flags, t.callbacks));
    genericCache.set(k.cfg, tables);
  }
  return tables[id - 2] ?? null;
}

/** Id of the cfg.opsTables entry named `name` (2 + index), or OPS_NULL. */
export function opsIdByName(k: Kernel, name: string): number {
  const i = k.cfg.opsTables.findIndex((t) => t.name === name);
  return i < 0 ? OPS_NULL : 2 + i;
}

/**
 * migrate_to of a driver/test table, like the cxl_mempolicy sample: plain
 * migrate_pages into the node with a __GFP_PRIVATE|__GFP_THISNODE destination.
 */
function genericMigrateTo(k: Kernel, tid: number, list: number[], nid: number, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  const cb = genericCallbacks(k, tid, nid, reason);
  return migratePages(k, tid, list, cb.getNew, cb.putNew, mode, reason);
}

function genericCallbacks(k: Kernel, tid: number, nid: number, reason: number): BatchCallbacks {
  void k; void tid;
  const getNew = (kk: Kernel, src: number): number =>
    allocPages(kk, GFP_HIGHUSER_MOVABLE | GFP_PRIVATE, kk.get(kk.L.PG_ORDER, src), nid, null);
  const putNew = (kk: Kernel, t: number, dst: number): void => folioPut(kk, t, dst);
  return { getNew, putNew, reason };
}

/**
 * free_folio of a service that zeroes its memory on free, as cram_free_folio_cb
 * does without a flush callback (folio_zero_range, then back to the buddy).
 */
function zeroOnFree(k: Kernel, _tid: number, pfn: number): boolean {
  const nr = Math.max(1, 1 << k.get(k.L.PG_ORDER, pfn));
  for (let i = 0; i < nr; i++) {
    setPageContent(k, pfn + i, 0);
    ghostLegitWrite(k, pfn + i);
  }
  return false;
}
const GENERIC_STAGED: MigrateToStaged = {
  begin: () => ({ kept: [] }),
  callbacks: genericCallbacks,
  end: (_k, _tid, _list, _nid, r) => r,
};

/** A driver/test table: callbacks present behave like the cxl_mempolicy sample (plain migration). */
function genericOps(name: string, flags: number, callbacks: readonly string[]): NodePrivateOps {
  const has = (c: string) => callbacks.includes(c);
  return {
    name,
    flags,
    ...(has('free_folio') ? { freeFolio: () => false } : {}),
    ...(has('free_folio_zero') ? { freeFolio: zeroOnFree } : {}),
    ...(has('folio_split') ? { folioSplit: () => undefined } : {}),
    ...(has('migrate_to') ? { migrateTo: genericMigrateTo, migrateToStaged: GENERIC_STAGED } : {}),
    ...(has('folio_migrate') ? { folioMigrate: () => undefined } : {}),
    ...(has('handle_fault') ? { handleFault: true as const } : {}),
    ...(has('reclaim_policy') ? { reclaimPolicy: () => ({ mayswap: false, maywritepage: false, managedWatermarks: false }) } : {}),
    ...(has('memory_failure') ? { memoryFailure: () => undefined } : {}),
  };
}
