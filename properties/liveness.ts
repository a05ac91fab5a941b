// The RFC's progress promises as temporal properties (System.liveness), judged
// by the liveness checker (src/explore/liveness.ts) under the fairness the
// kernel system declares (every thread and CPU weakly fair, the threaded IRQ
// handlers strongly fair, administrators not at all). Each is a leads-to P ~> Q
// (or <>Q / []<>Q) over single states; like the invariants, predicates only
// READ the state. A leads-to whose premise no reachable state satisfies proves
// nothing: the liveness command reports it as vacuous.

import { swapSlotFree } from '../src/kernel/swap.ts';
import type { Temporal } from '../src/explore/system.ts';
import type { ProgramOp } from '../src/kernel/config.ts';
import { MAX_NR_ZONES } from '../src/kernel/defs.ts';
import type { Kernel, Machine } from '../src/kernel/kernel.ts';
import { PG_anon, PG_head, PG_locked, PG_lru, PG_swapcache, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE } from '../src/kernel/layout.ts';
import { OP_HANDLE_FAULT } from '../src/kernel/ops_codes.ts';
import { DF_IRQS } from '../src/cxl/compression.ts';
import { IRQ_HTHRESH, IRQ_LTHRESH } from '../src/cxl/device.ts';
import { DS_NONE, DS_UNREG_RCU } from '../src/cxl/region_sysram.ts';
import { CN_PUBLISHED } from '../src/cram/cram.ts';
import { OP_CRAM_SET_PRESSURE } from '../src/cram/pressure.ts';
import { npSlot, StateView } from './common.ts';

type Pred = (k: Kernel) => boolean;

function leadsTo(v: StateView, id: string, source: string, description: string, premise: Pred, goal: Pred): Temporal {
  return { id, kind: 'leads-to', source, description, premise: (s) => premise(v.at(s)), goal: (s) => goal(v.at(s)) };
}

function eventually(v: StateView, id: string, source: string, description: string, goal: Pred): Temporal {
  return { id, kind: 'eventually', source, description, goal: (s) => goal(v.at(s)) };
}

/** The private node's pfns (the only node CRAM manages). */
function privatePfns(m: Machine): number[] {
  const out: number[] = [];
  for (let pfn = 0; pfn < m.g.pfns; pfn++) if (m.g.pfnNode[pfn] === m.g.privateNode) out.push(pfn);
  return out;
}

function swapHasRoom(k: Kernel): boolean {
  for (let s = 0; s < k.cfg.swapSlots; s++) if (swapSlotFree(k, s)) return true;
  return false;
}

/**
 * Something kswapd(P) can evict: an LRU folio head on P it can isolate
 * (isolate_lru_folios: a reference, not locked) and reclaim (anon: a swap
 * slot to write it to, or already in the swap cache; file: dropped or written
 * back). CRAM's reclaim_policy gives boosted reclaim may_swap and may_writepage.
 */
function pHasEvictable(k: Kernel, pfns: readonly number[]): boolean {
  const L = k.L;
  const room = swapHasRoom(k);
  for (const pfn of pfns) {
    const f = k.get(L.PG_FLAGS, pfn);
    if (!(f & PG_head) || !(f & PG_lru) || (f & PG_locked) || k.get(L.PG_REF, pfn) === 0) continue;
    if (!(f & PG_anon) || (f & PG_swapcache) || room) return true;
  }
  return false;
}

function inSomeFlushBuffer(k: Kernel, pfn: number): boolean {
  const L = k.L;
  const M = k.cfg.driver.bufMax;
  for (let b = 0; b < k.g.flushBufs; b++) {
    const n = k.get(L.BUF_LEN, b);
    for (let i = 0; i < n; i++) if (k.get(L.BUF_ENT, b * M + i) === pfn + 1) return true;
  }
  return false;
}

function migrationBlocked(k: Kernel): boolean {
  const p = k.g.privateNode;
  const slot = p < 0 ? -1 : npSlot(k, p);
  return slot >= 0 && k.get(k.L.NP_MIGRATION_BLOCKED, slot) === 1;
}

function privateBoost(k: Kernel): number {
  const p = k.g.privateNode;
  let b = 0;
  for (let t = 0; t < MAX_NR_ZONES; t++) b += k.get(k.L.ZONE_BOOST, p * MAX_NR_ZONES + t);
  return b;
}

function isAccess(op: ProgramOp): op is Extract<ProgramOp, { op: 'read' | 'write' }> {
  return op.op === 'read' || op.op === 'write';
}

/** cpu's access at pc cannot complete without a fault (or is inside handle_fault). */
function faulting(k: Kernel, cpu: number, op: Extract<ProgramOp, { op: 'read' | 'write' }>): boolean {
  const L = k.L;
  const tid = k.g.cpuThread(cpu);
  if (k.get(L.THR_OP, tid) === OP_HANDLE_FAULT) return true;
  const s = k.cfg.cpus[cpu]!.mm * k.cfg.vaddrs + op.vaddr;
  const fl = k.get(L.PTE_FLAGS, s);
  const ok = k.get(L.PTE_KIND, s) === PTE_PRESENT && !(fl & PTE_PROTNONE) && (op.op === 'read' || (fl & PTE_WRITE) !== 0);
  return !ok;
}

