// The scenario paragraph a mail trace opens with: the machine (nodes, zones,
// the device), what each CPU runs, which background threads exist, and which
// fixes are on, counted against the fix catalogue ("every fix but X").

import { FIXES } from '../../kernel/fixes.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { opLabel } from '../../kernel/workload.ts';

/** 'a', 'a and b', 'a, b and c'. */
export function listText(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]!}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function nodeText(cfg: KernelConfig, nid: number): string {
  const n = cfg.nodes[nid]!;
  const zones = n.zones.map((z) => `${plural(z.blocks * cfg.blockPages, 'page')} in ZONE_${z.type}`).join(', ');
  const cpus = cfg.cpus.map((c, i) => (c.node === nid ? `CPU${i}` : '')).filter((x) => x !== '');
  const where = cpus.length > 0 ? `, ${listText(cpus)}` : '';
  if (n.kind === 'dram') return `node ${nid} is DRAM (${zones}${where})`;
  // Only the first private node is the compression driver's (geometry.privateNode); a later one is a driver's on a CPU.
  if (cfg.nodes.findIndex((x) => x.kind === 'private') !== nid) return `node ${nid} is a second private node (${zones}), absent until a program op hot-adds it`;
  const probe = cfg.actors.driver
    ? 'the CXL region driver probes it during the run (sysram, then CRAM) and may tear it down'
    : cfg.actors.probe === false
      ? 'it is absent at boot'
      : 'the CXL driver converted it to sysram and registered it with CRAM at boot';
  // regionBlocks 0: the node has no compression region (an ordinary device's memory, as region B's).
  const device = cfg.driver.regionBlocks === 0 ? 'a CXL memory device without a compression region' : 'a compressed CXL device';
  return `node ${nid} is a private node (N_MEMORY_PRIVATE; ${zones}) on ${device}; ${probe}`;
}

function deviceText(cfg: KernelConfig): string {
  const d = cfg.device;
  return `The device has ${d.physUnits} units of backing (lthresh ${d.lthresh}, hthresh ${d.hthresh}); a page costs ${d.cost[0]}, ${d.cost[1]} or ${d.cost[2]} units as its data is zero, mixed or incompressible. Data values 0..${cfg.contentValues - 1}; 0 is a zeroed page.`;
}

function programText(cfg: KernelConfig): string[] {
  return cfg.cpus.map((c, i) => {
    const ops = c.program.map(opLabel);
    const who = `CPU${i} (mm${c.mm}${c.forkChild ? ', a fork child' : ''})`;
    return ops.length === 0 ? `${who} runs nothing.` : `${who} runs ${ops.join(', ')}.`;
  });
}

function backgroundText(cfg: KernelConfig): string {
  const a = cfg.actors;
  const bg: string[] = [];
  if (a.kswapd) bg.push('kswapd on every node');
  if (a.device) bg.push("the device's lthresh and hthresh IRQ threads (cram_set_pressure)");
  if (a.flush) bg.push('the cxl-flush kthread and per-CPU overflow work');
  if (a.cpuset) bg.push(`an admin rewriting cpuset.mems${cfg.cpusetV1 ? ' (cgroup v1)' : ''}`);
  const swap = `${plural(cfg.swapSlots, 'swap slot')} on a ${cfg.swapAsync ? 'swap device with asynchronous writeback' : 'synchronous (zram-like) swap device'}`;
  return `${bg.length > 0 ? `Also running: ${listText(bg)}. ` : ''}Demotion is ${cfg.numaDemotionEnabled ? 'enabled' : 'disabled'}; ${swap}.`;
}

/** 'every fix but X', 'no fixes (v4 as posted)', 'every fix', or the list when fewer than half are on. */
export function fixesText(fixes: readonly string[]): string {
  const all = FIXES.map((f) => f.name);
  const off = all.filter((f) => !fixes.includes(f));
  if (fixes.length === 0) return 'no fixes (v4 as posted)';
  if (off.length === 0) return 'every fix of the catalogue';
  if (off.length <= fixes.length) return `every fix but ${listText(off)}`;
  return `only ${listText([...fixes])}`;
}

export function kernelScenario(cfg: KernelConfig): string[] {
  const nodes = cfg.nodes.map((_, i) => nodeText(cfg, i));
  const variant = `Fixes: ${fixesText(cfg.fixes)}.${cfg.mutant ? ` Seeded bug (mutant): ${cfg.mutant}.` : ''}`;
  const hasPrivate = cfg.nodes.some((n) => n.kind === 'private');
  return [
    `Scenario (config ${cfg.name}): ${listText(nodes)}.${hasPrivate ? ` ${deviceText(cfg)}` : ''}`,
    ...programText(cfg),
    backgroundText(cfg),
    variant,
  ];
}
