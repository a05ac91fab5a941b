// The OOM killer's node and constraint logic with v4's NP_OPS_OOM_ELIGIBLE
// (patch 17, "mm/oom: NP_OPS_OOM_ELIGIBLE - private node OOM participation"),
// scaled down: a process is an mm, its badness is its RSS plus swap entries,
// and the kill reaps the victim's memory in the same step.
//
// Where it runs: on configurations with actors.oom, an anonymous fault whose
// allocation failed runs __alloc_pages_may_oom's out_of_memory as the
// allocator's slow path would (the fault's gfp GFP_HIGHUSER_MOVABLE has
// __GFP_FS and no __GFP_THISNODE, order 0, highest zone MOVABLE >= NORMAL, so
// every early exit of __alloc_pages_may_oom passes), then retries the
// allocation once when a victim other than current was killed. Other configs
// keep today's allocator, which gives up (nopage) where the kernel would OOM.
//
// Modelling choices (README): each task's mems_allowed is its cpuset's (the
// root's, one child's, or one of two sibling children's: src/kernel/cpuset.ts),
// oom_score_adj 0 for every task (so totalpages does not change the
// victim), no page-table pages in the badness, panic_on_oom and
// oom_kill_allocating_task off, and the oom_reaper / exit_mmap freeing of the
// victim's memory done in the kill's step (a victim thread in the middle of an
// operation is refused: the model throws rather than reap under it).

import { GFP_HIGHUSER_MOVABLE, MPOL_BIND, N_MEMORY, N_MEMORY_PRIVATE, NP_OPS_OOM_ELIGIBLE, __GFP_THISNODE } from './defs.ts';
import { hasFix } from './config.ts';
import { cpusetCurrentMemsAllowed, cpusetZoneAllowed, taskCpuset, taskInChild } from './cpuset.ts';
import { taskPolicy } from './mempolicy.ts';
import { folioNid, pageFolio } from './folio.ts';
import { zoneNode, zoneType } from './geometry.ts';
import { EV2_OOM_CPUSET, EV2_OOM_CPUSET_SKIP, EV2_OOM_MPOL_SKIP, EV2_OOM_SKIP_SHARED, EV2_OOM_UNDESERVING, event2 } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { LK_MMAP_READ, PTE_MIGRATION, PTE_PRESENT, PTE_SWAP } from './layout.ts';
import { OP_MEMCG_CHARGE } from './ops_codes.ts';
import { gfpZone } from './page_alloc.ts';
import { nodePrivateFlags } from './node_private.ts';
import { opsById } from './ops_table.ts';
import { ran } from './ran.ts';
import { nodeZonelist } from './zonelist.ts';

export const CONSTRAINT_NONE = 0;
export const CONSTRAINT_CPUSET = 1;
export const CONSTRAINT_MEMORY_POLICY = 2;
export const CONSTRAINT_MEMCG = 3;

/** struct oom_control, as far as the model has it (memcg NULL: a global OOM). */
export interface OomControl {
  /** node_zonelist(preferred nid, gfp): the failing allocation's zonelist. */
  readonly preferredNid: number;
  /** The allocation's nodemask (a mempolicy's), or null. */
  readonly nodemask: number | null;
  readonly gfp: number;
}

/** node_oom_eligible(nid): a private node counts only with both RECLAIM and DEMOTION. */
// mm/oom_kill.c: node_oom_eligible (v4 patch 17)
export function nodeOomEligible(k: Kernel, nid: number): boolean {
  if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) return true;
  // Mutant oom-eligible-ignores-flags (mutants/claims.ts): every private node is eligible.
  if (k.cfg.mutant === 'oom-eligible-ignores-flags') return true;
  return (nodePrivateFlags(k, nid) & NP_OPS_OOM_ELIGIBLE) === NP_OPS_OOM_ELIGIBLE;
}

