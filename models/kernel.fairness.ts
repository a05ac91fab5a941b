// Fairness finer than per actor (System.transitionFairness, liveness only).
// While a user CPU's program is at a load/store, each of its steps taken
// while that access's PTE is present belongs, by the
// CPU's program point, to a strongly fair transition group of its own:
//   'cpuN (instruction, folio off P)': the CPU (out of any fault) executes
//     the load/store: it lands, or takes a core-mm fault (do_wp_page);
//   'cpuN (cram_fault F5, folio off P)', 'cpuN (cram_fault F6, folio off P)':
//     the tail of cram_fault after its promotion (migrate_pages, F4) moved
//     the folio to DRAM: put back what failed, return;
//   'cpuN (handle_fault, folio off P)': any other handle_fault step;
//   'cpuN (instruction, folio on P)': the CPU executes the load/store with a
//     present PTE to a folio on P (a read lands; a write enters handle_fault:
//     the retry after do_swap_page mapped a swap-cache folio that lives on P);
// and 'cpuN (access completes)': the load/store lands (pc advances), from
// any state.
// A GUP op (gup.ts: get_user_pages / pin_user_pages / get_user_pages_remote)
// and a long-term pin (gup_longterm.ts) are accesses too: their page is the
// op's PTE (the target mm's for a remote GUP), and 'access completes' is the
// pass whose follow_page_pte finds the page. mm/gup.c: __get_user_pages runs
// follow_page_mask again right after faultin_page returns 0 ("goto retry",
// only a cond_resched in between; __gup_longterm_locked's -EAGAIN loop the
// same after migrating the folio), with the PTE the fault installed still
// young: the same race, with the same answer, as the retried instruction.
// Why. A load/store that faults returns from the exception and the CPU
// re-executes the same instruction at once (arch/x86/mm/fault.c:
// handle_page_fault returns to the faulting RIP); no kernel code of that CPU
// runs in between. The model makes the retry a separate step (workload.ts) so
// other CPUs can act in the window, which is right for safety (the window is
// real). But with only per-actor weak fairness a scheduler may put kswapd in
// that window every time, for ever: reclaim or demote the folio between the
// fault that installed its PTE and the retried access (the reclaim-thrash and
// promote/demote ping-pong lassos of counterexamples/liveness/model/). The
// CPU "steps" in such a cycle (its faults), so weak fairness of cpuN is met.
//
// The kernel does not do that. The PTE a fault installs is young
// (mm/memory.c: do_anonymous_page / set_pte_range -> pte_sw_mkyoung, x86's
// vm_page_prot has _PAGE_ACCESSED; do_swap_page's mk_pte likewise;
// mm/migrate.c: remove_migration_pte keeps the entry's young bit), and
// shrink_folio_list -> folio_check_references (mm/vmscan.c) keeps a folio
// whose PTE is young (folio_referenced clears the bit and sets
// PG_referenced: FOLIOREF_KEEP), before both reclaim and the demotion pass.
// Only a second scan that finds the PTE still old reclaims or demotes it:
// kswapd would have to age the folio through a whole LRU pass inside the few
// hundred cycles between the fault's return and the retried instruction, and
// do so every time. Modelling the young bit and PG_referenced alone would not
// remove the lassos (kswapd can still take both scans inside the window; a
// window the model cannot shorten) and would add two bits per PTE and folio
// to every safety run; the immediacy of the retry is what the kernel relies
// on. So: a CPU whose access is able to complete infinitely often completes
// it (strong fairness of "cpuN (access completes)"). The other groups are
// the same race one step earlier: cram_fault promotes with the PTE read-only
// (remove_migration_pte restores the write-protected entry), returns (F5,
// F6: folio_putback_lru of failures, cond_resched, put_cram_node), the store
// is retried, takes do_wp_page (wp_page_reuse) and is retried again, all back
// to back. kswapd isolating, unmapping and copying the folio back to P inside
// one of those windows, every time, is the same conspiracy (the lassos found
// with the access group alone, counterexamples/liveness/model/README.md).
// They are separate groups, one per program point, because one group for the
// whole chain is discharged by its first step (F5 taken while the folio is in
// DRAM, then kswapd demotes before F6) without the access ever landing. A
// livelock in which the kernel never leaves the folio where the access can
// land (an endless
// VM_FAULT_RETRY, a handle_fault that resolves nothing, a promotion that
// never succeeds) still violates LIVE-ACCESS-COMPLETES: no rung is then ever
// reachable, and nothing is owed.

