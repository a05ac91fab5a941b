// The kernel model as an explorable System (src/explore/system.ts): the state
// is the Kernel's Uint16Array viewed as 32-bit words, the static action table
// is one action per (thread, choice) of every thread whose actor the
// configuration enables, plus the cpuset toggle. Steps run the kernel model in
// place on the successor buffer through one Kernel object that is re-pointed,
// so a transition allocates nothing beyond what the kernel model itself does.

import { StateView } from '../src/kernel/state_view.ts';
import { match } from 'ts-pattern';
import { driverProbeAtBoot } from '../src/cxl/region_sysram.ts';
import type { ActionInfo, System } from '../src/explore/system.ts';
import { boot } from '../src/kernel/boot.ts';
import type { KernelConfig } from '../src/kernel/config.ts';
import { BLOCK_ONLINE, CRAM_PRESSURE_MAX, N_CPU, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE, ZONE_NAMES } from '../src/kernel/defs.ts';
import type { ThreadRole } from '../src/kernel/geometry.ts';
import { buildMachine, Kernel, setWordRecorder, type Machine } from '../src/kernel/kernel.ts';
import {
  LK_CRAM_MUTEX, LK_DEVICE_HOTPLUG, LK_FOLIO, LK_MEM_HOTPLUG, LK_MMAP_READ, LK_MMAP_WRITE, LK_NODE_PRIVATE, LK_PTL, LK_RCU,
  PG_active, PG_anon, PG_dirty, PG_head, PG_locked, PG_lru, PG_reserved, PG_swapcache, PG_tail, PG_writeback,
  type KernelLayout, PTE_HWPOISON, PTE_MIG_WRITE, PTE_MIGRATION, PTE_PRESENT, PTE_SWAP, PTE_WRITE, REF_CN, REF_CN_OLD, REF_NP, THREAD_REGS,
} from '../src/kernel/layout.ts';
import { cpusetWriteMems } from '../src/kernel/cpuset.ts';
import { cpusetMigratePending } from '../src/kernel/cpuset_migrate_queue.ts';
import { OP_NAMES } from '../src/kernel/ops_codes.ts';
import { runThread, threadChoices, threadChoicesWithCpu, threadLabel } from '../src/kernel/sched.ts';
import { FreeWindow, freeWindowHooks, freeWindowConfigured, freeWindowThread, runThreadWithFreeWindow, unregisteringRegion } from '../src/kernel/free_window.ts';
import { kernelProperties } from '../properties/index.ts';
import { kernelLiveness } from '../properties/liveness.ts';
import { kernelDeadlock } from './kernel.deadlock.ts';
import { kernelTransitionFairness } from './kernel.fairness.ts';
import type { Fairness } from '../src/explore/system.ts';
import { kernelReachability } from '../properties/reach.ts';
import { ranReport } from '../src/kernel/ran.ts';
import { kernelSymmetry, noSymmetryReason } from '../src/kernel/symmetry.ts';
import type { InstrumentHook, SymmetryHook } from '../src/explore/system.ts';

/**
 * One entry of the static action table. 'free-window': thread tid's step with
 * `choice`, in which the driver's cram_unregister first stage lands in the
 * free path's ops window at the step's eligible free_folio hook number `at`
 * (src/kernel/free_window.ts); `base` is the index of the plain (tid, choice) action.
 */
export type KernelAction =
  | { readonly kind: 'thread'; readonly tid: number; readonly choice: number }
  | { readonly kind: 'cpuset-write'; readonly mask: number; readonly child: number }
  | { readonly kind: 'free-window'; readonly tid: number; readonly choice: number; readonly at: number; readonly base: number };

/** Which configured actor a thread role belongs to (user CPUs always run). */
function roleEnabled(cfg: KernelConfig, r: ThreadRole): boolean {
  return match(r)
    .with({ kind: 'cpu' }, () => true)
    .with({ kind: 'kswapd' }, () => cfg.actors.kswapd)
    .with({ kind: 'flush_kthread' }, { kind: 'overflow_work' }, () => cfg.actors.flush)
    .with({ kind: 'irq_lthresh' }, { kind: 'irq_hthresh' }, () => cfg.actors.device)
    .with({ kind: 'driver' }, () => cfg.actors.driver)
    .with({ kind: 'cpuset_migrate' }, () => cfg.actors.cpuset)
    .exhaustive();
}