/** zone_oom_eligible(zone, gfp) */
// mm/oom_kill.c: zone_oom_eligible (v4 patch 17)
function zoneOomEligible(k: Kernel, zone: number, gfp: number): boolean {
  if (!nodeOomEligible(k, zoneNode(zone))) return false;
  return cpusetZoneAllowed(k, zone, gfp, true);
}

/** tsk->mems_allowed of user CPU cpu's task: the child cpuset's task mask, else the root's. */
export function taskMemsAllowed(k: Kernel, cpu: number): number {
  return taskInChild(k, cpu) ? k.get(k.L.TASK_MEMS, cpu) : k.get(k.L.G_CPUSET_MEMS);
}

/**
 * oom_mems_intersect(tsk1, tsk2): an N_MEMORY node in both tasks' mems_allowed
 * that is OOM-eligible. The loop walks N_MEMORY only: a private node is never
 * N_MEMORY, so the node_oom_eligible test inside never sees one (v4's flag
 * cannot change the answer; the cpusets can). Two sibling cpusets that share
 * only an OOM-eligible private node do not intersect. The fix
 * oom-mems-intersect-private walks the private nodes too, as the function's
 * comment and constrained_alloc's totalpages count them.
 */
// mm/oom_kill.c: oom_mems_intersect (v4 patch 17)
export function oomMemsIntersect(k: Kernel, mems1: number, mems2: number): boolean {
  const walkPrivate = hasFix(k.cfg, 'oom-mems-intersect-private');
  for (let nid = 0; nid < k.g.nodes; nid++) {
    // for_each_node_state(nid, N_MEMORY)
    const inWalk = k.has(k.L.NODE_STATES, nid, N_MEMORY) || (walkPrivate && k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE));
    if (!inWalk) continue;
    if (!(mems1 & (1 << nid))) continue;
    if (!(mems2 & (1 << nid))) continue;
    if (!nodeOomEligible(k, nid)) continue;
    return true;
  }
  return false;
}

/**
 * oom_cpuset_eligible(start, oc): some thread of the candidate process (a user
 * CPU of its mm) passes: for a mempolicy-constrained OOM (oc->nodemask)
 * mempolicy_in_oom_domain, else oom_mems_intersect(current, tsk). current is
 * k.current's task (cpuset_current_mems_allowed).
 */
// mm/oom_kill.c: oom_cpuset_eligible (v4 patch 17)
export function oomCpusetEligible(k: Kernel, mm: number, nodemask: number | null): boolean {
  const cur = cpusetCurrentMemsAllowed(k);
  for (let c = 0; c < k.cfg.cpus.length; c++) {
    if (k.cfg.cpus[c]!.mm !== mm) continue;
    // Mutant oom-intersect-cpuset-effective (mutants/claims.ts): the candidate's cpuset's effective_mems instead of its mems_allowed.
    const mems = k.cfg.mutant === 'oom-intersect-cpuset-effective' ? cpusetEffectiveOf(k, c) : taskMemsAllowed(k, c);
    const ret = nodemask !== null ? mempolicyInOomDomain(k, c, nodemask) : oomMemsIntersect(k, cur, mems);
    if (ret) return true;
  }
  return false;
}

/** The mutant's reading: task_cs(tsk)->effective_mems (a private-only child's is private nodes only). */
function cpusetEffectiveOf(k: Kernel, cpu: number): number {
  const cs = taskCpuset(k, cpu);
  return cs < 0 ? k.get(k.L.G_CPUSET_MEMS) : k.get(k.L.CS_CHILD_EFF, cs);
}

