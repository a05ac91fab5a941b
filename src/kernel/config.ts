// The static description of one modelled machine: topology, sizes, workload
// programs, the device, and which mutant / fixes / modelling choices are on.
// Nothing here changes during a run; all that changes lives in Kernel.s.

import type { GfpFlagName } from './alloc_matrix.ts';
import type { ZoneName } from './defs.ts';

export interface ZoneConfig {
  readonly type: ZoneName;
  /** Memory blocks in this zone; each holds cfg.blockPages pages. */
  readonly blocks: number;
  /** Watermarks in pages; defaults derived from managed pages by __setup_per_zone_wmarks. */
  readonly wmark?: { readonly min: number; readonly low: number; readonly high: number };
}

export interface NodeConfig {
  /** 'dram' nodes are online at boot (N_MEMORY); 'private' nodes are hot-added by a driver. */
  readonly kind: 'dram' | 'private';
  readonly cpus: boolean;
  readonly zones: readonly ZoneConfig[];
  /** memory-tiers abstract distance class: lower is faster. */
  readonly adistance?: number;
}

/** A user CPU: the node it runs on, the mm its task runs in, and its program. */
export interface CpuConfig {
  readonly node: number;
  readonly mm: number;
  readonly program: readonly ProgramOp[];
  /**
   * The task is the child of a `fork` op into this mm: the mm is not live at
   * boot, and the task runs only once the fork made it live (kernel/fork.c:
   * the child is scheduled after copy_process).
   */
  readonly forkChild?: boolean;
  /**
   * The child cpuset (index into KernelConfig.cpusetChildren) the task runs in,
   * when the config has the cpuset actor; default 0. Every thread of one mm is
   * in one cpuset.
   */
  readonly cpuset?: number;
}

/**
 * A child cpuset under the root (cgroup v2): the cpuset.mems it is created
 * with (default every node) and the masks the administrator may write to it
 * (default: every node, the DRAM nodes, the private nodes; node lists).
 */
export interface CpusetChildConfig {
  readonly initial?: readonly number[];
  readonly writes?: readonly (readonly number[])[];
}