export function kernelActions(m: Machine): KernelAction[] {
  const out: KernelAction[] = [];
  m.g.threads.forEach((r, tid) => {
    if (!roleEnabled(m.cfg, r)) return;
    const n = threadChoices(m, tid);
    for (let c = 0; c < n; c++) out.push({ kind: 'thread', tid, choice: c });
  });
  if (m.cfg.actors.cpuset) {
    const children = m.cfg.cpusetChildren?.length ?? 1;
    for (let child = 0; child < children; child++) for (const mask of cpusetWrites(m, child)) out.push({ kind: 'cpuset-write', mask, child });
  }
  // A kernel thread's steps on its other CPUs (src/kernel/kthread_cpu.ts), after every other
  // action so that the indices above are those of a configuration without the choice.
  m.g.threads.forEach((r, tid) => {
    if (!roleEnabled(m.cfg, r)) return;
    const n = threadChoices(m, tid);
    for (let c = n; c < threadChoicesWithCpu(m, tid); c++) out.push({ kind: 'thread', tid, choice: c });
  });
  // Appended, so the actions above keep their indices.
  if (freeWindowConfigured(m)) {
    const n = out.length;
    const hooks = freeWindowHooks(m);
    for (let base = 0; base < n; base++) {
      const x = out[base]!;
      if (x.kind !== 'thread' || !freeWindowThread(m, x.tid)) continue;
      for (let at = 0; at < hooks; at++) out.push({ kind: 'free-window', tid: x.tid, choice: x.choice, at, base });
    }
  }
  return out;
}

/**
 * The masks an administrator writes to child cpuset `child`'s cpuset.mems
 * (cfg.cpusetChildren[child].writes, else cfg.cpusetWrites, else): every
 * node, the DRAM nodes only (the private nodes left out), and the private
 * nodes only (a container confined to CXL memory).
 */
export function cpusetWrites(m: Machine, child = 0): number[] {
  const lists = m.cfg.cpusetChildren?.[child]?.writes ?? (child === 0 ? m.cfg.cpusetWrites : undefined);
  if (lists) return lists.map((l) => l.reduce((a, n) => a | (1 << n), 0));
  const all = (1 << m.g.nodes) - 1;
  const dram = m.cfg.nodes.reduce((a, n, i) => (n.kind === 'dram' ? a | (1 << i) : a), 0);
  return all !== dram ? [all, dram, all & ~dram] : [all];
}

/** An administrator's write of child cpuset `child`'s cpuset.mems; not enabled when it would change nothing. */
// kernel/cgroup/cpuset.c: cpuset_write_resmask -> update_nodemask
export function cpusetWriteAction(k: Kernel, mask: number, child = 0): boolean {
  if (k.get(k.L.CS_CHILD_MEMS, child) === mask) return false;
  // The previous write's schedule_flush_migrate_mm: the writer returns to user
  // space only after flush_workqueue(cpuset_migrate_mm_wq).
  if (cpusetMigratePending(k) !== 0) return false;
  const r = cpusetWriteMems(k, mask, child);
  k.trace(`${writePrefix(k.cfg, child)}cpuset.mems <- ${maskStr(mask)} = ${r}`);
  return true;
}

/** With sibling cpusets a write names its child ('cs1/'); with one child the name stays as it was. */
function writePrefix(cfg: KernelConfig, child: number): string {
  return cfg.cpusetChildren && cfg.cpusetChildren.length > 1 ? `cs${child}/` : '';
}

/**
 * The boot state of a configuration: boot(), and when no driver actor probes
 * the CXL region during the run, the probe runs at boot (the region is
 * already converted to sysram, CRAM registered).
 */
export function kernelInitial(m: Machine): Kernel {
  const k = boot(m);
  if (!m.cfg.actors.driver && m.cfg.actors.probe !== false && m.g.privateNode >= 0) {
    // drivers/cxl/core/region_sysram.c: convert_region_to_sysram, run to completion.
    driverProbeAtBoot(k);
  }
  return k;
}

function words16(state: Uint32Array, n16: number): Uint16Array {
  return new Uint16Array(state.buffer, state.byteOffset, n16);
}

/** A kernel System; `machine` is the kernel Machine its states belong to (conformance, MBT and coverage read it). */
export type KernelSystem = System & { readonly machine: Machine };

