// The state at the end of boot: DRAM blocks online and in the buddy, zonelists
// built, node states set, node_private_initialized, root cpuset, idle threads,
// the programs' mms live. Deterministic: a pure function of the machine.

import { cpusetChildBoot } from './cpuset.ts';
import { buddyOnlineBlock } from './buddy.ts';
import { BLOCK_ABSENT, BLOCK_ONLINE, N_CPU, N_MEMORY, N_ONLINE } from './defs.ts';
import { Kernel, type Machine } from './kernel.ts';
import { PG_reserved } from './layout.ts';
import { establishDemotionTargets } from './memory_tiers.ts';
import { setupPerZoneWmarks } from './page_alloc.ts';
import { buildAllZonelists, nodesInState } from './zonelist.ts';

// init/main.c: start_kernel -> mm_core_init / page_alloc_init_late, drivers/base/node.c: node_dev_init
export function boot(m: Machine): Kernel {
  const k = Kernel.blank(m);
  const L = k.L;
  // memblock_free_all: DRAM memory is online and free; private nodes' ranges
  // are not in the memory map at all until a driver hot-adds them.
  m.g.blocks.forEach((b, i) => {
    if (m.cfg.nodes[b.node]!.kind === 'dram') {
      k.set(L.BLOCK_STATE, i, BLOCK_ONLINE);
      buddyOnlineBlock(k, i);
      k.add(L.ZONE_PRESENT, b.zone, b.pages);
      k.add(L.ZONE_MANAGED, b.zone, b.pages);
    } else {
      k.set(L.BLOCK_STATE, i, BLOCK_ABSENT);
      for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) k.set(L.PG_FLAGS, p, PG_reserved);
    }
  });
  m.cfg.nodes.forEach((n, nid) => {
    const hasMem = n.kind === 'dram' && m.g.blocks.some((b) => b.node === nid);
    let st = 0;
    if (hasMem || n.cpus) st |= N_ONLINE;
    if (hasMem) st |= N_MEMORY;
    if (n.cpus) st |= N_CPU;
    k.set(L.NODE_STATES, nid, st);
    if (hasMem) {
      // kswapd_run / kcompactd_run for every node with memory at boot.
      k.set(L.NODE_KSWAPD, nid, 1);
      k.set(L.NODE_KCOMPACTD, nid, 1);
      // memory_tier_init places every N_MEMORY node in the DRAM tier.
      k.set(L.NODE_IN_TIER, nid, 1);
    }
  });
  buildAllZonelists(k);
  setupPerZoneWmarks(k);
  k.set(L.G_NP_INITIALIZED, 0, 1);
  k.set(L.G_CPUSET_ENABLED, 0, m.cfg.actors.cpuset ? 1 : 0);
  k.set(L.G_CPUSET_MEMS, 0, nodesInState(k, N_MEMORY));
  cpusetChildBoot(k);
  k.set(L.G_DEMOTION_ENABLED, 0, m.cfg.numaDemotionEnabled ? 1 : 0);
  for (const c of m.cfg.cpus) if (!c.forkChild) k.set(L.MM_LIVE, c.mm, 1);
  establishDemotionTargets(k);
  return k;
}