/** constrained_alloc(oc): the constraint and oc->totalpages (no memcg). */
// mm/oom_kill.c: constrained_alloc (v4 patch 17)
export function constrainedAlloc(k: Kernel, oc: OomControl): { constraint: number; totalpages: number } {
  const swap = k.cfg.swapSlots;
  let totalpages = totalramPages(k) + swap;
  if (oc.gfp & __GFP_THISNODE) return { constraint: CONSTRAINT_NONE, totalpages };
  const nMemory = nodesMask(k, N_MEMORY);
  if (oc.nodemask !== null && (nMemory & ~oc.nodemask) !== 0) {
    totalpages = swap;
    for (let nid = 0; nid < k.g.nodes; nid++) if (oc.nodemask & (1 << nid)) totalpages += nodePresentPages(k, nid);
    return { constraint: CONSTRAINT_MEMORY_POLICY, totalpages };
  }
  const hi = gfpZone(oc.gfp);
  let cpusetLimited = false;
  for (const z of nodeZonelist(k, oc.preferredNid, false)) {
    if (zoneType(z) > hi) continue;
    if (oc.nodemask !== null && !(oc.nodemask & (1 << zoneNode(z)))) continue;
    if (!zoneOomEligible(k, z, oc.gfp)) cpusetLimited = true;
  }
  if (cpusetLimited) {
    totalpages = swap;
    const mems = cpusetCurrentMemsAllowed(k);
    for (let nid = 0; nid < k.g.nodes; nid++) {
      if (!(mems & (1 << nid)) || !nodeOomEligible(k, nid)) continue;
      totalpages += nodePresentPages(k, nid);
    }
    return { constraint: CONSTRAINT_CPUSET, totalpages };
  }
  return { constraint: CONSTRAINT_NONE, totalpages };
}

function nodesMask(k: Kernel, state: number): number {
  let m = 0;
  for (let nid = 0; nid < k.g.nodes; nid++) if (k.has(k.L.NODE_STATES, nid, state)) m |= 1 << nid;
  return m;
}

function nodePresentPages(k: Kernel, nid: number): number {
  let n = 0;
  for (let z = 0; z < k.g.zones; z++) if (zoneNode(z) === nid) n += k.get(k.L.ZONE_PRESENT, z);
  return n;
}

function totalramPages(k: Kernel): number {
  let n = 0;
  for (let z = 0; z < k.g.zones; z++) n += k.get(k.L.ZONE_MANAGED, z);
  return n;
}

/**
 * The folios mm maps, by head pfn, once per PTE: present PTEs and migration
 * entries (try_to_migrate leaves the mm's RSS counters alone: a page under
 * migration still counts in get_mm_rss).
 */
function mappedFolios(k: Kernel, mm: number): number[] {
  const out: number[] = [];
  for (let v = 0; v < k.cfg.vaddrs; v++) {
    const s = mm * k.cfg.vaddrs + v;
    const kind = k.get(k.L.PTE_KIND, s);
    if (kind === PTE_PRESENT || kind === PTE_MIGRATION) out.push(pageFolio(k, k.get(k.L.PTE_VAL, s)));
  }
  return out;
}

/**
 * oom_badness(p, totalpages): get_mm_rss + MM_SWAPENTS (page tables left out);
 * oom_score_adj is 0, so totalpages does not enter. The design fix
 * oom-badness-eligible-rss counts only RSS on OOM-eligible nodes.
 */
// mm/oom_kill.c: oom_badness
export function oomBadness(k: Kernel, mm: number): number {
  let points = 0;
  for (const pfn of mappedFolios(k, mm)) {
    if (hasFix(k.cfg, 'oom-badness-eligible-rss') && !nodeOomEligible(k, folioNid(k, pfn))) continue;
    points++;
  }
  for (let v = 0; v < k.cfg.vaddrs; v++) if (k.get(k.L.PTE_KIND, mm * k.cfg.vaddrs + v) === PTE_SWAP) points++;
  return points;
}

/** A process the OOM killer may consider: a live mm with a task (a user CPU). */
function oomCandidates(k: Kernel): number[] {
  const out: number[] = [];
  for (let mm = 0; mm < k.cfg.mms; mm++) if (k.get(k.L.MM_LIVE, mm) && k.cfg.cpus.some((c) => c.mm === mm)) out.push(mm);
  return out;
}

/**
 * select_bad_process(oc) over the model's processes in creation (mm) order:
 * oom_evaluate_task skips a task !oom_cpuset_eligible (not for a memcg OOM),
 * and keeps the last task with the highest badness (`points < chosen_points`
 * is skipped, equal replaces). -1: no victim.
 */