/** One workload instruction of a user CPU; vaddr is a page slot of the CPU's mm. */
export type ProgramOp =
  | { readonly op: 'mmap'; readonly vaddr: number; readonly kind: 'anon' | 'anon-thp' | 'file-shared' | 'file-private'; readonly file?: number; readonly pgoff?: number; readonly prot: 'r' | 'rw' }
  | { readonly op: 'read'; readonly vaddr: number }
  | { readonly op: 'write'; readonly vaddr: number; readonly value: number }
  | { readonly op: 'pwrite'; readonly file: number; readonly pgoff: number; readonly value: number }
  | { readonly op: 'mprotect'; readonly vaddr: number; readonly prot: 'r' | 'rw' }
  | { readonly op: 'mbind'; readonly vaddr: number; readonly mode: 'default' | 'bind' | 'preferred' | 'preferred_many'; readonly nodes: readonly number[] }
  /** set_mempolicy_home_node(vaddr, 1 page, home, 0) on one page slot: the home node of its BIND or PREFERRED_MANY VMA policy. */
  | { readonly op: 'set_mempolicy_home_node'; readonly vaddr: number; readonly home: number }
  | { readonly op: 'move_pages'; readonly vaddr: number; readonly node: number }
  /** set_mempolicy(mode | flag, nodes) of this CPU's task (current->mempolicy). */
  | { readonly op: 'set_mempolicy'; readonly mode: 'default' | 'bind' | 'preferred' | 'interleave' | 'local' | 'preferred_many'; readonly nodes: readonly number[]; readonly flags?: 'static' | 'relative' }
  | { readonly op: 'madv_dontneed'; readonly vaddr: number }
  | { readonly op: 'munmap'; readonly vaddr: number }
  | { readonly op: 'fork'; readonly child: number }
  /** task_numa_work -> change_prot_numa on one page slot (a NUMA hinting PTE). */
  | { readonly op: 'numa_hint'; readonly vaddr: number }
  /** A driver's call of the node_private API (a second driver or test module on this CPU); np is an np slot. */
  | { readonly op: 'node_private_register'; readonly node: number; readonly np: number }
  | { readonly op: 'node_private_unregister'; readonly node: number }
  /** node_private_set_ops(node, table): table names a cfg.opsTables entry ('cram' for cram_ops). */
  | { readonly op: 'node_private_set_ops'; readonly node: number; readonly table: string }
  /** cram_register_private_node(node, owner = this CPU, no flush_cb): a CRAM user other than the CXL driver. */
  | { readonly op: 'cram_register_private_node'; readonly node: number }
  /** alloc_pages_node(node, GFP_HIGHUSER_MOVABLE, 0) by kernel code on this CPU (no __GFP_PRIVATE); the page is kept for good. */
  | { readonly op: 'alloc_pages_node'; readonly node: number }
  /** add_private_memory_driver_managed(node, all of the node's blocks, online type, np): a driver on this CPU hot-adding the range. */
  | { readonly op: 'add_private_memory'; readonly node: number; readonly np: number; readonly online: 'offline' | 'movable' | 'kernel' | 'online' }
  /** Online the node's first block (memoryX/online = online_movable, or a driver onlining what it added offline). */
  | { readonly op: 'online_pages'; readonly node: number }
  /** node_private_clear_ops(node, table): table names a cfg.opsTables entry ('cram' for cram_ops). */
  | { readonly op: 'node_private_clear_ops'; readonly node: number; readonly table: string }
  /** __alloc_pages(gfp, 0, node, nodemask) by kernel code on this CPU, then __free_pages (the allocation matrix, src/kernel/alloc_matrix.ts). */
  | { readonly op: 'alloc_pages'; readonly node: number; readonly gfp: readonly GfpFlagName[]; readonly nodemask?: readonly number[] }
  /** alloc_page(GFP_HIGHUSER) by kernel code in this CPU's task (pipe_write's buffer page): the task's policy decides (alloc_pages, il_prev), then __free_pages. */
  | { readonly op: 'alloc_page_current' }
  /** pin_user_pages(vaddr, 1, FOLL_LONGTERM [| FOLL_WRITE]) (an RDMA registration; `write`: the device may write): the pin is kept until unpin_user_pages (src/kernel/gup_longterm.ts). */
  | { readonly op: 'pin_user_pages'; readonly vaddr: number; readonly write?: boolean }
  /** unpin_user_page of the long-term pin this CPU holds (none: a no-op). */
  | { readonly op: 'unpin_user_pages' }
  /** memory_failure(pfn, 0) of the `page`-th page of `node` (hwpoison injection: hard_offline_page / corrupt-pfn; src/kernel/memory_failure.ts). */
  | { readonly op: 'memory_failure'; readonly node: number; readonly page: number }
  /** offline_and_remove_private_memory over the node's range, each offline_pages run to its end, then node_private_unregister: a driver's teardown in one op. */
  | { readonly op: 'offline_and_remove_private_memory'; readonly node: number }
  /**
   * Kernel code on this CPU takes one user page by GUP (src/kernel/gup.ts) and
   * reads it, or writes `value` into it (copy_to_user_page). `mm` (default:
   * the CPU's own) names another mm for remote GUP (FOLL_REMOTE, ptrace's
   * access_remote_vm). `pin`: FOLL_PIN, the pin is kept until an `unpin` op
   * (else FOLL_GET and the page is put at once); `locked`: the caller passes
   * `locked` (FOLL_UNLOCKABLE: get_user_pages_unlocked, or remote GUP with
   * locked); `nowait`: FOLL_NOWAIT; `force`: FOLL_FORCE (ptrace POKEDATA,
   * /proc/pid/mem).
   */
  | { readonly op: 'gup'; readonly vaddr: number; readonly write: boolean; readonly value?: number; readonly mm?: number; readonly pin?: boolean; readonly locked?: boolean; readonly nowait?: boolean; readonly force?: boolean }
  /** unpin_user_page() of the page this CPU pinned with a `gup` op (none: a no-op). */
  | { readonly op: 'unpin' }
  /**
   * The cxl_mempolicy driver's attach probe (setup_private_node) on region B
   * of `node` (the blocks after driver.regionBlocks): devm_cxl_add_sysram(private,
   * MMOP_ONLINE_MOVABLE) with a new sysram and its embedded np, then
   * node_private_set_ops(node, table) (src/cxl/region_b.ts).
   */
  | { readonly op: 'cxl_mempolicy_probe'; readonly node: number; readonly table: string }
  /** cxl_mempolicy_remove: WARN_ON(node_private_clear_ops(node, table)), then cxl_destroy_region of the region it created (sysram release). */
  | { readonly op: 'cxl_mempolicy_remove'; readonly node: number; readonly table: string }
  /**
   * An administrator's write of user CPU `cpu`'s task's pid into child cpuset
   * `cpuset`'s cgroup.procs (cgroup v2): the task's whole thread group (every
   * user CPU of its mm) moves there (cgroup_attach_task -> cpuset_can_attach /
   * cpuset_attach, src/kernel/cpuset_attach.ts). The writer's next op waits for
   * the flush of cpuset_migrate_mm_wq on its way back to user space.
   */
  | { readonly op: 'cpuset_attach'; readonly cpu: number; readonly cpuset: number };

