// mm/memcontrol.c: try_charge_memcg's reclaim loop as steps of the faulting
// CPU (README modelling choices, the memory-cgroups row). A fault (a user load
// or store, a GUP or pin_user_pages fault) allocates its folio
// (do_anonymous_page, do_wp_page -> wp_page_copy, do_swap_page), and when
// page_counter_try_charge finds the memcg at memory.max the fault stays inside
// the charge (THR_OP = OP_MEMCG_CHARGE, registers in memcg_charge_regs.ts) and
// each of these is a step of its own, so kswapd, cram_fault, the IRQ threads
// and the other CPUs run in between:
//   MC_TRY      retry: page_counter_try_charge; else a reclaim pass begins
//               (lru_add_drain, the first isolation)
//   MC_ISOLATE  isolate_lru_folios: the pass's next candidate, or the pass ends
//   MC_SHRINK   shrink_folio_list on the isolated folio (demote or reclaim)
//   MC_PUTBACK  move_folios_to_lru on the folio shrink_folio_list kept (it
//               stayed isolated, unlocked, in REG[3] since MC_SHRINK)
//   MC_OOM      mem_cgroup_oom -> mem_cgroup_out_of_memory
//   MC_CHARGED  charged: the fault goes on (memcg_charge_fault.ts: pte lock, map)
//   MC_FAILED   -ENOMEM: the fault's failure path (memcg_charge_fault.ts)
// At the end of a pass (try_to_free_mem_cgroup_pages returns) the kernel
// retries when the margin is enough or the pass reclaimed something (without
// counting it), and otherwise while nr_retries-- (MAX_RECLAIM_RETRIES = 16)
// allows; then it OOMs. The model counts fruitless passes up to
// MODEL_RECLAIM_RETRIES (as kswapd_failures, vmscan.ts), overridable by
// KernelConfig.memcgReclaimRetries: a later pass differs from an earlier one
// only by what other threads did in between, which fewer passes also reach
// (test/kernel/memcg-charge-step.test.ts compares the bounds).

import type { Kernel } from './kernel.ts';
import { LK_MMAP_READ, THREAD_REGS } from './layout.ts';
import { commitCharge, memCgroupMargin, noteOomWithReclaimable, pageCounterTryCharge } from './memcontrol.ts';
import { memcgIsolateNext, memcgNrToReclaim, memcgReclaimDrain, memcgShrinkBusy, memcgShrinkIsolated } from './memcg_reclaim.ts';
import { oomVictimBusy, outOfMemoryMemcg, selectBadProcess, CONSTRAINT_MEMCG } from './oom_kill.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE, OP_KSWAPD_PUTBACK, OP_MEMCG_CHARGE, OP_NONE } from './ops_codes.ts';
import { entryHoldsSrc, entrySrc } from './migrate_batch.ts';
import { hasFix } from './config.ts';
import { lruAddDrain } from './folio.ts';
import { MODEL_RECLAIM_RETRIES, moveFoliosToLru } from './vmscan.ts';
import { ran } from './ran.ts';
import {
  MC_CHARGED, MC_ISOLATE, MC_KIND_COW_FAULT, MC_KIND_MASK, MC_KIND_SHIFT, MC_KIND_WP_COPY, MC_OOM, MC_RETRIES_SHIFT, MC_R_FOLIO, MC_R_ISOLATED, MC_R_ORIG, MC_R_POS,
  MC_PUTBACK, MC_R_PROGRESS, MC_R_RETRIES, MC_R_SLOT, MC_SHRINK, MC_STAGE_MASK, MC_TRY, MC_UNSHARE, MC_WRITE, memcgChargeKindOf, origPteVal,
} from './memcg_charge_regs.ts';
import { pageFolio } from './folio.ts';
import { cramFaultHoldsIsolated } from '../cram/cram.ts';