// mm/oom_kill.c: select_bad_process, oom_evaluate_task
export function selectBadProcess(k: Kernel, constraint: number, nodemask: number | null): number {
  let chosen = -1;
  let chosenPoints = -1;
  for (const mm of oomCandidates(k)) {
    // oom_evaluate_task: `if (!is_memcg_oom(oc) && !oom_cpuset_eligible(task, oc)) goto next;`
    if (constraint !== CONSTRAINT_MEMCG && !oomCpusetEligible(k, mm, nodemask)) {
      if (constraint === CONSTRAINT_MEMORY_POLICY) event2(k, EV2_OOM_MPOL_SKIP);
      else noteCpusetSkip(k, mm);
      if (k.log) k.trace(`oom_evaluate_task(mm ${mm}): !oom_cpuset_eligible, skipped`);
      continue;
    }
    const points = oomBadness(k, mm);
    if (points < chosenPoints) continue;
    chosen = mm;
    chosenPoints = points;
  }
  return chosen;
}

/**
 * mempolicy_in_oom_domain(tsk, mask): true unless the task's own (task-wide)
 * mempolicy is MPOL_BIND and its nodes do not intersect mask.
 */
// mm/mempolicy.c: mempolicy_in_oom_domain
function mempolicyInOomDomain(k: Kernel, cpu: number, mask: number): boolean {
  const pol = taskPolicy(k, cpu);
  if (pol.mode === MPOL_BIND) return (pol.nodes & mask) !== 0;
  return true;
}

/**
 * out_of_memory(oc) for a global OOM raised by thread tid in mm `current`:
 * constrained_alloc, select_bad_process, oom_kill_process. Returns the victim
 * mm, or -1 when there is none (the kernel panics "System is deadlocked on
 * memory"; the model lets the allocation fail).
 */
// mm/oom_kill.c: out_of_memory
export function outOfMemory(k: Kernel, tid: number, current: number, oc: OomControl): number {
  ran(k, 'out_of_memory');
  const { constraint } = constrainedAlloc(k, oc);
  if (constraint === CONSTRAINT_CPUSET) event2(k, EV2_OOM_CPUSET);
  const nodemask = constraint === CONSTRAINT_MEMORY_POLICY ? oc.nodemask : null;
  const victim = selectBadProcess(k, constraint, nodemask);
  if (k.log) k.trace(`out_of_memory(mm ${current}, N${oc.preferredNid}): constraint ${['NONE', 'CPUSET', 'MEMORY_POLICY'][constraint]}, victim ${victim < 0 ? 'none' : `mm ${victim} (badness ${oomBadness(k, victim)})`}`);
  if (victim < 0) return -1;
  noteVictim(k, victim);
  // The kill reaps in its step: a victim thread inside another operation (cram_fault holding
  // its PTL, a long-term pin) cannot be reaped under. The kernel would SIGKILL it and let the
  // reaper wait; the model kills no one and the allocation fails (README, the OOM row).
  if (oomVictimBusy(k, tid, victim)) {
    if (k.log) k.trace(`out_of_memory: victim mm ${victim} is inside an operation: not killed (model), the allocation fails`);
    return -1;
  }
  oomKillProcess(k, tid, victim);
  return victim;
}

/**
 * mem_cgroup_out_of_memory(memcg, gfp, 0) -> out_of_memory(oc) with oc->memcg:
 * constrained_alloc returns CONSTRAINT_MEMCG before any of v4's private-node
 * logic (NP_OPS_OOM_ELIGIBLE plays no part), select_bad_process walks the
 * memcg's tasks (mem_cgroup_scan_tasks: every user task, one memcg) with no
 * cpuset eligibility test, and the badness is the whole RSS. Returns the
 * victim mm, or -1.
 */