export interface DeviceConfig {
  /** Physical backing units of the compressed device; an uncompressed page costs cost[2]. */
  readonly physUnits: number;
  /** Compressed cost in units of content class 0 (zero-like), 1 (mixed), 2 (incompressible). */
  readonly cost: readonly [number, number, number];
  /** The device raises lthresh (-> pressure 1000) when used >= lthresh ... */
  readonly lthresh: number;
  /** ... and hthresh (-> pressure 0) when used <= hthresh. */
  readonly hthresh: number;
}

export interface DriverConfig {
  /** Ranges per flush buffer (cxl_compression: (payload - 8) / 16, capped, >= 1). */
  readonly bufMax: number;
  /** Device supports Media Operations Zero (else the driver zeroes with the CPU). */
  readonly mediaOps: boolean;
  /**
   * Memory blocks of the private node in the compression driver's region
   * (region A), from the node's first block; default: all of them. The
   * blocks after them form region B, which `cxl_mempolicy_probe` /
   * `cxl_mempolicy_remove` program ops drive (src/cxl/region_b.ts).
   */
  readonly regionBlocks?: number;
  /**
   * Compression regions on the private node (default 1). With 2 the blocks
   * after region A's are a second compression region (config `cram2`), driven
   * by a second instance of the driver (its own sysram and np, flush context,
   * kthread, overflow works and CRAM owner), instead of region B.
   */
  readonly regions?: number;
}

/** A node_private_ops table a test or config can register besides cram_ops. */
export interface OpsTableConfig {
  readonly name: string;
  readonly flags: number;
  /** Callbacks present in the table (their behaviour is the generic one of the table's kind). */
  /** 'free_folio_zero': a free_folio that zeroes the folio (a scrubbing service, like cram_free_folio_cb without flush_cb). */
  readonly callbacks: readonly ('free_folio' | 'free_folio_zero' | 'folio_split' | 'migrate_to' | 'folio_migrate' | 'handle_fault' | 'reclaim_policy' | 'memory_failure')[];
}