export function kernelSystem(cfg: KernelConfig): KernelSystem {
  const m = buildMachine(cfg);
  const L = m.L;
  const words = L.words16 / 2;
  const actions = kernelActions(m);
  const infos: ActionInfo[] = actions.map((a) => describeAction(m, a));
  const init = kernelInitial(m).s.slice();
  // The one Kernel the hot loop runs on, re-pointed at each successor buffer.
  const sv = new StateView(m);
  const point = (next: Uint32Array): Kernel => sv.at(next);
  const probe = new FreeWindow(-1);
  const run = (kk: Kernel, a: KernelAction): boolean =>
    match(a)
      .with({ kind: 'thread' }, (x) => runThread(kk, x.tid, x.choice))
      .with({ kind: 'cpuset-write' }, (x) => cpusetWriteAction(kk, x.mask, x.child))
      .with({ kind: 'free-window' }, (x) => runThreadWithFreeWindow(kk, x.tid, x.choice, x.at, probe).ok && probe.fired)
      .exhaustive();
  // The free window's variants re-run their thread's step. The plain action
  // (a lower index, so the engines try it first) counts the step's eligible
  // hooks; a variant whose hook number the plain run did not reach is
  // disabled without a run. Keyed by the state's contents, so only a cache.
  const windows = freeWindowConfigured(m);
  const memoKey = new Uint32Array(words);
  const memoSeen = new Int8Array(actions.length).fill(-1);
  let memoValid = false;
  const sameState = (state: Uint32Array): boolean => {
    if (!memoValid) return false;
    for (let i = 0; i < words; i++) if (memoKey[i] !== state[i]) return false;
    return true;
  };
  const countedSeen = (state: Uint32Array, base: number): number => (sameState(state) ? memoSeen[base]! : -1);
  // Written only by the drivers' own steps, so the step's prefix cannot change them (free_window.ts: freeWindowOpen).
  const driverMayUnregister = (kk: Kernel): boolean => unregisteringRegion(kk) >= 0;

  return {
    name: `kernel:${cfg.name}${cfg.mutant ? `+${cfg.mutant}` : ''}${cfg.fixes.length ? `+fix(${cfg.fixes.join(',')})` : ''}`,
    words,
    actionCount: actions.length,
    machine: m,
    initial(out: Uint32Array): void {
      words16(out, L.words16).set(init);
    },
    step(state: Uint32Array, a: number, next: Uint32Array): boolean {
      const act = actions[a];
      if (!act) return false;
      if (act.kind === 'free-window') {
        // Disabled cheaply (no copy) unless the driver is about to unregister and the plain run may have reached hook `at`.
        if (!driverMayUnregister(point(state))) return false;
        const seen = countedSeen(state, act.base);
        if (seen >= 0 && seen <= act.at) return false;
        next.set(state);
        return run(point(next), act);
      }
      next.set(state);
      const kk = point(next);
      if (!windows || act.kind !== 'thread' || !freeWindowThread(m, act.tid) || !driverMayUnregister(kk)) return run(kk, act);
      // Count the step's eligible hooks for its variants.
      if (!sameState(state)) {
        memoKey.set(state);
        memoSeen.fill(-1);
        memoValid = true;
      }
      const ok = runThreadWithFreeWindow(kk, act.tid, act.choice, -1, probe).ok;
      memoSeen[a] = ok ? probe.seen : 0;
      return ok;
    },
    describe(a: number): ActionInfo {
      return infos[a] ?? { actor: '?', name: `action#${a}` };
    },
    explain(state: Uint32Array, a: number): string[] {
      const act = actions[a];
      const info = infos[a];
      if (!act || !info) return [`action#${a}: no such action`];
      const kk = new Kernel(m, words16(state.slice(), L.words16));
      kk.log = [];
      const ok = run(kk, act);
      if (!ok) return [`${info.actor}: ${info.name}: not enabled`];
      const lines = kk.log.length ? kk.log : [info.name];
      return lines.map((l) => `${info.actor}: ${l}`);
    },
    properties: kernelProperties(m),
    liveness: kernelLiveness(m),
    transitionFairness: kernelTransitionFairness(m, (tid, choice) => {
      if (tid >= 0) return actions.findIndex((x) => x.kind === 'thread' && x.tid === tid && x.choice === choice);
      // tid -1: the administrator's cpuset.mems writes, `choice` the write's index among them
      const writes = actions.flatMap((x, i) => (x.kind === 'cpuset-write' ? [i] : []));
      return writes[choice] ?? -1;
    }),
    deadlock(state: Uint32Array): string | null {
      return kernelDeadlock(point(state));
    },
    sometimes: kernelReachability(m),
    coverage: () => ranReport(m),
    ...symmetryHook(m),
    instrument: instrumentHook(m, actions),
    render(state: Uint32Array, focus?: string): string[] {
      return renderKernel(new Kernel(m, words16(state, L.words16)), focus);
    },
  };
}

