// mm/migrate.c: migrate_pages_batch as steps of a thread (issue 12 item 4).
//
// v4's migrate_pages_batch first runs the unmap loop (for each folio:
// get_new_folio, e.g. alloc_cram_folio with its migration_blocked check, then
// migrate_folio_unmap), then the move loop (migrate_folio_move per unmapped
// folio). Other CPUs run meanwhile: a device IRQ can raise pressure between
// two allocations of one batch, a fault can find a folio under migration
// entries. Here each folio's unmap and each folio's move is one step of the
// thread; the batch lives in the thread's registers:
//   entry = (src pfn + 1) | (status << 8)
//   status MB_PENDING       not reached by the unmap loop yet
//          1..MB_DST_MAX    unmapped, waiting for the move loop: dst pfn + 1
//          MB_FAILED        stays on the list (-EAGAIN / permanent failure)
//          MB_NOMEM         get_new_folio returned NULL: the unmap loop stopped
//          MB_MOVED         migrated (or freed under us)
// The step after which neither pending nor unmapped entries are left also
// returns from migrate_pages: failed entries are written back as the plain
// list (src pfn + 1, compacted), the others cleared.
//
// Who uses it: kswapd's demote_folio_list -> node_private_migrate_to ->
// ops->migrate_to (cram_migrate_to and driver tables), src/kernel/vmscan.ts.
// Other callers hand migrate_pages one folio (cram_fault, NUMA, mbind,
// move_pages) or a block (do_migrate_range) and call migratePages, which runs
// the same two loops in one step (README, modelling choices).

import type { Kernel } from './kernel.ts';
import { checkMigrated, migrationHomes } from './contracts.ts';
import { ENOMEM, errname } from './defs.ts';
import { PTE_MIGRATION, PTE_PRESENT } from './layout.ts';
import { folioNrPagesSafe, migrateFolioMove, migrateFolioUnmap, trySplitFolio, type NewFolioFn, type PutNewFolioFn } from './migrate.ts';
import { ptlHeldByOther } from './memory.ts';
import { rmapSlots } from './rmap.ts';
import { ran } from './ran.ts';

export const MB_PENDING = 0;
/** A piece of a large folio split on -ENOMEM, waiting for the second batch (split_folios). */
export const MB_SPLIT_WAIT = 250;
/** A piece in the second batch's unmap loop (migrate_pages: one MIGRATE_ASYNC pass over split_folios). */
export const MB_SPLIT_PENDING = 251;
/** Migrated (or freed under us), a large folio: its page count is gone with it (1 << cfg.thpOrder). */
export const MB_MOVED_LARGE = 252;
export const MB_FAILED = 253;
export const MB_NOMEM = 254;
export const MB_MOVED = 255;
/** dst pfn + 1 must fit below MB_SPLIT_WAIT. */
export const MB_DST_MAX = 249;

/** The callbacks of one staged migrate_pages call. */
export interface BatchCallbacks {
  readonly getNew: NewFolioFn;
  readonly putNew: PutNewFolioFn | null;
  readonly reason: number;
  /** The contract on each moved folio (ops->migrate_to: on the target node), checked at its move. */
  readonly allowed?: (nid: number) => boolean;
}

export function entrySrc(v: number): number {
  return (v & 0xff) - 1;
}

export function entryStatus(v: number): number {
  return v >> 8;
}

function entry(src: number, status: number): number {
  return (src + 1) | (status << 8);
}

/** Registers [r0, r0 + n) of tid. */
function regs(k: Kernel, r0: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(k.get(k.L.THR_REG, r0 + i));
  return out;
}

/** A batch entry still holds its source isolated (pending, unmapped or failed): its thread owns a reference. */
export function entryHoldsSrc(v: number): boolean {
  return v !== 0 && entryStatus(v) !== MB_MOVED && entryStatus(v) !== MB_MOVED_LARGE;
}

/** The moved status of a source of nr pages (recorded before the source is freed). */
function movedStatus(nr: number): number {
  return nr > 1 ? MB_MOVED_LARGE : MB_MOVED;
}

/** A plain list in the registers (src pfn + 1 each) already reads as pending entries; pfns must fit a byte. */
export function batchCheckFits(k: Kernel): void {
  if (k.g.pfns > MB_DST_MAX) throw new Error(`staged migrate_pages needs pfns <= ${MB_DST_MAX} (config has ${k.g.pfns})`);
}