export {
  MC_CHARGED, MC_FAILED, MC_ISOLATE, MC_KIND_ANON, MC_KIND_COW_FAULT, MC_KIND_SWAPIN, MC_KIND_WP_COPY, MC_OOM, MC_RETRIES_SHIFT, MC_R_FOLIO, MC_R_ISOLATED, MC_R_ORIG,
  MC_PUTBACK, MC_R_POS, MC_R_PROGRESS, MC_R_RETRIES, MC_R_SLOT, MC_SHRINK, MC_TRY, MC_UNSHARE, MC_WRITE, packOrigPte, origPteFlags, origPteVal,
} from './memcg_charge_regs.ts';

/** The model's bound on fruitless memcg reclaim passes (the kernel: MAX_RECLAIM_RETRIES). */
export function memcgReclaimRetries(k: Kernel): number {
  return k.cfg.memcgReclaimRetries ?? MODEL_RECLAIM_RETRIES;
}

function reg(k: Kernel, tid: number, r: number): number {
  return k.get(k.L.THR_REG, tid * THREAD_REGS + r);
}

function setReg(k: Kernel, tid: number, r: number, v: number): void {
  k.set(k.L.THR_REG, tid * THREAD_REGS + r, v);
}

export function memcgChargeStage(k: Kernel, tid: number): number {
  return k.get(k.L.THR_STAGE, tid) & MC_STAGE_MASK;
}

/** The fault the charge is for (MC_KIND_*). */
export function memcgChargeKind(k: Kernel, tid: number): number {
  return memcgChargeKindOf(k.get(k.L.THR_STAGE, tid));
}

export function setMemcgChargeStage(k: Kernel, tid: number, stage: number): void {
  k.set(k.L.THR_STAGE, tid, (k.get(k.L.THR_STAGE, tid) & ~MC_STAGE_MASK) | stage);
}

const setStage = setMemcgChargeStage;

function retries(k: Kernel, tid: number): number {
  return reg(k, tid, MC_R_RETRIES) >> MC_RETRIES_SHIFT;
}

function setRetries(k: Kernel, tid: number, n: number): void {
  setReg(k, tid, MC_R_RETRIES, (reg(k, tid, MC_R_RETRIES) & ((1 << MC_RETRIES_SHIFT) - 1)) | (n << MC_RETRIES_SHIFT));
}

function progressOf(k: Kernel, tid: number): number {
  return reg(k, tid, MC_R_PROGRESS) & ((1 << MC_RETRIES_SHIFT) - 1);
}

function setProgress(k: Kernel, tid: number, n: number): void {
  setReg(k, tid, MC_R_PROGRESS, (reg(k, tid, MC_R_PROGRESS) & ~((1 << MC_RETRIES_SHIFT) - 1)) | n);
}

/** The folios thread t holds while inside a charge: the new folio, the one memcg reclaim isolated, wp_page_copy's old folio, do_cow_fault's page-cache folio. */
export function memcgChargeHolds(k: Kernel, t: number): number[] {
  if (k.get(k.L.THR_OP, t) !== OP_MEMCG_CHARGE) return [];
  const out: number[] = [];
  const folio = reg(k, t, MC_R_FOLIO) - 1;
  if (folio >= 0) out.push(folio);
  const iso = reg(k, t, MC_R_ISOLATED) - 1;
  if (iso >= 0) out.push(iso);
  if (memcgChargeKind(k, t) === MC_KIND_WP_COPY) out.push(pageFolio(k, origPteVal(reg(k, t, MC_R_ORIG))));
  if (memcgChargeKind(k, t) === MC_KIND_COW_FAULT && reg(k, t, MC_R_ORIG) > 0) out.push(reg(k, t, MC_R_ORIG) - 1);
  return out;
}

/** The new folio the charge is for. */
export function memcgChargeFolio(k: Kernel, tid: number): number {
  return reg(k, tid, MC_R_FOLIO) - 1;
}