function describeAction(m: Machine, a: KernelAction): ActionInfo {
  return match(a)
    .with({ kind: 'thread' }, (x) => ({ ...threadLabel(m, x.tid, x.choice), fairness: threadFairness(m.g.threads[x.tid]!, x.choice) }))
    .with({ kind: 'cpuset-write' }, (x) => ({ actor: 'admin', name: `${writePrefix(m.cfg, x.child)}cpuset.mems <- ${maskStr(x.mask)}`, fairness: 'none' as const }))
    .with({ kind: 'free-window' }, (x) => {
      const l = threadLabel(m, x.tid, x.choice);
      // The thread's own step (its actor and fairness), with the driver's first stage inside it.
      return { actor: l.actor, name: `${l.name} [driver's cram_unregister lands in free_folio window #${x.at + 1}]`, fairness: threadFairness(m.g.threads[x.tid]!, x.choice) };
    })
    .exhaustive();
}

/**
 * The scheduler's promise to each thread (liveness only): a runnable task or
 * kthread eventually runs (weak fairness: CFS never starves a runnable task);
 * a threaded IRQ handler whose line is raised runs even if it is only
 * intermittently able to (strong fairness: an IRQ that stays raised is
 * eventually handled). An administrator's sysfs write (the sysram hotplug
 * toggle, cpuset.mems) is the environment: it may or may not happen.
 */
function threadFairness(r: ThreadRole, choice: number): Fairness {
  return match(r)
    .with({ kind: 'irq_lthresh' }, { kind: 'irq_hthresh' }, (): Fairness => 'strong')
    // The driver's steps: the kernel's part is a weakly fair transition group, the administrator's finite (kernel.fairness.ts).
    .with({ kind: 'driver' }, (): Fairness => 'none')
    .with({ kind: 'cpu' }, { kind: 'kswapd' }, { kind: 'flush_kthread' }, { kind: 'overflow_work' }, { kind: 'cpuset_migrate' }, (): Fairness => 'weak')
    .exhaustive();
}

// ---- rendering -----------------------------------------------------------

function maskStr(mask: number): string {
  const out: number[] = [];
  for (let n = 0; mask >> n; n++) if (mask & (1 << n)) out.push(n);
  return `{${out.join(',')}}`;
}

function bits(v: number, names: ReadonlyArray<readonly [number, string]>): string {
  const s = names.filter(([b]) => v & b).map(([, n]) => n);
  return s.length ? s.join('|') : '-';
}

const NODE_STATE_NAMES = [[N_ONLINE, 'online'], [N_MEMORY, 'N_MEMORY'], [N_MEMORY_PRIVATE, 'N_MEMORY_PRIVATE'], [N_CPU, 'N_CPU']] as const;
const PG_NAMES = [[PG_head, 'head'], [PG_tail, 'tail'], [PG_lru, 'lru'], [PG_locked, 'locked'], [PG_anon, 'anon'], [PG_swapcache, 'swapcache'], [PG_dirty, 'dirty'], [PG_writeback, 'writeback'], [PG_active, 'active'], [PG_reserved, 'reserved']] as const;
const LK_NAMES = [[LK_PTL, 'PTL'], [LK_MMAP_READ, 'mmap_r'], [LK_MMAP_WRITE, 'mmap_w'], [LK_MEM_HOTPLUG, 'mem_hotplug'], [LK_NODE_PRIVATE, 'node_private_lock'], [LK_CRAM_MUTEX, 'cram_mutex'], [LK_RCU, 'rcu'], [LK_DEVICE_HOTPLUG, 'device_hotplug'], [LK_FOLIO, 'folio_lock']] as const;
const REF_NAMES = [[REF_NP, 'np'], [REF_CN, 'cn'], [REF_CN_OLD, 'old cn']] as const;
const KSWAPD = ['none', 'sleeping', 'woken'] as const;
const CN_STATES = ['none', 'published', 'draining', 'freed'] as const;

