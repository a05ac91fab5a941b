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
//          MB_FAILED        stays on the list (-EAGAIN after the last pass / permanent failure)
//          MB_NOMEM         get_new_folio returned NULL: the unmap loop stopped
//          MB_MOVED         migrated (or freed under us)
// Each loop makes up to nr_pass passes (THR_MB_PASS): a folio that returned
// -EAGAIN stays pending (unmap loop) or unmapped with its dst (move loop) and
// the next pass tries it again, other threads having stepped in between;
// after the last pass the unmap loop leaves it on the list and the move loop
// undoes it (migrate_folios_undo).
// The step after which neither pending nor unmapped entries are left also
// returns from migrate_pages: failed entries are written back as the plain
// list (src pfn + 1, compacted), the others cleared.
//
// Who uses it: kswapd's demote_folio_list -> node_private_migrate_to ->
// ops->migrate_to (cram_migrate_to and driver tables), src/kernel/vmscan.ts
// (MIGRATE_ASYNC: NR_MAX_MIGRATE_PAGES_RETRY passes), and the driver's
// offline_pages -> do_migrate_range, src/kernel/memory_hotplug.ts
// (migrate_pages_sync's MIGRATE_ASYNC first try: NR_MAX_MIGRATE_ASYNC_RETRY).
// Other callers hand migrate_pages one folio (cram_fault, NUMA, mbind,
// move_pages) and call migratePages, which runs the same two loops in one
// step (README, modelling choices).

import type { Kernel } from './kernel.ts';
import { checkMigrated, migrationHomes } from './contracts.ts';
import { ENOMEM, errname } from './defs.ts';
import { PTE_MIGRATION, PTE_PRESENT } from './layout.ts';
import { folioNrPagesSafe, migrateFolioMove, migrateFolioUndo, migrateFolioUnmap, trySplitFolio, type NewFolioFn, type PutNewFolioFn } from './migrate.ts';
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

// THR_MB_PASS[tid] while a staged batch runs: the pass of the loop it is in
// (bits 0-3; migrate_pages_batch's `for (pass = 0; pass < nr_pass && retry; pass++)`,
// once for the unmap loop and once for the move loop), the register that pass
// visits next (bits 4-6: entries it left behind were -EAGAIN), and bit 7 once
// the split folios' batch runs (nr_pass 1).
const PASS_MASK = 0xf;
const CURSOR_SHIFT = 4;
const CURSOR_MASK = 0x7;
const SPLIT_BATCH = 0x80;

interface PassState {
  readonly pass: number;
  readonly cursor: number;
  readonly split: boolean;
}

function passState(k: Kernel, tid: number): PassState {
  const v = k.get(k.L.THR_MB_PASS, tid);
  return { pass: v & PASS_MASK, cursor: (v >> CURSOR_SHIFT) & CURSOR_MASK, split: (v & SPLIT_BATCH) !== 0 };
}

function setPassState(k: Kernel, tid: number, s: PassState): void {
  k.set(k.L.THR_MB_PASS, tid, s.pass | (s.cursor << CURSOR_SHIFT) | (s.split ? SPLIT_BATCH : 0));
}

/** The batch's nr_pass: the caller's (the split batch: 1), lowered by KernelConfig.migratePasses if set. */
function passes(k: Kernel, nrPass: number, s: PassState): number {
  if (s.split) return 1;
  return Math.max(1, Math.min(nrPass, k.cfg.migratePasses ?? nrPass));
}

function isUnmapped(v: number): boolean {
  const st = entryStatus(v);
  return v !== 0 && st >= 1 && st <= MB_DST_MAX;
}

function isPending(v: number, s: PassState): boolean {
  return v !== 0 && entryStatus(v) === (s.split ? MB_SPLIT_PENDING : MB_PENDING);
}

type Work = { readonly kind: 'unmap' | 'move'; readonly i: number };

/** The folio the next step handles: the unmap loop's next folio of this pass, else the move loop's. */
function nextWork(rs: readonly number[], s: PassState): Work | null {
  let i = rs.findIndex((v, j) => j >= s.cursor && isPending(v, s));
  if (i >= 0) return { kind: 'unmap', i };
  i = rs.findIndex((v, j) => j >= s.cursor && isUnmapped(v));
  return i >= 0 ? { kind: 'move', i } : null;
}

