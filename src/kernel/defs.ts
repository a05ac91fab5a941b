// Kernel constants the model shares: errnos, GFP bits, node states, zone types,
// NP_OPS flags, mempolicy modes. Values follow the kernel where a value is
// observable (GFP bits, NP_OPS bits, errnos); the rest are model encodings.

// include/uapi/asm-generic/errno-base.h
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const E2BIG = 7;
export const EFAULT = 14;
export const ENXIO = 6;
// include/uapi/asm-generic/errno.h
export const EHWPOISON = 133;
export const EOPNOTSUPP = 95;

const ERRNO_NAMES: Record<number, string> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [EINTR]: 'EINTR', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM',
  [EBUSY]: 'EBUSY', [EEXIST]: 'EEXIST', [ENODEV]: 'ENODEV', [EINVAL]: 'EINVAL', [ENOSPC]: 'ENOSPC',
  [E2BIG]: 'E2BIG', [EFAULT]: 'EFAULT', [ENXIO]: 'ENXIO', [EHWPOISON]: 'EHWPOISON', [EOPNOTSUPP]: 'EOPNOTSUPP',
};

/** Render a kernel return value: 0, a positive count, or -EXXX. */
export function errname(ret: number): string {
  if (ret >= 0) return String(ret);
  const n = ERRNO_NAMES[-ret];
  return n ? `-${n}` : String(ret);
}

// include/linux/gfp_types.h (v4 patch 02: __GFP_PRIVATE reuses the unused bit 0x200)
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_PRIVATE = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
export const GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
export const GFP_PRIVATE = __GFP_PRIVATE | __GFP_THISNODE;