function pteStr(k: Kernel, L: KernelLayout, i: number): string {
  const kind = k.get(L.PTE_KIND, i);
  const fl = k.get(L.PTE_FLAGS, i);
  const val = k.get(L.PTE_VAL, i);
  return match(kind)
    .with(PTE_PRESENT, () => `pfn ${val}${fl & PTE_WRITE ? ' rw' : ' ro'}`)
    .with(PTE_MIGRATION, () => `migration(pfn ${val}${fl & PTE_MIG_WRITE ? ', w' : ''})`)
    .with(PTE_SWAP, () => `swap(${val})`)
    .with(PTE_HWPOISON, () => `hwpoison(pfn ${val})`)
    .otherwise(() => 'none');
}

/** Compact multi-line view of what a reviewer needs: nodes, zones, P's folios and their PTEs, CRAM, device, buffers, busy threads. */
export function renderKernel(k: Kernel, focus?: string): string[] {
  const L = k.L;
  const out: string[] = [];
  if (focus) out.push(`[${focus}]`);
  for (let n = 0; n < k.g.nodes; n++) {
    const np = k.get(L.NODE_NP, n);
    out.push(`node ${n} (${k.cfg.nodes[n]!.kind}): ${bits(k.get(L.NODE_STATES, n), NODE_STATE_NAMES)} private=${k.get(L.NODE_PRIVATE, n)} np=${np ? `np${np - 1}` : 'NULL'} kswapd=${KSWAPD[k.get(L.NODE_KSWAPD, n)] ?? '?'} demotes-to=${maskStr(k.get(L.NODE_DEMOTION_TARGETS, n))}`);
    for (let t = 0; t < ZONE_NAMES.length; t++) {
      const z = n * ZONE_NAMES.length + t;
      const managed = k.get(L.ZONE_MANAGED, z);
      if (managed === 0 && k.get(L.ZONE_PRESENT, z) === 0) continue;
      out.push(`  ${ZONE_NAMES[t]}: managed ${managed} free ${k.get(L.ZONE_FREE, z)} wmark ${k.get(L.ZONE_WMARK_MIN, z)}/${k.get(L.ZONE_WMARK_LOW, z)}/${k.get(L.ZONE_WMARK_HIGH, z)} boost ${k.get(L.ZONE_BOOST, z)}${k.get(L.ZONE_BOOSTED, z) ? ' BOOSTED' : ''}`);
    }
  }
  const blocks = k.g.blocks.map((b, i) => `${i}:N${b.node}:${['absent', 'offline', 'online'][k.get(L.BLOCK_STATE, i)]}${k.get(L.BLOCK_PRIVATE_NP, i) ? '(np)' : ''}`);
  out.push(`blocks: ${blocks.join(' ')}`);
  for (let s = 0; s < L.NP_REFCOUNT.len; s++) {
    out.push(`np${s}: refcount ${k.get(L.NP_REFCOUNT, s)} ops ${k.get(L.NP_OPS, s)} migration_blocked ${k.get(L.NP_MIGRATION_BLOCKED, s)}${k.get(L.GH_NP_UNREG_OPS, s) ? ' (unregistered)' : ''}`);
  }
  for (let n = 0; n < k.g.nodes; n++) {
    const st = k.get(L.CN_STATE, n);
    if (st === 0) continue;
    const p = k.get(L.CN_PRESSURE, n);
    out.push(`cram_node N${n}: ${CN_STATES[st]} refcount ${k.get(L.CN_REFCOUNT, n)} pressure ${p}${p >= CRAM_PRESSURE_MAX ? ' (blocked)' : ''}`);
  }
  const priv = k.g.privateNode;
  if (priv >= 0) {
    out.push(`device: used ${k.get(L.DEV_USED)}/${k.cfg.device.physUnits} level ${k.get(L.DEV_LEVEL) ? 'high' : 'low'} irq ${k.get(L.DEV_IRQ)} used-at-block ${k.get(L.GH_USED_AT_BLOCK)}`);
    for (let pfn = 0; pfn < k.g.pfns; pfn++) {
      if (k.cfg.nodes[k.g.pfnNode[pfn]!]!.kind !== 'private' || k.get(L.BLOCK_STATE, k.g.pfnBlock[pfn]!) !== BLOCK_ONLINE) continue;
      const fl = k.get(L.PG_FLAGS, pfn);
      const buddy = k.get(L.PG_BUDDY, pfn);
      const c = k.get(L.PG_CONTENT, pfn);
      const ref = k.get(L.PG_REF, pfn);
      if (!(fl & PG_head) && ref === 0 && c === 0 && !k.get(L.PG_FLUSH_BIT, pfn)) continue;
      const maps: string[] = [];
      for (let i = 0; i < k.cfg.mms * k.cfg.vaddrs; i++) {
        const kind = k.get(L.PTE_KIND, i);
        if ((kind === PTE_PRESENT || kind === PTE_MIGRATION) && k.get(L.PTE_VAL, i) === pfn) maps.push(`mm${Math.floor(i / k.cfg.vaddrs)}.v${i % k.cfg.vaddrs}=${pteStr(k, L, i)}`);
      }
      out.push(`  P pfn ${pfn}: ${buddy ? `buddy(order ${buddy - 1}) ` : ''}ref ${ref} map ${k.get(L.PG_MAPCOUNT, pfn)} ${bits(fl, PG_NAMES)} content ${c} expect ${k.get(L.GH_EXPECT, pfn) - 1} flush_bit ${k.get(L.PG_FLUSH_BIT, pfn)} alloc ${k.get(L.GH_ALLOC, pfn)}${maps.length ? ` ptes ${maps.join(' ')}` : ''}`);
    }
    for (let b = 0; b < k.g.flushBufs; b++) {
      const len = k.get(L.BUF_LEN, b);
      if (len === 0) continue;
      const ents: number[] = [];
      for (let i = 0; i < len; i++) ents.push(k.get(L.BUF_ENT, b * k.cfg.driver.bufMax + i) - 1);
      out.push(`flush buf ${b}: [${ents.map((p) => `pfn ${p}`).join(', ')}]`);
    }
    for (let r = 0; r < k.g.compRegions; r++) {
      const C = k.cfg.cpus.length;
      const cpuBufs = k.cfg.cpus.map((_, c) => `cpu${c} active ${k.get(L.CPU_BUF_ACTIVE, r * C + c) - 1} overflow ${k.get(L.CPU_BUF_OVERFLOW, r * C + c) - 1} spare ${k.get(L.CPU_BUF_SPARE, r * C + c) - 1}${k.get(L.CPU_OVERFLOW_PENDING, r * C + c) ? ' overflow-pending' : ''}`);
      out.push(`flush ctx${r ? ` (region ${r + 1})` : ''}: drv state ${k.get(L.DRV_STATE, r)} ${cpuBufs.join('; ')}`);
    }
  }
  for (let mm = 0; mm < k.cfg.mms; mm++) {
    if (!k.get(L.MM_LIVE, mm)) continue;
    const ptes: string[] = [];
    for (let v = 0; v < k.cfg.vaddrs; v++) {
      const i = mm * k.cfg.vaddrs + v;
      if (k.get(L.PTE_KIND, i) !== 0) ptes.push(`v${v}=${pteStr(k, L, i)}`);
    }
    out.push(`mm${mm}: ${ptes.length ? ptes.join(' ') : 'no PTEs'}`);
  }
  k.g.threads.forEach((_, t) => {
    const op = k.get(L.THR_OP, t);
    const locks = k.get(L.THR_LOCKS, t);
    const refs = k.get(L.THR_REFS, t);
    const info = threadLabel(k.m, t, 0);
    const pc = k.get(L.THR_PC, t);
    if (op === 0 && locks === 0 && refs === 0 && pc === 0) return;
    const regs: number[] = [];
    for (let r = 0; r < THREAD_REGS; r++) regs.push(k.get(L.THR_REG, t * THREAD_REGS + r));
    out.push(`${info.actor}: pc ${pc} op ${OP_NAMES[op] ?? op} stage ${k.get(L.THR_STAGE, t)} regs [${regs.join(',')}] locks ${bits(locks, LK_NAMES)} refs ${bits(refs, REF_NAMES)}`);
  });
  const ev = k.get(L.GH_EVENTS);
  if (ev) out.push(`ghost events: 0x${ev.toString(16)}`);
  return out;
}