export interface KernelConfig {
  readonly name: string;
  readonly nodes: readonly NodeConfig[];
  /** node_distance(a, b); diagonal 10. */
  readonly distance: readonly (readonly number[])[];
  /** Pages per memory block (a power of two >= 2^maxOrder). */
  readonly blockPages: number;
  /** Highest buddy order (MAX_PAGE_ORDER of the model). */
  readonly maxOrder: number;
  /** User CPUs: the node each runs on and the mm it runs in. */
  readonly cpus: readonly CpuConfig[];
  readonly mms: number;
  /** Page slots per mm. */
  readonly vaddrs: number;
  readonly files: number;
  readonly filePages: number;
  readonly swapSlots: number;
  /**
   * The swap device completes writes asynchronously (a block device; default
   * false: synchronous, like zram): pageout() leaves the folio under
   * writeback and shrink_folio_list keeps it in the swap cache for a later pass.
   */
  readonly swapAsync?: boolean;
  /** Content values are 0..contentValues-1; 0 is a zeroed page. */
  readonly contentValues: number;
  readonly device: DeviceConfig;
  readonly driver: DriverConfig;
  /** Offline attempts of the CXL teardown (v4: 61; default region_sysram.ts MAX_OFFLINE_ATTEMPTS). */
  readonly offlineAttempts?: number;
  /** Passes of a staged migrate_pages_batch (v4: NR_MAX_MIGRATE_PAGES_RETRY = 10 for kswapd's MIGRATE_ASYNC batch, NR_MAX_MIGRATE_ASYNC_RETRY = 3 for do_migrate_range's first try); a test may lower it (test/kernel/migrate-retry-bound.test.ts). */
  readonly migratePasses?: number;
  /** kswapd_failures at which a node is hopeless (v4: MAX_RECLAIM_RETRIES = 16; default vmscan.ts MODEL_RECLAIM_RETRIES). */
  readonly reclaimRetries?: number;
  /** Fruitless memcg reclaim passes a charge retries (v4: MAX_RECLAIM_RETRIES = 16; default memcg_charge_step.ts: MODEL_RECLAIM_RETRIES). */
  readonly memcgReclaimRetries?: number;
  /** NR_MAX_BATCHED_MIGRATION of the model: folios one demotion batch may move. */
  readonly demoteBatch: number;
  /** /sys/kernel/mm/numa/demotion_enabled */
  readonly numaDemotionEnabled: boolean;
  /** Order do_anonymous_page tries in a VM_HUGEPAGE vma (src/kernel/thp.ts); absent or 0: no large folios. */
  readonly thpOrder?: number;
  readonly opsTables: readonly OpsTableConfig[];
  /**
   * One memory cgroup (cgroup v2) holding every user task, with memory.max in
   * pages (src/kernel/memcontrol.ts). Absent: memcg off, no charge state.
   */
  readonly memcg?: { readonly max: number };
  /** Seeded bug (mutant catalogue), or null for the faithful v4 model. */
  readonly mutant: string | null;
  /** Fixes of the fix catalogue switched on. */
  readonly fixes: readonly string[];
  /** Modelling choices where the code reads two ways: choice name -> chosen reading. */
  readonly choices: Readonly<Record<string, string>>;
  /** The masks (node lists) the administrator writes to the child's cpuset.mems; default: every node, the DRAM nodes, the private nodes. */
  readonly cpusetWrites?: readonly (readonly number[])[];
  /**
   * Sibling child cpusets under the root (issue 12 item 10): with the cpuset
   * actor, one entry per child (at most two); each user task is in the one its
   * CpuConfig.cpuset names. Absent: one child, created with every node, whose
   * writes are cpusetWrites.
   */
  readonly cpusetChildren?: readonly CpusetChildConfig[];
  /**
   * How many identical cpuset_migrate_mm items (same mm, from, to) may wait
   * queued and not started at once (default 1: a second is not queued). Tests
   * raise it to show the bound loses no state (test/kernel/cpuset-migrate-dup.test.ts).
   */
  readonly cpusetMigrateDupBound?: number;
  /**
   * The cpuset controller on the legacy hierarchy (cgroup v1, CONFIG_CPUSETS_V1;
   * src/kernel/cpuset.ts): a child's cpuset.mems must be a subset of the
   * parent's (top_cpuset.mems_allowed = the online nodes), its effective mems
   * are its mems, hotplug shrinks them for good (cpuset1_hotplug_update_tasks)
   * and moves the tasks of an emptied cpuset to the root by a work item
   * (remove_tasks_in_empty_cpuset), memory_migrate is off, and
   * cpuset_node_allowed answers true (can_demote ignores the cpuset).
   */
  readonly cpusetV1?: boolean;
  /** Which background actors exist in this configuration. */
  readonly actors: {
    readonly kswapd: boolean;
    readonly driver: boolean;
    readonly device: boolean;
    readonly flush: boolean;
    readonly cpuset: boolean;
    /**
     * The OOM killer (src/kernel/oom_kill.ts): an anonymous fault whose
     * allocation fails runs out_of_memory and retries. Off (default): the
     * allocation fails as if no OOM kill freed anything.
     */
    readonly oom?: boolean;
    /**
     * Without a driver actor, the CXL probe runs at boot (P converted to
     * sysram, CRAM registered) unless this is false: P is then absent until a
     * program op adds it.
     */
    readonly probe?: boolean;
  };
}

export function hasFix(cfg: KernelConfig, fix: string): boolean {
  return cfg.fixes.includes(fix);
}

export function isMutant(cfg: KernelConfig, mutant: string): boolean {
  return cfg.mutant === mutant;
}
