// The model's call log (Kernel.trace lines) cleaned up for a mail: no actor
// prefixes (the column says who), no SEMANTICS step tags (F2, S3), nodes and
// zones and migrate reasons named as the kernel names them.

import { MMOP_OFFLINE, MMOP_ONLINE, MMOP_ONLINE_KERNEL, MMOP_ONLINE_MOVABLE, MIGRATE_ASYNC, MIGRATE_SYNC, MR_COMPACTION, MR_DEMOTION, MR_MEMORY_FAILURE, MR_MEMORY_HOTPLUG, MR_MEMPOLICY_MBIND, MR_NUMA_MISPLACED, MR_SYSCALL, ZONE_NAMES } from '../../kernel/defs.ts';

const REASONS: Readonly<Record<number, string>> = {
  [MR_COMPACTION]: 'MR_COMPACTION', [MR_MEMORY_FAILURE]: 'MR_MEMORY_FAILURE', [MR_MEMORY_HOTPLUG]: 'MR_MEMORY_HOTPLUG',
  [MR_SYSCALL]: 'MR_SYSCALL', [MR_MEMPOLICY_MBIND]: 'MR_MEMPOLICY_MBIND', [MR_NUMA_MISPLACED]: 'MR_NUMA_MISPLACED', [MR_DEMOTION]: 'MR_DEMOTION',
};
const MMOP: Readonly<Record<number, string>> = {
  [MMOP_OFFLINE]: 'MMOP_OFFLINE', [MMOP_ONLINE]: 'MMOP_ONLINE', [MMOP_ONLINE_KERNEL]: 'MMOP_ONLINE_KERNEL', [MMOP_ONLINE_MOVABLE]: 'MMOP_ONLINE_MOVABLE',
};
const MODES: Readonly<Record<number, string>> = { [MIGRATE_ASYNC]: 'MIGRATE_ASYNC', [MIGRATE_SYNC]: 'MIGRATE_SYNC' };

/** Prefixes naming the thread that made the call. */
const ACTOR_PREFIX = /^(cpu\d+|kswapd\(node \d+\)|overflow\(cpu\d+\)|cxl-flush|(?:l|h)thresh IRQ thread): /;

/** `vaddrs`: page slots per mm, to name a PTE slot as the mm and address it maps. */
export function cleanCall(line: string, vaddrs: number): string {
  let l = line.replace(ACTOR_PREFIX, '');
  l = l.replace(/handle_pte_fault\(slot (\d+)\)/g, (_m, s: string) => `handle_pte_fault(mm ${Math.floor(Number(s) / vaddrs)}, v${Number(s) % vaddrs})`);
  // SEMANTICS step tags: `cram_fault F2: x` -> `cram_fault: x`, `cram_set_pressure(N1, 0) S1: x` -> `cram_set_pressure(N1, 0): x`.
  l = l.replace(/^([\w.]+(?:\([^()]*\))?) [FSR]\d: /, '$1: ');
  l = l.replace(/\bnode (\d+)\b/g, 'N$1').replace(/\bnid (\d+)\b/g, 'N$1');
  l = l.replace(/\bzone (\d) of N(\d+)/g, (_m, z: string, n: string) => `N${n} ZONE_${ZONE_NAMES[Number(z)] ?? z}`);
  l = l.replace(/mode (\d+), reason (\d+)/g, (_m, mo: string, r: string) => `${MODES[Number(mo)] ?? mo}, ${REASONS[Number(r)] ?? r}`);
  l = l.replace(/reason (\d+)/g, (_m, r: string) => REASONS[Number(r)] ?? `reason ${r}`);
  // kswapd's own lines (src/kernel/vmscan.ts) named after the functions that do it.
  l = l.replace(/^isolate pfn (\d+), can_demote -> (N\d+)$/, 'isolate_lru_folios: pfn $1; can_demote() -> $2');
  l = l.replace(/^isolate pfn (\d+), reclaim$/, 'isolate_lru_folios: pfn $1 (to reclaim)');
  l = l.replace(/^isolate pfn (\d+) into the demotion batch$/, 'isolate_lru_folios: pfn $1 (demotion batch)');
  l = l.replace(/^(balanced|nothing reclaimable), sleep$/, 'balance_pgdat: $1, kswapd sleeps');
  l = l.replace(/\b(node_private_\w+)\((\d+)/g, '$1(N$2');
  l = l.replace(/\bops#(\d+)/g, (_m, id: string) => (id === '0' ? 'NULL' : id === '1' ? 'cram_ops' : `ops table ${id}`));
  l = l.replace(/\btype (\d)\b/g, (_m, t: string) => MMOP[Number(t)] ?? `type ${t}`);
  return l;
}