/** What the fault keeps across its charge besides the slot and the folio. */
export interface MemcgChargeFault {
  readonly kind: number;
  /** orig_pte (packOrigPte) for wp_page_copy and do_swap_page; 0 for do_anonymous_page. */
  readonly orig: number;
  readonly unshare: boolean;
}

const ANON_FAULT: MemcgChargeFault = { kind: 0, orig: 0, unshare: false };

/**
 * The charge of the folio just allocated at slot `slot` found the memcg at
 * memory.max (the fault's page_counter_try_charge failed): the fault stays in
 * try_charge_memcg, holding mmap_lock for read and the uncharged folio; its
 * first reclaim pass is the CPU's next step.
 */
export function memcgChargeEnter(k: Kernel, tid: number, slot: number, pfn: number, write: boolean, fault: MemcgChargeFault = ANON_FAULT): void {
  k.set(k.L.THR_OP, tid, OP_MEMCG_CHARGE);
  k.set(k.L.THR_STAGE, tid, MC_TRY | (write ? MC_WRITE : 0) | (fault.unshare ? MC_UNSHARE : 0) | ((fault.kind << MC_KIND_SHIFT) & MC_KIND_MASK));
  setReg(k, tid, MC_R_SLOT, slot);
  setReg(k, tid, MC_R_FOLIO, pfn + 1);
  setReg(k, tid, MC_R_ORIG, fault.orig);
  k.setBits(k.L.THR_LOCKS, tid, LK_MMAP_READ);
  if (k.log) k.trace(`mem_cgroup_charge(pfn ${pfn}): usage ${k.get(k.L.MEMCG_USAGE, 0)} at memory.max ${k.cfg.memcg!.max}: reclaim`);
}

/** The fault leaves the charge: registers, stage and op cleared, mmap_lock dropped. */
export function memcgChargeLeave(k: Kernel, tid: number): void {
  for (let r = 0; r < THREAD_REGS; r++) setReg(k, tid, r, 0);
  k.set(k.L.THR_STAGE, tid, 0);
  k.set(k.L.THR_OP, tid, OP_NONE);
  k.clearBits(k.L.THR_LOCKS, tid, LK_MMAP_READ);
}

/** A new reclaim pass: its first isolation, or its end if it finds nothing. */
function passBegin(k: Kernel, tid: number): void {
  ran(k, 'try_to_free_mem_cgroup_pages');
  memcgReclaimDrain(k, tid);
  setProgress(k, tid, 0);
  isolateFrom(k, tid, 0);
}

function isolateFrom(k: Kernel, tid: number, pos: number): void {
  const got = memcgIsolateNext(k, tid, pos);
  if (!got) return passEnd(k, tid);
  setReg(k, tid, MC_R_ISOLATED, got.pfn + 1);
  setReg(k, tid, MC_R_POS, got.next);
  setStage(k, tid, MC_SHRINK);
}

/**
 * try_to_free_mem_cgroup_pages returned with the pass's nr_reclaimed: retry
 * (margin enough, or progress, or nr_retries left), else the memcg OOM.
 */
