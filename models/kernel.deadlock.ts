// System.deadlock for the kernel model: judge a reachable state in which no
// action is enabled. It is a legitimate end when every user CPU has run its
// whole program and no kernel thread is in the middle of an operation (an op,
// a stage, a lock or a reference held across steps, a driver teardown or
// node_private_unregister half done). Otherwise it is a deadlock, and the one
// line names each waiting thread and what it waits for, found the way the
// step functions decide they cannot run (a lock another thread holds, a
// migration entry, an RCU reader, a refcount that does not drain, a thread
// free_irq / kthread_stop waits for).

import { match } from 'ts-pattern';
import { DF_NP_UNREG, DF_KTHREAD } from '../src/cxl/compression.ts';
import { DS_FREE_IRQS, DS_NONE, DS_POST, DS_PROBED, DS_UNREG_DRAIN, DS_UNREG_RCU } from '../src/cxl/region_sysram.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import {
  LK_CRAM_MUTEX, LK_DEVICE_HOTPLUG, LK_FOLIO, LK_MEM_HOTPLUG, LK_MMAP_READ, LK_MMAP_WRITE, LK_NODE_PRIVATE, LK_PTL, LK_RCU,
  PTE_MIGRATION, REF_CN, REF_CN_OLD, REF_NP, THREAD_REGS,
} from '../src/kernel/layout.ts';
import { OP_NAMES } from '../src/kernel/ops_codes.ts';
import { threadLabel } from '../src/kernel/sched.ts';
import { opLabel } from '../src/kernel/workload.ts';

const LOCKS = [[LK_PTL, 'PTL'], [LK_MMAP_READ, 'mmap_lock(r)'], [LK_MMAP_WRITE, 'mmap_lock(w)'], [LK_MEM_HOTPLUG, 'mem_hotplug_lock'], [LK_NODE_PRIVATE, 'node_private_lock'], [LK_CRAM_MUTEX, 'cram pressure mutex'], [LK_RCU, 'rcu_read_lock'], [LK_DEVICE_HOTPLUG, 'device_hotplug_lock'], [LK_FOLIO, 'folio lock']] as const;
const REFS = [[REF_NP, 'node_private ref'], [REF_CN, 'cram_node ref'], [REF_CN_OLD, 'displaced cram_node ref']] as const;

function actor(k: Kernel, t: number): string {
  return threadLabel(k.m, t, 0).actor;
}

function names(v: number, table: ReadonlyArray<readonly [number, string]>): string[] {
  return table.filter(([b]) => v & b).map(([, n]) => n);
}

/** Threads other than tid holding lock bit `lk` (and, for mm-scoped locks, on mm). */
function holdersOf(k: Kernel, tid: number, lk: number, mm?: number): string[] {
  const out: string[] = [];
  for (let t = 0; t < k.g.threads.length; t++) {
    if (t === tid || !k.has(k.L.THR_LOCKS, t, lk)) continue;
    if (mm !== undefined && Math.floor(k.get(k.L.THR_REG, t * THREAD_REGS) / k.cfg.vaddrs) !== mm) continue;
    out.push(actor(k, t));
  }
  return out;
}

function rcuReaders(k: Kernel, tid: number): string {
  const r = holdersOf(k, tid, LK_RCU);
  return `synchronize_rcu (${r.length ? `RCU readers: ${r.join(', ')}` : 'no reader left'})`;
}