// mm/memcontrol.c: mem_cgroup_out_of_memory; mm/oom_kill.c: out_of_memory, constrained_alloc (is_memcg_oom)
export function outOfMemoryMemcg(k: Kernel, tid: number, current: number): number {
  ran(k, 'mem_cgroup_out_of_memory');
  const victim = selectBadProcess(k, CONSTRAINT_MEMCG, null);
  if (k.log) k.trace(`mem_cgroup_out_of_memory(mm ${current}): constraint MEMCG, victim ${victim < 0 ? 'none' : `mm ${victim} (badness ${oomBadness(k, victim)})`}`);
  if (victim < 0) return -1;
  // As in outOfMemory: a victim inside another operation is not killed (the staged charge
  // of memcg_charge_step.ts waits for it instead; the one-step charges fail).
  if (oomVictimBusy(k, tid, victim)) {
    if (k.log) k.trace(`mem_cgroup_out_of_memory: victim mm ${victim} is inside an operation: not killed (model)`);
    return -1;
  }
  oomKillProcess(k, tid, victim);
  return victim;
}

/**
 * Ghost, for INV-OOM-VICTIM: the victim's memory lies only on private nodes
 * that are not OOM-eligible (killing it relieves no pressure the cover letter
 * counts) while another candidate holds memory on an eligible node. Flags are
 * read from the state, not through the model's helpers.
 */
function noteVictim(k: Kernel, victim: number): void {
  const eligibleOf = (mm: number): { on: number; off: number } => {
    let on = 0;
    let off = 0;
    for (const pfn of mappedFolios(k, mm)) {
      const nid = folioNid(k, pfn);
      if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) on++;
      else {
        const np = k.get(k.L.NODE_NP, nid) - 1;
        const flags = np < 0 ? 0 : opsById(k, k.get(k.L.NP_OPS, np))?.flags ?? 0;
        if ((flags & NP_OPS_OOM_ELIGIBLE) === NP_OPS_OOM_ELIGIBLE) on++;
        else off++;
      }
    }
    return { on, off };
  };
  const v = eligibleOf(victim);
  if (v.on > 0 || v.off === 0) return;
  if (oomCandidates(k).some((mm) => mm !== victim && eligibleOf(mm).on > 0)) event2(k, EV2_OOM_UNDESERVING);
}

/**
 * Ghost, for INV-OOM-CPUSET-SKIP: the cpuset test (oom_mems_intersect) skipped
 * candidate mm while it holds memory on a full node that is in current's and
 * one of its threads' mems_allowed and is OOM-eligible (N_MEMORY, or private
 * with NP_OPS_OOM_ELIGIBLE: the cover letter's "reachable as normal system ram
 * storage"). Read from the state, not through the model's helpers.
 */
function noteCpusetSkip(k: Kernel, mm: number): void {
  event2(k, EV2_OOM_CPUSET_SKIP);
  const memsOf = (cpu: number): number => (k.cfg.actors.cpuset && cpu >= 0 ? k.get(k.L.TASK_MEMS, cpu) : k.get(k.L.G_CPUSET_MEMS));
  const r = k.current >= 0 ? k.g.threads[k.current] : undefined;
  const cur = memsOf(r?.kind === 'cpu' ? r.cpu : -1);
  let cand = 0;
  k.cfg.cpus.forEach((c, cpu) => {
    if (c.mm === mm) cand |= memsOf(cpu);
  });
  const eligible = (nid: number): boolean => {
    if (k.has(k.L.NODE_STATES, nid, N_MEMORY)) return true;
    if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) return false;
    const np = k.get(k.L.NODE_NP, nid) - 1;
    const flags = np < 0 ? 0 : opsById(k, k.get(k.L.NP_OPS, np))?.flags ?? 0;
    return (flags & NP_OPS_OOM_ELIGIBLE) === NP_OPS_OOM_ELIGIBLE;
  };
  // Full: no zone of the node above its min watermark. A shared node with free pages would have
  // taken current's allocation or (a private node) a demotion by direct reclaim, which the model
  // does not run before out_of_memory: the skip matters only when freeing the node is needed.
  const full = (nid: number): boolean => {
    for (let z = 0; z < k.g.zones; z++) if (zoneNode(z) === nid && k.get(k.L.ZONE_FREE, z) > k.get(k.L.ZONE_WMARK_MIN, z)) return false;
    return true;
  };
  for (const pfn of mappedFolios(k, mm)) {
    const nid = folioNid(k, pfn);
    if (cur & cand & (1 << nid) && eligible(nid) && full(nid)) {
      event2(k, EV2_OOM_SKIP_SHARED);
      return;
    }
  }
}