import type { TransitionFairness } from '../src/explore/system.ts';
import type { Kernel, Machine } from '../src/kernel/kernel.ts';
import { PTE_PRESENT, PTE_PROTNONE, PTE_WRITE } from '../src/kernel/layout.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE, OP_KSWAPD_PUTBACK, OP_MEMCG_CHARGE } from '../src/kernel/ops_codes.ts';
import { kswapdIdle, nodePfnRange } from '../src/kernel/vmscan.ts';
import { gupFollowFindsPage, gupTargetMm } from '../src/kernel/gup.ts';
import { pinLookupFindsPage } from '../src/kernel/gup_longterm.ts';
import { StateView } from '../src/kernel/state_view.ts';
import { F5, F6 } from '../src/cram/cram.ts';
import { DF_NP_UNREG, DF_OFFLINING } from '../src/cxl/compression.ts';
import { DS_NONE, DS_PROBED } from '../src/cxl/region_sysram.ts';
import { cpuRemovesRegionB, RB_OFFLINING } from '../src/cxl/region_b.ts';

/** The system's action index of a thread's choice (tid -1: the choice-th cpuset.mems write), or -1. */
export type ActionOf = (tid: number, choice: number) => number;

/** Where the CPU's thread is: executing its instruction, or a handle_fault stage. */
const POINTS = [
  { name: 'instruction, folio off P', onP: false, at: (op: number, _stage: number) => op !== OP_HANDLE_FAULT },
  { name: 'cram_fault F5, folio off P', onP: false, at: (op: number, stage: number) => op === OP_HANDLE_FAULT && stage === F5 },
  { name: 'cram_fault F6, folio off P', onP: false, at: (op: number, stage: number) => op === OP_HANDLE_FAULT && stage === F6 },
  { name: 'handle_fault, folio off P', onP: false, at: (op: number, stage: number) => op === OP_HANDLE_FAULT && stage !== F5 && stage !== F6 },
  { name: 'instruction, folio on P', onP: true, at: (op: number, _stage: number) => op !== OP_HANDLE_FAULT },
] as const;

export function kernelTransitionFairness(m: Machine, actionOf: ActionOf): TransitionFairness[] {
  return [...cpuFairness(m, actionOf), ...lruFairness(m, actionOf), ...environmentFairness(m, actionOf), ...lockWaitFairness(m, actionOf)];
}

/**
 * A kernel thread inside a staged migrate_pages batch (kswapd's demotion,
 * the offline's do_migrate_range: the driver's or region B's remover's) waits, between its steps, only for a PTL
 * another thread holds (try_to_migrate -> page_vma_mapped_walk spins on it:
 * src/kernel/migrate_batch.ts batchStepBusy) or for its CPU (an overflow
 * work's IRQs-off section). Its step is then enabled exactly when the lock is
 * free, so weak fairness owes it nothing while another CPU takes and drops
 * the PTL in a loop (a fault refaulting into cram_fault on the folio the
 * offline isolated: `cpusets` as posted, a 16 + 6 lasso before this). The
 * PTL is a queued spinlock (kernel/locking/qspinlock.c: MCS queue, FIFO): a
 * waiter gets the lock at the next release, before the holder can take it
 * again. So the batch's steps are strongly fair ('... waits for a PTL'): a
 * step enabled infinitely often is taken.
 */
function lockWaitFairness(m: Machine, actionOf: ActionOf): TransitionFairness[] {
  const out: TransitionFairness[] = [];
  const v = new StateView(m);
  // kswapd's staged demotion, and its reclaim waiting in shrink_folio_list's rmap walk (DM_FINISH), wait the same way.
  for (let nid = 0; nid < m.g.nodes; nid++) {
    const tid = m.g.kswapdThread(nid);
    const a = actionOf(tid, 0);
    if (a < 0) continue;
    out.push({ name: `kswapd(N${nid}) demote_folio_list (waits for a PTL: qspinlock)`, fairness: 'strong', actions: [a], has: (state) => v.at(state).get(m.L.THR_OP, tid) === OP_KSWAPD_DEMOTE });
  }
  for (let r = 0; r < m.g.compRegions; r++) {
    const step = actionOf(m.g.driverThreadOf(r), 0);
    if (step < 0) continue;
    out.push({ name: `driver${r ? r + 1 : ''} offline_pages (waits for a PTL: qspinlock)`, fairness: 'strong', actions: [step], has: (state) => (v.at(state).get(m.L.DRV_FLAGS, r) & DF_OFFLINING) !== 0 });
  }
  // Region B's release (a CPU inside cxl_mempolicy_remove) runs the same offline rounds.
  for (let cpu = 0; cpu < m.cfg.cpus.length; cpu++) {
    if (!cpuRemovesRegionB(m, cpu)) continue;
    const a = actionOf(m.g.cpuThread(cpu), 0);
    if (a >= 0) out.push({ name: `cpu${cpu} offline_pages of region B (waits for a PTL: qspinlock)`, fairness: 'strong', actions: [a], has: (state) => (v.at(state).get(m.L.RB_FLAGS) & RB_OFFLINING) !== 0 });
  }
  return out;
}

