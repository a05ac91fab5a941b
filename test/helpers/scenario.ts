// Build a machine with workload programs, boot it (optionally with the
// private node P hot-added and an ops table set, as the CXL driver does), and
// run named thread steps. Built on test/helpers/machines.ts (SEMANTICS 3.3
// worked example: D0 = N0 (pfns 0-15), D1 = N1 (16-23), P = N2 (24-31)).

import type { KernelConfig, ProgramOp } from '../../src/kernel/config.ts';
import { boot } from '../../src/kernel/boot.ts';
import { MMOP_ONLINE_MOVABLE } from '../../src/kernel/defs.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { addPrivateMemoryDriverManaged } from '../../src/kernel/memory_hotplug.ts';
import { memoryTierRefreshDemotion } from '../../src/kernel/memory_tiers.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { cramRegisterPrivateNode } from '../../src/cram/cram.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { PTE_PRESENT } from '../../src/kernel/layout.ts';
import { exampleConfig, nodeBlocks, P, type MachineOpts } from './machines.ts';

export { D0, D1, P } from './machines.ts';

export interface ScenarioOpts extends MachineOpts {
  /** Program of each CPU (cpu0 on D0, cpu1 on D1, both in mm 0 unless mms says otherwise). */
  readonly programs?: readonly (readonly ProgramOp[])[];
  /** mm of each CPU (default 0). */
  readonly cpuMms?: readonly number[];
  readonly mms?: number;
  readonly vaddrs?: number;
  /** Hot-add P and set this ops table ('cram' = cram_register_private_node); null = no P. Default null. */
  readonly pOps?: string | null;
  /** With pOps 'cram': register a flush callback (the compression driver's). Default false. */
  readonly flushCb?: boolean;
  readonly fixes?: readonly string[];
  readonly swapSlots?: number;
  readonly contentValues?: number;
  readonly numaDemotionEnabled?: boolean;
  readonly choices?: Readonly<Record<string, string>>;
}

export function scenarioConfig(o: ScenarioOpts = {}): KernelConfig {
  const base = exampleConfig(o);
  const progs = o.programs ?? [[], []];
  return {
    ...base,
    name: 'scenario',
    cpus: progs.map((program, i) => ({ node: i === 1 ? 1 : 0, mm: o.cpuMms?.[i] ?? 0, program })),
    mms: o.mms ?? 2,
    vaddrs: o.vaddrs ?? base.vaddrs,
    swapSlots: o.swapSlots ?? base.swapSlots,
    contentValues: o.contentValues ?? 8,
    fixes: o.fixes ?? [],
    numaDemotionEnabled: o.numaDemotionEnabled ?? base.numaDemotionEnabled,
    choices: o.choices ?? {},
  };
}

/** A booted kernel for the scenario; P hot-added with ops `pOps` if given. */
export function scenario(o: ScenarioOpts = {}): Kernel {
  const k = boot(buildMachine(scenarioConfig(o)));
  if (o.pOps != null) {
    const { first, n } = nodeBlocks(k, P);
    const r = addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0);
    if (r !== 0) throw new Error(`hot-add P failed: ${r}`);
    if (o.pOps === 'cram') {
      // cram_register_private_node: set_ops(cram_ops), publish cn, kswapd_run, refresh tiers.
      const c = cramRegisterPrivateNode(k, P, 0, o.flushCb ?? false);
      if (c !== 0) throw new Error(`cram_register_private_node failed: ${c}`);
    } else {
      const s = nodePrivateSetOps(k, P, opsIdByName(k, o.pOps));
      if (s !== 0) throw new Error(`set_ops(${o.pOps}) failed: ${s}`);
      memoryTierRefreshDemotion(k);
    }
  }
  return k;
}

/** Thread id of a named actor: 'cpu0', 'kswapd1', 'flush', 'overflow0', 'lthresh', 'hthresh', 'driver'. */
export function tidOf(k: Kernel, who: string): number {
  const m = /^(cpu|kswapd|overflow)(\d+)$/.exec(who);
  if (m) {
    const i = Number(m[2]);
    if (m[1] === 'cpu') return k.g.cpuThread(i);
    if (m[1] === 'kswapd') return k.g.kswapdThread(i);
    return k.g.overflowThread(i);
  }
  if (who === 'flush') return k.g.flushThread;
  if (who === 'lthresh') return k.g.lthreshThread;
  if (who === 'hthresh') return k.g.hthreshThread;
  if (who === 'driver') return k.g.driverThread;
  // The second compression region's driver instance (config `cram2`).
  if (who === 'driver2') return k.g.driverThreadOf(1);
  throw new Error(`unknown actor ${who}`);
}

/** One step of the named thread; returns whether it was enabled. */
export function step(k: Kernel, who: string, choice = 0): boolean {
  return runThread(k, tidOf(k, who), choice);
}

/**
 * Step cpu `cpu` until its program is done or it blocks; returns the number
 * of steps taken. Then the CPU's lru_add batch is drained (choice 1, when it
 * holds a folio): the folios it added are on the LRU, as most tests expect;
 * test/kernel/lru-batch.test.ts looks at the batch itself (runCpuKeepBatch).
 */
export function runCpu(k: Kernel, cpu: number, max = 100): number {
  const n = runCpuKeepBatch(k, cpu, max);
  step(k, `cpu${cpu}`, 1);
  return n;
}

/** Step cpu `cpu` until its program is done or it blocks, leaving its lru_add batch as it is. */
export function runCpuKeepBatch(k: Kernel, cpu: number, max = 100): number {
  let n = 0;
  while (n < max && step(k, `cpu${cpu}`)) n++;
  return n;
}

/** Step the named thread n times, failing if a step is not enabled. */
export function steps(k: Kernel, who: string, n: number, choice = 0): void {
  for (let i = 0; i < n; i++) if (!step(k, who, choice)) throw new Error(`${who} step ${i} not enabled`);
}

export function slotOf(k: Kernel, mm: number, vaddr: number): number {
  return mm * k.cfg.vaddrs + vaddr;
}

/** The pfn a present PTE maps, or -1. */
export function ptePfn(k: Kernel, mm: number, vaddr: number): number {
  const s = slotOf(k, mm, vaddr);
  return k.get(k.L.PTE_KIND, s) === PTE_PRESENT ? k.get(k.L.PTE_VAL, s) : -1;
}

export function nodeOf(k: Kernel, pfn: number): number {
  return k.g.pfnNode[pfn]!;
}

/** Turn on trace collection. */
export function traced(k: Kernel): Kernel {
  k.log = [];
  return k;
}