function passEnd(k: Kernel, tid: number): void {
  const progress = progressOf(k, tid);
  setReg(k, tid, MC_R_POS, 0);
  setProgress(k, tid, 0);
  const nr = 1 << k.get(k.L.PG_ORDER, memcgChargeFolio(k, tid));
  if (k.log) k.trace(`try_to_free_mem_cgroup_pages = ${progress} (margin ${memCgroupMargin(k)})`);
  // if (mem_cgroup_margin(mem_over_limit) >= nr_pages) goto retry;
  // if (nr_reclaimed && nr_pages <= (1 << PAGE_ALLOC_COSTLY_ORDER)) goto retry;
  if (memCgroupMargin(k) >= nr || progress > 0) return setStage(k, tid, MC_TRY);
  // Fix memcg-oom-retries-isolated (design change, not in v4): a pass that found nothing while
  // one of the memcg's folios was out of the LRU's reach does not count towards the OOM: a folio
  // in a per-CPU lru_add batch is drained (lru_add_drain_all), a folio another thread holds
  // isolated (the memcg's lruvec NR_ISOLATED) is waited for (reclaim_throttle); then a retry.
  if (hasFix(k.cfg, 'memcg-oom-retries-isolated')) {
    const batched = memcgBatchedFolio(k);
    if (batched || memcgIsolatedElsewhere(k, tid)) {
      if (batched) lruAddDrain(k, tid, -1);
      if (k.log) k.trace(`try_charge_memcg: a folio of the memcg is ${batched ? 'in an lru_add batch: lru_add_drain_all' : 'isolated by another thread'}, retry (not counted)`);
      return setStage(k, tid, MC_TRY);
    }
  }
  // if (nr_retries--) goto retry;
  const used = retries(k, tid);
  if (used < memcgReclaimRetries(k)) {
    setRetries(k, tid, used + 1);
    return setStage(k, tid, MC_TRY);
  }
  setStage(k, tid, MC_OOM);
}

/**
 * Another thread holds a folio charged to the memcg isolated from the LRU:
 * kswapd's demotion batch (until migrate_pages moved it) or ret list (until
 * move_folios_to_lru), another charge's
 * memcg reclaim, cram_fault's promotion. The kernel's count is the memcg
 * lruvecs' NR_ISOLATED_ANON/FILE.
 */
function memcgIsolatedElsewhere(k: Kernel, tid: number): boolean {
  const L = k.L;
  const charged = (pfn: number): boolean => pfn >= 0 && pfn < k.g.pfns && k.get(L.PG_MEMCG, pfn) !== 0;
  for (let t = 0; t < k.g.threads.length; t++) {
    if (t === tid) continue;
    const op = k.get(L.THR_OP, t);
    const R = t * THREAD_REGS;
    if (op === OP_MEMCG_CHARGE && charged(k.get(L.THR_REG, R + MC_R_ISOLATED) - 1)) return true;
    // cram_fault from F2's folio_isolate_lru on (before it, its folio is on the LRU reclaim scans)
    if (op === OP_HANDLE_FAULT && cramFaultHoldsIsolated(k, t) && charged(k.get(L.THR_REG, R + 1))) return true;
    if (op === OP_KSWAPD_DEMOTE) {
      for (let r = 1; r < THREAD_REGS; r++) {
        const v = k.get(L.THR_REG, R + r);
        if (entryHoldsSrc(v) && charged(entrySrc(v))) return true;
      }
    }
    // kswapd's kept folios until move_folios_to_lru (NR_ISOLATED falls after the putback)
    if (op === OP_KSWAPD_PUTBACK) {
      for (let r = 1; r < THREAD_REGS; r++) if (charged(k.get(L.THR_REG, R + r) - 1)) return true;
    }
  }
  return false;
}

/** A folio charged to the memcg sits in a per-CPU lru_add batch (off the LRU reclaim scans). */
function memcgBatchedFolio(k: Kernel): boolean {
  for (let pfn = 0; pfn < k.g.pfns; pfn++) if (k.get(k.L.PG_MEMCG, pfn) !== 0 && k.get(k.L.PG_LRU_BATCH, pfn) !== 0) return true;
  return false;
}

/** shrink_inactive_list returned: the pass ends at nr_to_reclaim, else the next isolation. */
function shrinkDone(k: Kernel, tid: number, nr: number): void {
  if (progressOf(k, tid) >= memcgNrToReclaim(nr)) passEnd(k, tid);
  else setStage(k, tid, MC_ISOLATE);
}

/** What one step of the charge did. */
export type MemcgChargeResult = 'blocked' | 'running' | 'charged' | 'failed';