/**
 * oom_kill_process -> __oom_kill_process(victim): SIGKILL to every task of the
 * mm; the oom_reaper (and exit_mmap) unmap its memory. The model does both in
 * this step: each page slot is zapped and unmapped, and the mm dies (its CPUs
 * run no further op).
 */
// mm/oom_kill.c: oom_kill_process, __oom_kill_process, oom_reap_task_mm
function oomKillProcess(k: Kernel, tid: number, victim: number): void {
  if (oomVictimBusy(k, tid, victim)) throw new Error(`oom_kill_process(mm ${victim}): a thread of the victim is inside an operation (${k.cfg.cpus.map((c, i) => `cpu${i} mm${c.mm} op ${k.get(k.L.THR_OP, k.g.cpuThread(i))} locks ${k.get(k.L.THR_LOCKS, k.g.cpuThread(i))}`).join(", ")}); reaping under it is not modelled`);
  for (let v = 0; v < k.cfg.vaddrs; v++) exitMmapSlot(k, tid, victim, v);
  k.set(k.L.MM_LIVE, victim, 0);
  if (k.log) k.trace(`oom_kill_process(mm ${victim}): killed, memory reaped`);
}

/**
 * A thread of the victim (other than tid) is inside an operation the kill's
 * reap cannot run under. A fault inside a memcg charge (OP_MEMCG_CHARGE, with
 * mmap_lock for read) is not: the reaper takes mmap_lock for read too, and
 * the fault, back from the charge, finds the address space unstable
 * (check_stable_address_space: MMF_UNSTABLE) and releases its folio.
 */
export function oomVictimBusy(k: Kernel, tid: number, victim: number): boolean {
  for (let c = 0; c < k.cfg.cpus.length; c++) {
    const t = k.g.cpuThread(c);
    if (k.cfg.cpus[c]!.mm !== victim || t === tid) continue;
    if (k.get(k.L.THR_OP, t) === OP_MEMCG_CHARGE && (k.get(k.L.THR_LOCKS, t) & ~LK_MMAP_READ) === 0) continue;
    if (k.get(k.L.THR_OP, t) !== 0 || k.get(k.L.THR_LOCKS, t) !== 0 || k.get(k.L.THR_LT_PIN_STAGE, t) !== 0) return true;
  }
  return false;
}

// Set by workload.ts (which owns zap and munmap of a slot): breaks an import cycle.
let exitMmapSlot: (k: Kernel, tid: number, mm: number, vaddr: number) => void = () => {
  throw new Error('oom_kill: exit_mmap slot hook not registered');
};

/** exit_mmap of one page slot of mm (workload.ts's zap + VMA teardown), for a teardown outside the OOM killer (a failed fork). */
export function exitMmapSlotOf(k: Kernel, tid: number, mm: number, vaddr: number): void {
  exitMmapSlot(k, tid, mm, vaddr);
}

/** workload.ts hands over its munmap of one slot (zap + VMA teardown). */
export function registerExitMmapSlot(fn: (k: Kernel, tid: number, mm: number, vaddr: number) => void): void {
  exitMmapSlot = fn;
}

/** The OOM control of the anonymous fault's allocation (GFP_HIGHUSER_MOVABLE | __GFP_ZERO) under its VMA policy. */
export function anonFaultOomControl(preferredNid: number, nodemask: number | null): OomControl {
  return { preferredNid, nodemask, gfp: GFP_HIGHUSER_MOVABLE };
}