/** The PTEs the next step walks (present or migration entries of its folio, and of those it undoes) need a PTL another thread holds. */
export function batchStepBusy(k: Kernel, tid: number, r0: number, n: number, nrPass: number): boolean {
  const rs = regs(k, r0, n);
  const s = passState(k, tid);
  const w = nextWork(rs, s);
  if (!w) return false;
  const srcs = [entrySrc(rs[w.i]!)];
  // The move loop's last folio of its last pass: migrate_folios_undo follows for the folios still unmapped.
  const lastMove = w.kind === 'move' && s.pass + 1 >= passes(k, nrPass, s) && !rs.some((v, j) => j > w.i && isUnmapped(v));
  if (lastMove) rs.forEach((v, j) => { if (j < w.i && isUnmapped(v)) srcs.push(entrySrc(v)); });
  const kind = w.kind === 'unmap' ? PTE_PRESENT : PTE_MIGRATION;
  for (const src of srcs) for (const sl of rmapSlots(k, src, kind)) if (ptlHeldByOther(k, tid, Math.floor(sl / k.cfg.vaddrs))) return true;
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
 * move loop's next folio; a folio that returned -EAGAIN is tried again by the
 * loop's next pass, up to nrPass passes (other threads step in between, as
 * cond_resched lets them). Returns null while work is left, else the result
 * of migrate_pages (the registers then hold the plain list of folios left).
 */
export function batchStep(k: Kernel, tid: number, r0: number, n: number, cb: BatchCallbacks, nrPass: number): BatchResult | null {
  ran(k, 'migrate_pages');
  const L = k.L;
  const rs = regs(k, r0, n);
  const s = passState(k, tid);
  const w = nextWork(rs, s);
  if (!w) return finish(k, tid, r0, n);
  const src = entrySrc(rs[w.i]!);
  let cursor = w.i + 1;
  if (w.kind === 'unmap') {
    // mm/migrate.c: migrate_pages_batch, the unmap loop
    const second = s.split;
    const srcNr = folioNrPagesSafe(k, src);
    const r = migrateFolioUnmap(k, tid, src, cb.getNew, cb.putNew, cb.reason);
    const split: number[] = [];
    if (r.kind === 'unmapped') {
      k.set(L.THR_REG, r0 + w.i, entry(src, r.dst + 1));
      cursor = toUnmapTail(k, r0, n, w.i);
    } else if (r.kind === 'nomem' && !second && splitInBatch(k, tid, r0, n, src, cb.reason, split)) {
      // try_split_folio succeeded: the pieces wait for the second batch; the unmap loop goes on.
      for (const p of split) setEntry(k, r0, n, p, MB_SPLIT_WAIT);
    } else if (r.kind === 'done') k.set(L.THR_REG, r0 + w.i, entry(src, movedStatus(srcNr)));
    else if (r.kind === 'nomem') k.set(L.THR_REG, r0 + w.i, entry(src, second ? MB_FAILED : MB_NOMEM));
    // 'fail' is -EAGAIN: "stay on the from list" for the next pass (settle decides).
    if (k.log) k.trace(`migrate_pages_batch${second ? ' (split folios)' : ''}: unmap pfn ${src}${s.pass ? ` (pass ${s.pass + 1})` : ''}: ${r.kind === 'unmapped' ? `dst pfn ${r.dst}` : split.length ? `-ENOMEM, split into ${split.join(', ')}` : r.kind === 'fail' ? '-EAGAIN' : r.kind}`);
    // -ENOMEM: "don't bother to try to migrate other folios, move unmapped folios, then exit".
    if (r.kind === 'nomem' && !split.length) {
      for (let i = 0; i < n; i++) {
        const v = k.get(L.THR_REG, r0 + i);
        if (isPending(v, s)) k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_FAILED));
        // The first batch stops: migrate_pages returns -ENOMEM before the split folios' pass.
        if (!second && v !== 0 && entryStatus(v) === MB_SPLIT_WAIT) k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_FAILED));
      }
    }
    setPassState(k, tid, { ...s, cursor });
    settle(k, tid, r0, n, nrPass, cb, true);
  } else {
    // mm/migrate.c: migrate_pages_batch "move:", migrate_folios_move
    const v = rs[w.i]!;
    const homes = cb.allowed ? migrationHomes(k, [src]) : [];
    const nr = folioNrPagesSafe(k, src);
    const ok = migrateFolioMove(k, tid, src, entryStatus(v) - 1, cb.putNew, cb.reason, true);
    if (ok && cb.allowed) checkMigrated(k, homes, [], nr, cb.allowed);
    if (ok) k.set(L.THR_REG, r0 + w.i, entry(src, movedStatus(nr)));
    if (!ok && k.log && s.pass) k.trace(`migrate_pages_batch: move pfn ${src} (pass ${s.pass + 1}): -EAGAIN`);
    setPassState(k, tid, { ...s, cursor });
    settle(k, tid, r0, n, nrPass, cb, false);
  }
  const after = regs(k, r0, n);
  const left = after.some((x) => x !== 0 && (entryStatus(x) <= MB_DST_MAX || entryStatus(x) === MB_SPLIT_PENDING));
  return left ? null : finish(k, tid, r0, n);
}

