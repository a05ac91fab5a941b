// mm/memcontrol.c: try_charge_memcg's reclaim loop as steps of the faulting
// CPU (README modelling choices, the memory-cgroups row). The anonymous fault
// of a user load or store allocates its folio, and when
// page_counter_try_charge finds the memcg at memory.max the fault stays inside
// the charge (THR_OP = OP_MEMCG_CHARGE, registers in ops_codes.ts) and each
// of these is a step of its own, so kswapd, cram_fault, the IRQ threads and
// the other CPUs run in between:
//   MC_TRY      retry: page_counter_try_charge; else a reclaim pass begins
//               (lru_add_drain, the first isolation)
//   MC_ISOLATE  isolate_lru_folios: the pass's next candidate, or the pass ends
//   MC_SHRINK   shrink_folio_list on the isolated folio (demote or reclaim)
//   MC_PUTBACK  move_folios_to_lru on the folio shrink_folio_list kept (it
//               stayed isolated, unlocked, in REG[3] since MC_SHRINK)
//   MC_OOM      mem_cgroup_oom -> mem_cgroup_out_of_memory
//   MC_CHARGED  charged: the fault goes on (memory.ts: pte lock, map)
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

export const MC_TRY = 1;
export const MC_ISOLATE = 2;
export const MC_SHRINK = 3;
export const MC_OOM = 4;
export const MC_CHARGED = 5;
export const MC_PUTBACK = 6;
/** THR_STAGE flag: the fault is a write fault. */
export const MC_WRITE = 64;

export const MC_R_SLOT = 0;
export const MC_R_FOLIO = 1;
export const MC_R_RETRIES = 2;
export const MC_R_ISOLATED = 3;
export const MC_R_POS = 4;
export const MC_R_PROGRESS = 5;

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
  return k.get(k.L.THR_STAGE, tid) & ~MC_WRITE;
}

function setStage(k: Kernel, tid: number, stage: number): void {
  k.set(k.L.THR_STAGE, tid, (k.get(k.L.THR_STAGE, tid) & MC_WRITE) | stage);
}

/** The new folio the charge is for. */
export function memcgChargeFolio(k: Kernel, tid: number): number {
  return reg(k, tid, MC_R_FOLIO) - 1;
}

/**
 * The charge of the folio just allocated at slot `slot` found the memcg at
 * memory.max (the fault's page_counter_try_charge failed): the fault stays in
 * try_charge_memcg, holding mmap_lock for read and the uncharged folio; its
 * first reclaim pass is the CPU's next step.
 */
export function memcgChargeEnter(k: Kernel, tid: number, slot: number, pfn: number, write: boolean): void {
  k.set(k.L.THR_OP, tid, OP_MEMCG_CHARGE);
  k.set(k.L.THR_STAGE, tid, MC_TRY | (write ? MC_WRITE : 0));
  setReg(k, tid, MC_R_SLOT, slot);
  setReg(k, tid, MC_R_FOLIO, pfn + 1);
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
  setReg(k, tid, MC_R_PROGRESS, 0);
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
  const progress = reg(k, tid, MC_R_PROGRESS);
  setReg(k, tid, MC_R_POS, 0);
  setReg(k, tid, MC_R_PROGRESS, 0);
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
  const used = reg(k, tid, MC_R_RETRIES);
  if (used < memcgReclaimRetries(k)) {
    setReg(k, tid, MC_R_RETRIES, used + 1);
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
    if (op === OP_HANDLE_FAULT && charged(k.get(L.THR_REG, R + 1))) return true;
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
  if (reg(k, tid, MC_R_PROGRESS) >= memcgNrToReclaim(nr)) passEnd(k, tid);
  else setStage(k, tid, MC_ISOLATE);
}

/** What one step of the charge did. */
export type MemcgChargeResult = 'blocked' | 'running' | 'failed';

/**
 * One step of the charge (any stage but MC_CHARGED, which the fault runs).
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
        return 'running';
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
      setReg(k, tid, MC_R_PROGRESS, reg(k, tid, MC_R_PROGRESS) + got.progress);
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
      setReg(k, tid, MC_R_RETRIES, 0);
      setStage(k, tid, MC_TRY);
      return 'running';
    }
    default:
      throw new Error(`try_charge_memcg: thread ${tid} in stage ${stage}`);
  }
}
