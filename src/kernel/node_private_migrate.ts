// include/linux/node_private.h: node_private_migrate_to, the call of
// ops->migrate_to outside RCU, as steps of its thread when the table has a
// staged migrate_to (issue 12 item 4): the callback's prologue, then each
// folio's unmap and move of its migrate_pages (src/kernel/migrate_batch.ts),
// then its epilogue. The list lives in the thread's registers [r0, r0 + n).

import { checkMigrated, migrationHomes, onNode } from './contracts.ts';
import { NR_MAX_MIGRATE_PAGES_RETRY } from './defs.ts';
import type { Kernel } from './kernel.ts';
import { batchCheckFits, batchKeep, batchStep, entrySrc } from './migrate_batch.ts';
import { noteOpsCallback, npSlotOfNode } from './node_private.ts';
import { opsById } from './ops_table.ts';

export type Staged = { readonly done: { ret: number; nrSucceeded: number } } | { readonly opsId: number };

function list(k: Kernel, r0: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = k.get(k.L.THR_REG, r0 + i);
    if (v !== 0) out.push(entrySrc(v));
  }
  return out;
}

/**
 * The call half of node_private_migrate_to with the reference held: the ops
 * the thread fetched under RCU (the slot's table; clear_ops since then still
 * leaves the old function pointer, R4). Tables without a staged migrate_to
 * run in this step; staged ones run their prologue and return the ops id the
 * following steps use.
 */
// include/linux/node_private.h: node_private_migrate_to
export function nodePrivateMigrateToBegin(k: Kernel, tid: number, r0: number, n: number, nid: number, mode: number, reason: number, atomic: (l: number[]) => { ret: number; nrSucceeded: number }): Staged {
  const slot = npSlotOfNode(k, nid);
  const opsId = slot < 0 ? 0 : k.get(k.L.NP_OPS, slot);
  const ops = opsById(k, opsId);
  if (!ops || !ops.migrateToStaged) return { done: atomic(list(k, r0, n)) };
  noteOpsCallback(k, nid);
  const b = ops.migrateToStaged.begin(k, tid, list(k, r0, n), nid, mode, reason);
  if ('ret' in b) {
    k.trace(`${ops.name}.migrate_to(nid ${nid}, ${list(k, r0, n).length} left) = ${b.ret}`);
    return { done: { ret: b.ret, nrSucceeded: 0 } };
  }
  batchCheckFits(k);
  for (const p of b.kept) batchKeep(k, r0, n, p);
  return { opsId };
}

/** One step of the staged call: the next folio of migrate_pages; at its end the epilogue and the contract. */
export function nodePrivateMigrateToStep(k: Kernel, tid: number, r0: number, n: number, nid: number, opsId: number, reason: number): { ret: number; nrSucceeded: number } | null {
  const ops = opsById(k, opsId);
  const staged = ops?.migrateToStaged;
  if (!ops || !staged) throw new Error(`staged migrate_to without a staged table (ops ${opsId})`);
  const cb = { ...staged.callbacks(k, tid, nid, reason), allowed: onNode(nid) };
  // kswapd's demotion is MIGRATE_ASYNC: migrate_pages -> migrate_pages_batch(..., NR_MAX_MIGRATE_PAGES_RETRY)
  const r = batchStep(k, tid, r0, n, cb, NR_MAX_MIGRATE_PAGES_RETRY);
  if (!r) return null;
  const left = list(k, r0, n);
  const out = staged.end(k, tid, left, nid, { ret: r.ret, nrSucceeded: r.nrSucceeded });
  // contract: what migrate_to reports moved is what left the list (each moved folio was checked at its move)
  checkMigrated(k, migrationHomes(k, []), [], out.nrSucceeded - r.nrSucceeded, onNode(nid));
  k.trace(`${ops.name}.migrate_to(nid ${nid}, ${left.length} left) = ${out.ret}`);
  return out;
}