const GFP_NAMES: ReadonlyArray<readonly [number, string]> = [
  [GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
  [GFP_KERNEL, 'GFP_KERNEL'],
  [GFP_PRIVATE, 'GFP_PRIVATE'],
  [__GFP_PRIVATE, '__GFP_PRIVATE'], [__GFP_THISNODE, '__GFP_THISNODE'], [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'], [__GFP_DMA, '__GFP_DMA'], [__GFP_DMA32, '__GFP_DMA32'],
  [__GFP_HIGH, '__GFP_HIGH'], [__GFP_KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
  [__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'], [__GFP_IO, '__GFP_IO'], [__GFP_FS, '__GFP_FS'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'], [__GFP_NOWARN, '__GFP_NOWARN'], [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'], [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_MEMALLOC, '__GFP_MEMALLOC'], [__GFP_COMP, '__GFP_COMP'], [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_WRITE, '__GFP_WRITE'], [__GFP_NOFAIL, '__GFP_NOFAIL'], [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
];

/** Render a gfp mask with the kernel's names, composite names first. */
export function gfpName(gfp: number): string {
  const parts: string[] = [];
  let rest = gfp;
  for (const [bits, name] of GFP_NAMES) {
    if (bits !== 0 && (rest & bits) === bits) {
      parts.push(name);
      rest &= ~bits;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : '0';
}

// include/linux/mmzone.h: zone types, lowest first. The model keeps all four
// per node so zone indices are stable: global zone id = nid * MAX_NR_ZONES + type.
export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = 4;
export const ZONE_NAMES = ['DMA', 'DMA32', 'NORMAL', 'MOVABLE'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

// include/linux/nodemask.h: node states, as bits of the model's NODE_STATES field.
export const N_ONLINE = 1 << 0;
export const N_MEMORY = 1 << 1;
export const N_MEMORY_PRIVATE = 1 << 2;
export const N_CPU = 1 << 3;

// include/linux/node_private.h: NP_OPS_* flags (v4 bit numbers).
export const NP_OPS_MIGRATION = 1 << 0;
export const NP_OPS_MEMPOLICY = 1 << 1;
export const NP_OPS_DEMOTION = 1 << 2;
export const NP_OPS_PROTECT_WRITE = 1 << 3;
export const NP_OPS_RECLAIM = 1 << 4;
export const NP_OPS_NUMA_BALANCING = 1 << 5;
export const NP_OPS_COMPACTION = 1 << 6;
export const NP_OPS_LONGTERM_PIN = 1 << 7;
// The v4 code (not the cover letter) defines OOM_ELIGIBLE as RECLAIM|DEMOTION (SEMANTICS 11.2).
export const NP_OPS_OOM_ELIGIBLE = NP_OPS_RECLAIM | NP_OPS_DEMOTION;

export const NP_OPS_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [NP_OPS_MIGRATION, 'MIGRATION'], [NP_OPS_MEMPOLICY, 'MEMPOLICY'], [NP_OPS_DEMOTION, 'DEMOTION'],
  [NP_OPS_PROTECT_WRITE, 'PROTECT_WRITE'], [NP_OPS_RECLAIM, 'RECLAIM'],
  [NP_OPS_NUMA_BALANCING, 'NUMA_BALANCING'], [NP_OPS_COMPACTION, 'COMPACTION'],
  [NP_OPS_LONGTERM_PIN, 'LONGTERM_PIN'],
];

// include/uapi/linux/mempolicy.h
export const MPOL_DEFAULT = 0;
export const MPOL_PREFERRED = 1;
export const MPOL_BIND = 2;
export const MPOL_INTERLEAVE = 3;
export const MPOL_LOCAL = 4;
export const MPOL_PREFERRED_MANY = 5;
/** The model's nodemask_t width (the kernel's is 1 << CONFIG_NODES_SHIFT): next_node_in of an empty mask returns it. */
export const MAX_NUMNODES = 16;
export const MPOL_F_PRIVATE = 1 << 5; // v4 patch 13: internal policy flag
// include/uapi/linux/mempolicy.h: the user's mode flags (set_mempolicy / mbind)
export const MPOL_F_STATIC_NODES = 1 << 15;
export const MPOL_F_RELATIVE_NODES = 1 << 14;
export const MPOL_MODE_FLAGS = MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES;

// include/linux/memory_hotplug.h: online types (MMOP_*)
export const MMOP_OFFLINE = 0;
export const MMOP_ONLINE = 1;
export const MMOP_ONLINE_KERNEL = 2;
export const MMOP_ONLINE_MOVABLE = 3;

// Memory block states (model encoding of drivers/base/memory.c).
export const BLOCK_ABSENT = 0;
export const BLOCK_OFFLINE = 1;
export const BLOCK_ONLINE = 2;

// include/linux/mm_types.h vm_fault_t bits the model returns.
export const VM_FAULT_OOM = 0x1;
export const VM_FAULT_SIGBUS = 0x2;
export const VM_FAULT_HWPOISON = 0x10;
export const VM_FAULT_RETRY = 0x400;
export const VM_FAULT_NOPAGE = 0x100;

// include/linux/migrate_mode.h and migrate reasons (include/linux/migrate.h)
export const MIGRATE_ASYNC = 0;
export const MIGRATE_SYNC = 2;
// mm/migrate.c: migrate_pages_batch's nr_pass (MIGRATE_ASYNC callers) and migrate_pages_sync's batched first try.
export const NR_MAX_MIGRATE_PAGES_RETRY = 10;
export const NR_MAX_MIGRATE_ASYNC_RETRY = 3;
export const MR_COMPACTION = 0;
export const MR_MEMORY_FAILURE = 1;
export const MR_MEMORY_HOTPLUG = 2;
export const MR_SYSCALL = 3;
export const MR_MEMPOLICY_MBIND = 4;
export const MR_NUMA_MISPLACED = 5;
export const MR_LONGTERM_PIN = 7;
export const MR_DEMOTION = 8;

/** mm/cram.c: CRAM_PRESSURE_MAX */
export const CRAM_PRESSURE_MAX = 1000;