/** The kernel's symmetry (src/kernel/symmetry.ts) as the System hook: the least image under every permutation, compared word by word. */
function symmetryHook(m: Machine): { symmetry?: SymmetryHook; noSymmetry?: string } {
  const sym = kernelSymmetry(m);
  if (!sym) return { noSymmetry: noSymmetryReason(m.cfg) ?? 'none declared' };
  const n16 = m.L.words16;
  const img = new Uint16Array(n16);
  const orig = new Uint16Array(n16);
  const perms = sym.perms.slice(1); // the identity is perms[0]
  return {
    symmetry: {
      description: sym.description,
      canonicalize(state: Uint32Array, out: Uint32Array): void {
        // out may be state: permute a copy of the original.
        orig.set(words16(state, n16));
        const o = words16(out, n16);
        o.set(orig);
        for (const p of perms) {
          sym.apply(orig, p, img);
          let i = 0;
          while (i < n16 && img[i] === o[i]) i++;
          if (i < n16 && img[i]! < o[i]!) o.set(img);
        }
      },
      images(state: Uint32Array): Uint32Array[] {
        const src = words16(state, n16).slice();
        return perms.map((p) => {
          const out = new Uint32Array(state.length);
          sym.apply(src, p, words16(out, n16));
          return out;
        });
      },
    },
  };
}