/**
 * LRU order. kswapd's choice c scans the node's c-th pfn (src/kernel/vmscan.ts):
 * the model has no LRU list, so without more a fair kswapd may rescan one folio
 * it cannot reclaim (no swap slot: shrink_folio_list keeps it) for ever while
 * another, reclaimable folio waits. The kernel scans an LRU from its tail
 * (isolate_lru_folios) and puts a kept folio back at the head
 * (activate_locked / folio_putback_lru), so every folio on the list comes up
 * in turn: each kswapd scan of one pfn is a strongly fair group ('kswapd(Nn)
 * scans pfn p': a folio kswapd can scan infinitely often is scanned).
 */
function lruFairness(m: Machine, actionOf: ActionOf): TransitionFairness[] {
  const out: TransitionFairness[] = [];
  const v = new StateView(m);
  for (let nid = 0; nid < m.g.nodes; nid++) {
    const tid = m.g.kswapdThread(nid);
    const { first, n } = nodePfnRange(m, nid);
    for (let c = 0; c < n; c++) {
      const a = actionOf(tid, c);
      if (a < 0) continue;
      out.push({
        name: `kswapd(N${nid}) scans pfn ${first + c}`,
        fairness: 'strong',
        actions: [a],
        // Choice 0 is also kswapd going to sleep and the steps of demote_folio_list and move_folios_to_lru: only its scans count.
        has: c > 0 ? () => true : (state) => {
          const op = v.at(state).get(m.L.THR_OP, tid);
          return op !== OP_KSWAPD_DEMOTE && op !== OP_KSWAPD_PUTBACK && !kswapdIdle(v.at(state), nid);
        },
      });
    }
  }
  return out;
}

function cpuFairness(m: Machine, actionOf: ActionOf): TransitionFairness[] {
  const v = new StateView(m);
  const out: TransitionFairness[] = [];
  m.cfg.cpus.forEach((c, cpu) => {
    const a = actionOf(m.g.cpuThread(cpu), 0);
    if (a < 0) return;
    const tid = m.g.cpuThread(cpu);
    /** The PTE slot of the access (load/store, GUP, long-term pin) the CPU's program is at, or -1. */
    const accessSlot = (k: Kernel): number => {
      const op = c.program[k.get(k.L.THR_PC, tid)];
      if (!op) return -1;
      if (op.op === 'read' || op.op === 'write' || op.op === 'pin_user_pages') return c.mm * m.cfg.vaddrs + op.vaddr;
      if (op.op === 'gup') return gupTargetMm(op, c.mm) * m.cfg.vaddrs + op.vaddr;
      return -1;
    };
    /** The access's PTE is present: on the private node (true) or off it (false, what a promotion achieves); null if not present. */
    const onP = (k: Kernel, s: number): boolean | null => {
      const L = k.L;
      if (k.get(L.PTE_KIND, s) !== PTE_PRESENT || k.has(L.PTE_FLAGS, s, PTE_PROTNONE)) return null;
      return m.cfg.nodes[m.g.pfnNode[k.get(L.PTE_VAL, s)]!]!.kind === 'private';
    };
    for (const p of POINTS) {
      out.push({
        name: `cpu${cpu} (${p.name})`,
        fairness: 'strong',
        actions: [a],
        has: (state) => {
          const k = v.at(state);
          const s = accessSlot(k);
          return s >= 0 && p.at(k.get(k.L.THR_OP, tid), k.get(k.L.THR_STAGE, tid)) && onP(k, s) === p.onP;
        },
      });
    }
    // Inside a memcg charge (memcg_charge_step.ts) a step waits only for a PTL another thread
    // holds (the rmap walk of shrink_folio_list; a qspinlock serves its waiters in order) or for an
    // OOM victim between two of its operations: a charge step enabled again and again is taken.
    out.push({
      name: `cpu${cpu} (memcg charge)`,
      fairness: 'strong',
      actions: [a],
      has: (state) => v.at(state).get(m.L.THR_OP, tid) === OP_MEMCG_CHARGE,
    });
    out.push({
      name: `cpu${cpu} (access completes)`,
      fairness: 'strong',
      actions: [a],
      // workload.ts: userLoad / userStore through a PTE that permits the access;
      // gup.ts / gup_longterm.ts: the GUP pass whose follow_page_pte finds the page
      has: (state) => {
        const k = v.at(state);
        const s = accessSlot(k);
        if (s < 0 || k.get(k.L.THR_OP, tid) === OP_HANDLE_FAULT) return false;
        const op = c.program[k.get(k.L.THR_PC, tid)]!;
        if (op.op === 'gup') return gupFollowFindsPage(k, c.mm, op);
        if (op.op === 'pin_user_pages') return pinLookupFindsPage(k, tid, c.mm, op.vaddr, op.write ?? false);
        if (op.op !== 'read' && op.op !== 'write') return false;
        const fl = k.get(k.L.PTE_FLAGS, s);
        return k.get(k.L.PTE_KIND, s) === PTE_PRESENT && !(fl & PTE_PROTNONE) && (op.op === 'read' || (fl & PTE_WRITE) !== 0);
      },
    });
  });
  return out;
}