/**
 * One step of the charge (a stage before MC_CHARGED; the fault runs the rest).
 * 'charged': page_counter_try_charge succeeded in this step (stage
 * MC_CHARGED; the fault's work up to its PTL is the rest of this step).
 * 'failed': the charge returned -ENOMEM (the caller puts the folio and the
 * fault returns VM_FAULT_OOM); the registers still hold the folio.
 */
export function memcgChargeStep(k: Kernel, tid: number): MemcgChargeResult {
  const stage = memcgChargeStage(k, tid);
  const pfn = memcgChargeFolio(k, tid);
  const nr = 1 << k.get(k.L.PG_ORDER, pfn);
  const mm = Math.floor(reg(k, tid, MC_R_SLOT) / k.cfg.vaddrs);
  switch (stage) {
    case MC_TRY: {
      // mm/memcontrol.c: try_charge_memcg (retry:)
      if (pageCounterTryCharge(k, nr)) {
        commitCharge(k, pfn);
        setReg(k, tid, MC_R_RETRIES, 0);
        setStage(k, tid, MC_CHARGED);
        if (k.log) k.trace(`mem_cgroup_charge(pfn ${pfn}): usage ${k.get(k.L.MEMCG_USAGE, 0)}/${k.cfg.memcg!.max}`);
        return 'charged';
      }
      passBegin(k, tid);
      return 'running';
    }
    case MC_ISOLATE:
      isolateFrom(k, tid, reg(k, tid, MC_R_POS));
      return 'running';
    case MC_SHRINK: {
      const iso = reg(k, tid, MC_R_ISOLATED) - 1;
      // The rmap walk (try_to_unmap / try_to_migrate) waits for a PTL another thread holds.
      if (memcgShrinkBusy(k, tid, iso)) return 'blocked';
      const got = memcgShrinkIsolated(k, tid, iso);
      setProgress(k, tid, progressOf(k, tid) + got.progress);
      // One isolated folio per call: the kept list is that folio (a large folio's split pieces
      // would need more registers; no memcg config has one).
      if (got.ret.length > 1) throw new Error(`try_charge_memcg: ${got.ret.length} kept folios, one register`);
      if (got.ret.length === 1) {
        setReg(k, tid, MC_R_ISOLATED, got.ret[0]! + 1);
        setStage(k, tid, MC_PUTBACK);
        return 'running';
      }
      setReg(k, tid, MC_R_ISOLATED, 0);
      shrinkDone(k, tid, nr);
      return 'running';
    }
    case MC_PUTBACK: {
      // mm/vmscan.c: shrink_inactive_list -> move_folios_to_lru (ret_folios)
      moveFoliosToLru(k, tid, [reg(k, tid, MC_R_ISOLATED) - 1]);
      setReg(k, tid, MC_R_ISOLATED, 0);
      shrinkDone(k, tid, nr);
      return 'running';
    }
    case MC_OOM: {
      // mem_cgroup_oom -> mem_cgroup_out_of_memory (configs with the OOM killer); else -ENOMEM
      // (VM_FAULT_OOM), the model's allocator convention where the kernel would kill.
      if (k.cfg.actors.oom) {
        const victim = selectBadProcess(k, CONSTRAINT_MEMCG, null);
        // The kill reaps in its step (oom_kill.ts): a victim thread in the middle of another operation is waited for.
        if (victim >= 0 && oomVictimBusy(k, tid, victim)) return 'blocked';
      }
      noteOomWithReclaimable(k);
      if (!k.cfg.actors.oom) return 'failed';
      const victim = outOfMemoryMemcg(k, tid, mm);
      // Current killed: "passed_oom && task_is_dying()" -> nomem, without mapping into the reaped mm.
      if (victim < 0 || victim === mm) return 'failed';
      // passed_oom = true; nr_retries = MAX_RECLAIM_RETRIES; goto retry;
      setRetries(k, tid, 0);
      setStage(k, tid, MC_TRY);
      return 'running';
    }
    default:
      throw new Error(`try_charge_memcg: thread ${tid} in stage ${stage}`);
  }
}