/**
 * Access instrumentation (partial-order reduction, src/explore/por.ts): the
 * access words are the kernel's 16-bit fields; an actor is a thread (the
 * cpuset administrator is one more); a transition group is one thread at one
 * (op, stage, pc) taking one choice. Fields indexed by thread, by mm page
 * slot or by CPU keep their index (different threads', mms' and CPUs' words
 * are different words); every other field (pfns, zones, nodes, swap slots,
 * flush buffers, globals) is widened to the whole field, because which pfn or
 * slot an actor touches next depends on allocation, not on the actor.
 */
function instrumentHook(m: Machine, actions: readonly KernelAction[]): InstrumentHook {
  const L = m.L;
  const fieldOf = new Int32Array(L.words16).fill(-1);
  L.fields.forEach((f, fi) => {
    for (let i = 0; i < f.len; i++) fieldOf[f.off + i] = fi;
  });
  const perIndex = new Set<string>(['THR_OP', 'THR_STAGE', 'THR_PC', 'THR_REG', 'THR_LOCKS', 'THR_REFS', 'MM_LIVE',
    'VMA_FLAGS', 'VMA_FILE', 'VMA_PGOFF', 'VMA_POL_MODE', 'VMA_POL_NODES', 'VMA_POL_FLAGS', 'PTE_KIND', 'PTE_FLAGS', 'PTE_VAL', 'GH_LAST_WRITE', 'VMA_POL_HOME',
    'CPU_BUF_ACTIVE', 'CPU_BUF_OVERFLOW', 'CPU_BUF_SPARE', 'CPU_OVERFLOW_PENDING']);
  const T = m.g.threads.length;
  return {
    accessWords: L.words16,
    wordName(w: number): string {
      const f = L.fields[fieldOf[w]!];
      return f ? `${f.name}[${w - f.off}]` : `word ${w}`;
    },
    widen(w: number): { readonly from: number; readonly to: number } {
      const f = L.fields[fieldOf[w]!];
      if (!f || perIndex.has(f.name)) return { from: w, to: w + 1 };
      return { from: f.off, to: f.off + f.len };
    },
    actor(a: number): number {
      const x = actions[a];
      // A free-window variant is its thread's step (which also runs the driver's first stage: its footprint says so).
      return x && (x.kind === 'thread' || x.kind === 'free-window') ? x.tid : T;
    },
    group(state: Uint32Array, a: number): string {
      const x = actions[a];
      if (!x || x.kind === 'cpuset-write') return 'cpuset';
      const s16 = words16(state, L.words16);
      const t = x.tid;
      const w = x.kind === 'free-window' ? `.w${x.at}` : '';
      return `t${t}${w}.c${x.choice}.op${s16[L.THR_OP.off + t]}.st${s16[L.THR_STAGE.off + t]}.pc${s16[L.THR_PC.off + t]}`;
    },
    install(rec) {
      setWordRecorder(rec);
    },
  };
}