/**
 * The environment: an administrator binding and unbinding the CXL driver
 * (the driver's choice 0 when it starts a probe or a teardown), writing the
 * sysram `hotplug` attribute (choice 1), signalling the task that tears down
 * (choice 2), rewriting cpuset.mems. It may act any number of times, but
 * finitely often in one behaviour ('finite': no fair cycle repeats it): a
 * kernel promise that only an administrator rebinding the driver for ever can
 * defeat (a fault that lands in every registered window, a pressure state a
 * re-probe resets each time) is the administrator's doing, not the kernel's.
 * Once started, a probe or teardown is the kernel's work, weakly fair like
 * every kernel thread ('driver (probe/teardown under way)').
 */
function environmentFairness(m: Machine, actionOf: ActionOf): TransitionFairness[] {
  const out: TransitionFairness[] = [];
  const cpuset: number[] = [];
  for (let c = 0; actionOf(-1, c) >= 0; c++) cpuset.push(actionOf(-1, c));
  if (cpuset.length > 0) out.push({ name: 'admin (cpuset.mems)', fairness: 'finite', actions: cpuset, has: () => true });
  // A signal to the task unbinding region B (choice 2 of its CPU, src/cxl/region_b.ts): the administrator's.
  for (let cpu = 0; cpu < m.cfg.cpus.length; cpu++) {
    const a = cpuRemovesRegionB(m, cpu) ? actionOf(m.g.cpuThread(cpu), 2) : -1;
    if (a >= 0) out.push({ name: `admin (signal to cpu${cpu}'s task)`, fairness: 'finite', actions: [a], has: () => true });
  }
  const v = new StateView(m);
  // Each compression region's driver instance (`cram2` has two: driver, driver2).
  for (let r = 0; r < m.g.compRegions; r++) {
    const tid = m.g.driverThreadOf(r);
    const step = actionOf(tid, 0);
    if (step < 0) continue;
    const who = r === 0 ? 'driver' : `driver${r + 1}`;
    /** The driver's choice 0 here starts a probe (bind) or a teardown (unbind): the administrator's decision. */
    const decides = (state: Uint32Array): boolean => {
      const k = v.at(state);
      const s = k.get(k.L.DRV_STATE, r);
      return (s === DS_NONE || s === DS_PROBED) && (k.get(k.L.DRV_FLAGS, r) & (DF_OFFLINING | DF_NP_UNREG)) === 0;
    };
    const admin = [step, actionOf(tid, 1), actionOf(tid, 2)].filter((a) => a >= 0);
    out.push({ name: `admin (bind/unbind, sysfs hotplug, signal${r ? ` of ${who}` : ''})`, fairness: 'finite', actions: admin, has: (state, a) => a !== step || decides(state) });
    out.push({ name: `${who} (probe/teardown under way)`, fairness: 'weak', actions: [step], has: (state) => !decides(state) });
  }
  return out;
}