const FAULT_SRC = 'cover letter ("Every write goes through handle_fault, which promotes the folio to DRAM first"); mm/cram.c: cram_fault (F1/F2 refault, F6 VM_FAULT_RETRY)';

export function kernelLiveness(m: Machine): Temporal[] {
  const v = new StateView(m);
  const cfg = m.cfg;
  const out: Temporal[] = [];
  const P = m.g.privateNode;
  const lthresh = cfg.device.lthresh;
  const hthresh = cfg.device.hthresh;
  const pPfns = privatePfns(m);

  // The three pressure promises are carried out by the threshold IRQ threads:
  // a configuration without the device actor (gup, cpusets, race2small, ...)
  // has none, so the device's edges are never handled there by construction.
  if (P >= 0 && cfg.actors.device) {
    out.push(leadsTo(v, 'LIVE-PRESSURE-RELIEF',
      'cover letter ("If compression ratios are bad, we stop demoting pages and start evicting pages aggressively"; "CRAM uses watermark_boost to wake kswapd on demand"); compression.c: cxl_compression_lthresh_irq; mm/cram.c: cram_set_pressure, cram_reclaim_policy',
      'after the device crosses lthresh with CRAM registered, device usage falls below lthresh or P holds nothing kswapd(P) can evict (or CRAM is no longer registered: the promise is CRAM\'s, and a teardown an administrator started ends it)',
      (k) => k.get(k.L.CN_STATE, P) === CN_PUBLISHED && k.get(k.L.DEV_USED) >= lthresh,
      (k) => k.get(k.L.DEV_USED) < lthresh || !pHasEvictable(k, pPfns) || k.get(k.L.CN_STATE, P) !== CN_PUBLISHED));
    out.push(leadsTo(v, 'LIVE-DEMOTION-RESUMES',
      'cover letter ("CRAM throttles demotion when capacity is tight"); compression.c: cxl_compression_hthresh_irq -> cram_set_pressure(nid, 0); mm/cram.c: cram_set_pressure (S3 migration_blocked)',
      'once the device is back at or below hthresh, migration_blocked is cleared (demotion to P can resume), unless the device has since climbed back to lthresh (its level is high again: blocking is then due)',
      (k) => migrationBlocked(k) && k.get(k.L.DEV_USED) <= hthresh,
      (k) => !migrationBlocked(k) || k.get(k.L.DEV_LEVEL) !== 0));
    out.push(leadsTo(v, 'LIVE-BOOST-CLEARS',
      'mm/cram.c: cram_set_pressure (S4 watermark_boost scaled by pressure), cram_reclaim_policy (managed_watermarks: only CRAM clears the boost); cover letter (back-pressure via watermark_boost)',
      'once the device is back at or below hthresh, the boost on P\'s zone goes back to 0 (kswapd(P) stops evicting), unless the device has since climbed back to lthresh (its level is high again)',
      (k) => privateBoost(k) > 0 && k.get(k.L.DEV_USED) <= hthresh,
      (k) => privateBoost(k) === 0 || k.get(k.L.DEV_LEVEL) !== 0));
  }
  if (P >= 0 && cfg.actors.device) {
    for (const [bit, name] of [[IRQ_LTHRESH, 'lthresh'], [IRQ_HTHRESH, 'hthresh']] as const) {
      out.push(leadsTo(v, `LIVE-IRQ-HANDLED(${name})`,
        `compression.c: devm_request_threaded_irq(cxl_compression_${name}_irq) (a raised edge runs the thread while the handler is registered); kernel/irq/manage.c: free_irq`,
        `a ${name} edge raised while its handler is registered is handled (or the handler freed)`,
        (k) => k.has(k.L.DEV_IRQ, 0, bit) && (k.get(k.L.DRV_FLAGS) & DF_IRQS) !== 0,
        (k) => !k.has(k.L.DEV_IRQ, 0, bit) || (k.get(k.L.DRV_FLAGS) & DF_IRQS) === 0));
    }
    for (const [tid, name] of [[m.g.lthreshThread, 'lthresh'], [m.g.hthreshThread, 'hthresh']] as const) {
      out.push(leadsTo(v, `LIVE-SET-PRESSURE-RETURNS(${name})`,
        'mm/cram.c: cram_set_pressure (S1-S4, no lock in v4)',
        `the ${name} IRQ thread's cram_set_pressure returns`,
        (k) => k.get(k.L.THR_OP, tid) === OP_CRAM_SET_PRESSURE,
        (k) => k.get(k.L.THR_OP, tid) !== OP_CRAM_SET_PRESSURE));
    }
  }
  if (P >= 0 && cfg.actors.flush) {
    for (const pfn of pPfns) {
      out.push(leadsTo(v, `LIVE-DEFERRED-FREE(pfn ${pfn})`,
        'compression.c: cxl_compression_flush_cb (case b defers), cxl_flush_kthread_fn / cxl_flush_overflow_work -> cxl_flush_buf_send; cover letter ("free_folio scrubs stale data before buddy free")',
        `a free of P's pfn ${pfn} deferred in a flush buffer is sent and the folio reaches the buddy`,
        (k) => inSomeFlushBuffer(k, pfn),
        (k) => !inSomeFlushBuffer(k, pfn) && k.get(k.L.PG_BUDDY, pfn) !== 0));
    }
    for (let c = 0; c < cfg.cpus.length; c++) {
      out.push(leadsTo(v, `LIVE-OVERFLOW-WORK-RUNS(cpu${c})`,
        'compression.c: cxl_compression_flush_cb (schedule_work_on on a full buffer), cxl_flush_overflow_work',
        `cpu${c}'s scheduled overflow work runs`,
        (k) => k.get(k.L.CPU_OVERFLOW_PENDING, c) === 1,
        (k) => k.get(k.L.CPU_OVERFLOW_PENDING, c) === 0));
    }
  }
  // The teardown's offline_pages waits for every folio of P to be free, and a
  // folio CRAM's free_folio deferred into a flush buffer is freed only by the
  // send (the cxl-flush kthread, an overflow work, post_teardown after the
  // offline). v4 starts the kthread before it registers the flush callback
  // (convert_region_to_sysram) and stops it in post_teardown, so a
  // configuration with the driver but without the flush actor (driver,
  // swapteardown, cpusets: they leave it out to stay exhaustible) models a
  // kernel that does not exist as far as this promise goes: judged where both
  // actors are (driverflush).
  if (cfg.actors.driver && cfg.actors.flush && P >= 0) {
    out.push(leadsTo(v, 'LIVE-TEARDOWN-TERMINATES',
      'cover letter (Private Node Hotplug Lifecycle, "Teardown is the reverse"); region_sysram.c / compression.c: pre_teardown (cram_unregister_private_node: synchronize_rcu, refcount drain), offline_and_remove retries, post_teardown, free_irq',
      'a started teardown of the CXL region completes (the driver is back to not probed)',
      (k) => k.get(k.L.DRV_STATE) >= DS_UNREG_RCU,
      (k) => k.get(k.L.DRV_STATE) === DS_NONE));
  }
  for (let n = 0; n < m.g.nodes; n++) {
    if (!cfg.actors.kswapd) break;
    const node = n;
    out.push(leadsTo(v, `LIVE-KSWAPD-SLEEPS(N${node})`,
      'mm/vmscan.c: kswapd -> balance_pgdat (returns when balanced or nothing reclaimable; kswapd_failures)',
      `a woken kswapd(N${node}) finishes balance_pgdat and sleeps again`,
      (k) => k.get(k.L.NODE_KSWAPD, node) === 2,
      (k) => k.get(k.L.NODE_KSWAPD, node) !== 2));
  }
  cfg.cpus.forEach((c, cpu) => {
    const tid = m.g.cpuThread(cpu);
    // A task the OOM killer killed never finishes its program, by design
    // (oom_kill.ts clears MM_LIVE of the victim; a non-fork-child's mm is live from boot until then).
    const killed = (k: Kernel): boolean => !c.forkChild && k.get(k.L.MM_LIVE, c.mm) === 0;
    out.push(leadsTo(v, `LIVE-FAULT-RETURNS(cpu${cpu})`, FAULT_SRC,
      `cpu${cpu}'s handle_fault (cram_fault) returns`,
      (k) => k.get(k.L.THR_OP, tid) === OP_HANDLE_FAULT,
      (k) => k.get(k.L.THR_OP, tid) !== OP_HANDLE_FAULT || killed(k)));
    c.program.forEach((op, pc) => {
      if (!isAccess(op)) return;
      out.push(leadsTo(v, `LIVE-ACCESS-COMPLETES(cpu${cpu},op${pc})`, FAULT_SRC,
        `cpu${cpu}'s ${op.op}(v${op.vaddr}) (op ${pc}) that faults eventually completes (no endless refault / VM_FAULT_RETRY)`,
        (k) => k.get(k.L.THR_PC, tid) === pc && faulting(k, cpu, op),
        (k) => k.get(k.L.THR_PC, tid) > pc || killed(k)));
    });
    const len = c.program.length;
    out.push(eventually(v, `LIVE-PROGRAM-FINISHES(cpu${cpu})`,
      'the workload: every CPU\'s program is finite (the cover letter\'s promise that a write completes after handle_fault promotes the folio)',
      `cpu${cpu} runs its whole program (${len} ops), unless the OOM killer kills its task`,
      (k) => (k.get(k.L.THR_PC, tid) >= len && k.get(k.L.THR_OP, tid) === 0) || killed(k)));
  });
  return out;
}