/** What a user CPU that has not finished waits for, or null if it has finished. */
function cpuWait(k: Kernel, cpu: number): string | null {
  const tid = k.g.cpuThread(cpu);
  const c = k.cfg.cpus[cpu]!;
  const pc = k.get(k.L.THR_PC, tid);
  const op = k.get(k.L.THR_OP, tid);
  if (pc >= c.program.length && op === 0) return null;
  const at = pc < c.program.length ? `${opLabel(c.program[pc]!)} (op ${pc})` : 'end of program';
  if (op !== 0) return `in ${OP_NAMES[op] ?? `op ${op}`} stage ${k.get(k.L.THR_STAGE, tid)} at ${at}`;
  if (c.forkChild && !k.get(k.L.MM_LIVE, c.mm)) return `at ${at}: its task waits for the fork of mm${c.mm}`;
  // An OOM victim's task has exited: a legitimate end (src/kernel/oom_kill.ts).
  if (!k.get(k.L.MM_LIVE, c.mm)) return null;
  const ptl = holdersOf(k, tid, LK_PTL, c.mm);
  if (ptl.length) return `at ${at}: the PTL of mm${c.mm} (held by ${ptl.join(', ')})`;
  const mmap = holdersOf(k, tid, LK_MMAP_READ, c.mm);
  if (mmap.length) return `at ${at}: mmap_lock of mm${c.mm} (read-held by ${mmap.join(', ')})`;
  const next = c.program[pc];
  if (next && (next.op === 'read' || next.op === 'write')) {
    const s = c.mm * k.cfg.vaddrs + next.vaddr;
    if (k.get(k.L.PTE_KIND, s) === PTE_MIGRATION) return `at ${at}: a migration entry for pfn ${k.get(k.L.PTE_VAL, s)} (migration_entry_wait)`;
  }
  if (next?.op === 'node_private_unregister') return `at ${at}: the node_private refcount to drop / ${rcuReaders(k, tid)}`;
  return `at ${at}: blocked`;
}

/** What region r's driver thread waits for, or null when it is not in the middle of anything. */
function driverWait(k: Kernel, r: number): string | null {
  const tid = k.g.driverThreadOf(r);
  const st = k.get(k.L.DRV_STATE, r);
  const P = k.g.privateNode;
  if (k.get(k.L.DRV_FLAGS, r) & DF_NP_UNREG) return 'in node_private_unregister: the node_private refcount to drain (completion)';
  if (st === DS_NONE || st === DS_PROBED) return null;
  return match(st)
    .with(DS_UNREG_RCU, () => `in cram_unregister_private_node: ${rcuReaders(k, tid)}`)
    .with(DS_UNREG_DRAIN, () => `in cram_unregister_private_node: cram_node refcount ${k.get(k.L.CN_REFCOUNT, P)} to drain (refcount_dec_if_one retry loop)`)
    .with(DS_POST, () => `in post_teardown: kthread_stop / cancel_work_sync (${k.get(k.L.DRV_FLAGS, r) & DF_KTHREAD ? 'flush kthread or overflow work busy' : 'no kthread'})`)
    .with(DS_FREE_IRQS, () => 'in free_irq: an IRQ thread still inside cram_set_pressure (synchronize_irq)')
    .otherwise(() => `in driver stage ${st}`);
}

/** What a kernel thread (not a CPU, not the driver) waits for, or null when it is idle. */
function kthreadWait(k: Kernel, t: number): string | null {
  const op = k.get(k.L.THR_OP, t);
  const stage = k.get(k.L.THR_STAGE, t);
  const locks = k.get(k.L.THR_LOCKS, t);
  const refs = k.get(k.L.THR_REFS, t);
  if (op === 0 && stage === 0 && locks === 0 && refs === 0) return null;
  const held = [...names(locks, LOCKS), ...names(refs, REFS)];
  const others = k.g.threads.map((_, u) => u).filter((u) => u !== t && (k.get(k.L.THR_LOCKS, u) & ~LK_RCU) !== 0).map((u) => `${actor(k, u)} holds ${names(k.get(k.L.THR_LOCKS, u), LOCKS).join('+')}`);
  const what = op !== 0 ? `${OP_NAMES[op] ?? `op ${op}`} stage ${stage}` : `stage ${stage}`;
  const rcu = holdersOf(k, t, LK_RCU);
  return `in ${what}${held.length ? ` holding ${held.join(', ')}` : ''}: ${rcu.length ? `RCU readers ${rcu.join(', ')}` : others.length ? others.join('; ') : 'nothing that will signal it'}`;
}

/** System.deadlock: null for a legitimate end, else who waits for what. */
export function kernelDeadlock(k: Kernel): string | null {
  const waits: string[] = [];
  k.g.threads.forEach((r, t) => {
    const w = match(r)
      .with({ kind: 'cpu' }, (x) => cpuWait(k, x.cpu))
      .with({ kind: 'driver' }, (x) => driverWait(k, x.region))
      .otherwise(() => kthreadWait(k, t));
    if (w !== null) waits.push(`${actor(k, t)} ${w}`);
  });
  return waits.length ? `no action enabled; ${waits.join('; ')}` : null;
}