/**
 * After a step: a loop whose pass has visited every register either starts
 * its next pass over the folios that returned -EAGAIN or, after its last,
 * gives them up (the unmap loop: they stay on the list; the move loop:
 * migrate_folios_undo); the unmap loop's end starts the move loop at pass 0,
 * and the first batch's end starts the split folios' batch.
 */
function settle(k: Kernel, tid: number, r0: number, n: number, nrPass: number, cb: BatchCallbacks, afterUnmap: boolean): void {
  const L = k.L;
  let s = passState(k, tid);
  let rs = regs(k, r0, n);
  if (rs.some((v) => isPending(v, s))) {
    if (rs.some((v, j) => j >= s.cursor && isPending(v, s))) return;
    if (s.pass + 1 < passes(k, nrPass, s)) {
      setPassState(k, tid, { ...s, pass: s.pass + 1, cursor: 0 });
      return;
    }
    // "nr_failed += retry": the folios still -EAGAIN stay on the from list.
    rs.forEach((v, i) => { if (isPending(v, s)) k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_FAILED)); });
    afterUnmap = true;
  }
  if (afterUnmap) {
    // move: the move loop's passes start ("retry = 1; for (pass = 0; ...").
    s = { ...s, pass: 0, cursor: 0 };
    setPassState(k, tid, s);
  }
  rs = regs(k, r0, n);
  if (rs.some(isUnmapped)) {
    if (rs.some((v, j) => j >= s.cursor && isUnmapped(v))) return;
    if (s.pass + 1 < passes(k, nrPass, s)) {
      setPassState(k, tid, { ...s, pass: s.pass + 1, cursor: 0 });
      return;
    }
    // out: migrate_folios_undo for the folios the move loop could not move.
    rs.forEach((v, i) => {
      if (!isUnmapped(v)) return;
      migrateFolioUndo(k, tid, entrySrc(v), entryStatus(v) - 1, cb.putNew);
      k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_FAILED));
      if (k.log) k.trace(`migrate_folios_undo: pfn ${entrySrc(v)} stays on the list`);
    });
  }
  // The first batch is done (nothing pending, nothing unmapped): the split pieces enter the second batch.
  rs = regs(k, r0, n);
  if (!s.split && rs.some((v) => v !== 0 && entryStatus(v) === MB_SPLIT_WAIT)) {
    rs.forEach((v, i) => { if (v !== 0 && entryStatus(v) === MB_SPLIT_WAIT) k.set(L.THR_REG, r0 + i, entry(entrySrc(v), MB_SPLIT_PENDING)); });
    setPassState(k, tid, { pass: 0, cursor: 0, split: true });
  }
}

/**
 * unmap_folios keeps the order folios were unmapped in (list_move_tail); the
 * registers are one list, so a folio unmapped by a later pass moves behind the
 * folios unmapped before it (the others keep their order). Returns the
 * register the pass visits next.
 */
function toUnmapTail(k: Kernel, r0: number, n: number, i: number): number {
  const rs = regs(k, r0, n);
  let j = -1;
  rs.forEach((v, x) => { if (x > i && isUnmapped(v)) j = x; });
  if (j < 0) return i + 1;
  const v = rs[i]!;
  for (let x = i; x < j; x++) k.set(k.L.THR_REG, r0 + x, rs[x + 1]!);
  k.set(k.L.THR_REG, r0 + j, v);
  return i;
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
function finish(k: Kernel, tid: number, r0: number, n: number): BatchResult {
  k.set(k.L.THR_MB_PASS, tid, 0);
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