/** Mark the entry of `src` failed before the unmap loop (a folio the caller keeps back). */
export function batchKeep(k: Kernel, r0: number, n: number, src: number): void {
  for (let i = 0; i < n; i++) {
    const v = k.get(k.L.THR_REG, r0 + i);
    if (v !== 0 && entrySrc(v) === src) k.set(k.L.THR_REG, r0 + i, entry(src, MB_FAILED));
  }
}

/** The PTEs the next step walks (present or migration entries of its folio) need a PTL another thread holds. */
export function batchStepBusy(k: Kernel, tid: number, r0: number, n: number): boolean {
  const rs = regs(k, r0, n);
  let i = rs.findIndex((v) => v !== 0 && entryStatus(v) === MB_PENDING);
  if (i < 0) i = rs.findIndex((v) => v !== 0 && entryStatus(v) === MB_SPLIT_PENDING);
  let kind = PTE_PRESENT;
  if (i < 0) {
    i = rs.findIndex((v) => v !== 0 && entryStatus(v) >= 1 && entryStatus(v) <= MB_DST_MAX);
    kind = PTE_MIGRATION;
  }
  if (i < 0) return false;
  const src = entrySrc(rs[i]!);
  for (const s of rmapSlots(k, src, kind)) if (ptlHeldByOther(k, tid, Math.floor(s / k.cfg.vaddrs))) return true;
  return false;
}

export interface BatchResult {
  readonly ret: number;
  readonly nrSucceeded: number;
  /** src pfns that moved (their destinations are where the contract looks). */
  readonly moved: readonly number[];
}

/**
 * One step of the staged migrate_pages: the unmap loop's next folio, else the
 * move loop's next folio. Returns null while work is left, else the result of
 * migrate_pages (the registers then hold the plain list of folios left).
 */
export function batchStep(k: Kernel, tid: number, r0: number, n: number, cb: BatchCallbacks): BatchResult | null {
  ran(k, 'migrate_pages');
  const L = k.L;
  const rs = regs(k, r0, n);
  let pend = rs.findIndex((v) => v !== 0 && entryStatus(v) === MB_PENDING);
  // The second batch (split_folios) runs its unmap loop once the first batch is done.
  const second = pend < 0;
  if (second) pend = rs.findIndex((v) => v !== 0 && entryStatus(v) === MB_SPLIT_PENDING);
  if (pend >= 0) {
    // mm/migrate.c: migrate_pages_batch, the unmap loop
    const src = entrySrc(rs[pend]!);
    const srcNr = folioNrPagesSafe(k, src);
    const r = migrateFolioUnmap(k, tid, src, cb.getNew, cb.putNew, cb.reason);
    const split: number[] = [];
    if (r.kind === 'unmapped') k.set(L.THR_REG, r0 + pend, entry(src, r.dst + 1));
    else if (r.kind === 'nomem' && !second && splitInBatch(k, tid, r0, n, src, cb.reason, split)) {
      // try_split_folio succeeded: the pieces wait for the second batch; the unmap loop goes on.
      for (const p of split) setEntry(k, r0, n, p, MB_SPLIT_WAIT);
    } else k.set(L.THR_REG, r0 + pend, entry(src, r.kind === 'done' ? movedStatus(srcNr) : r.kind === 'nomem' && !second ? MB_NOMEM : MB_FAILED));
    if (k.log) k.trace(`migrate_pages_batch${second ? ' (split folios)' : ''}: unmap pfn ${src}: ${r.kind === 'unmapped' ? `dst pfn ${r.dst}` : split.length ? `-ENOMEM, split into ${split.join(', ')}` : r.kind}`);
    // -ENOMEM: "don't bother to try to migrate other folios, move unmapped folios, then exit".
    if (r.kind === 'nomem' && !split.length) {
      const pendingStatus = second ? MB_SPLIT_PENDING : MB_PENDING;
      for (let i = 0; i < n; i++) {
        const v = k.get(L.THR_REG, r0 + i);
        if (v !== 0 && entryStatus(v) === pendingStatus) k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_FAILED));
        // The first batch stops: migrate_pages returns -ENOMEM before the split folios' pass.
        if (!second && v !== 0 && entryStatus(v) === MB_SPLIT_WAIT) k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_FAILED));
      }
    }
  } else {
    // mm/migrate.c: migrate_pages_batch "move:", migrate_folios_move
    const um = rs.findIndex((v) => v !== 0 && entryStatus(v) >= 1 && entryStatus(v) <= MB_DST_MAX);
    if (um < 0) return finish(k, r0, n);
    const v = rs[um]!;
    const src = entrySrc(v);
    const homes = cb.allowed ? migrationHomes(k, [src]) : [];
    const nr = folioNrPagesSafe(k, src);
    const ok = migrateFolioMove(k, tid, src, entryStatus(v) - 1, cb.putNew, cb.reason);
    if (ok && cb.allowed) checkMigrated(k, homes, [], nr, cb.allowed);
    k.set(L.THR_REG, r0 + um, entry(src, ok ? movedStatus(nr) : MB_FAILED));
  }
  startSplitBatch(k, r0, n);
  const after = regs(k, r0, n);
  const left = after.some((x) => x !== 0 && (entryStatus(x) <= MB_DST_MAX || entryStatus(x) === MB_SPLIT_PENDING));
  return left ? null : finish(k, r0, n);
}

/** The first batch is done (nothing pending, nothing unmapped): the split pieces enter the second batch. */
function startSplitBatch(k: Kernel, r0: number, n: number): void {
  const rs = regs(k, r0, n);
  if (rs.some((v) => v !== 0 && (entryStatus(v) <= MB_DST_MAX || entryStatus(v) === MB_SPLIT_PENDING))) return;
  for (let i = 0; i < n; i++) {
    const v = rs[i]!;
    if (v !== 0 && entryStatus(v) === MB_SPLIT_WAIT) k.set(k.L.THR_REG, r0 + i, entry(entrySrc(v), MB_SPLIT_PENDING));
  }
}

/** Set the entry of pfn p (the split head keeps its register; new pieces take free ones). */
function setEntry(k: Kernel, r0: number, n: number, p: number, status: number): void {
  for (let i = 0; i < n; i++) {
    const v = k.get(k.L.THR_REG, r0 + i);
    if (v !== 0 && entrySrc(v) === p) {
      k.set(k.L.THR_REG, r0 + i, entry(p, status));
      return;
    }
  }
  for (let i = 0; i < n; i++) {
    if (k.get(k.L.THR_REG, r0 + i) === 0) {
      k.set(k.L.THR_REG, r0 + i, entry(p, status));
      return;
    }
  }
  throw new Error(`staged migrate_pages: no register left for split folio pfn ${p}`);
}

/** try_split_folio, if the batch has a register for every new piece. */
function splitInBatch(k: Kernel, tid: number, r0: number, n: number, src: number, reason: number, out: number[]): boolean {
  const free = regs(k, r0, n).filter((v) => v === 0).length;
  if (folioNrPagesSafe(k, src) - 1 > free) throw new Error(`staged migrate_pages: ${free} register(s) left, a split of pfn ${src} needs more`);
  return trySplitFolio(k, tid, src, reason, out);
}

/** migrate_pages returns: rc_saved (-ENOMEM) or the number failed; the list holds what failed. */
function finish(k: Kernel, r0: number, n: number): BatchResult {
  const rs = regs(k, r0, n);
  let failed = 0;
  let nomem = false;
  let nrSucceeded = 0;
  const moved: number[] = [];
  const left: number[] = [];
  for (const v of rs) {
    if (v === 0) continue;
    const st = entryStatus(v);
    const src = entrySrc(v);
    if (st === MB_MOVED || st === MB_MOVED_LARGE) {
      nrSucceeded += st === MB_MOVED_LARGE ? 1 << (k.cfg.thpOrder ?? 0) : 1;
      moved.push(src);
    } else {
      left.push(src);
      if (st === MB_NOMEM) nomem = true;
      else failed++;
    }
  }
  for (let i = 0; i < n; i++) k.set(k.L.THR_REG, r0 + i, i < left.length ? left[i]! + 1 : 0);
  const ret = nomem ? -ENOMEM : failed;
  if (k.log) k.trace(`migrate_pages(batch) = ${errname(ret)} (succeeded ${nrSucceeded})`);
  return { ret, nrSucceeded, moved };
}
