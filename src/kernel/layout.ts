// The kernel state is one Uint16Array; this file says where each field lives.
//
// Why a flat array: the explorer stores millions of states, and a flat array is
// cloned with one slice(), compared and hashed as words, and encoded canonically
// for free, provided every field is reset to 0 when its object dies (a freed
// folio, an unmapped PTE). Nothing of the modelled kernel may live outside it,
// or two different kernels would share a key and the exploration would be unsound.
//
// Each field has a length (entries, indexed as the comment says) and a maximum
// value, which tests use to catch overflow and a packer may use to save bits.

import type { KernelConfig } from './config.ts';
import { CRAM_PRESSURE_MAX, MAX_NR_ZONES } from './defs.ts';
import type { Geometry } from './geometry.ts';

export interface Field {
  readonly name: string;
  readonly off: number;
  readonly len: number;
  readonly max: number;
}

/** Registers per thread (locals of a staged operation). */
export const THREAD_REGS = 6;

// PG_FLAGS bits (model encoding of page flags; names follow include/linux/page-flags.h)
export const PG_head = 1 << 0; // head page of an allocated folio (order in PG_ORDER)
export const PG_tail = 1 << 1; // tail page of an allocated folio
export const PG_lru = 1 << 2;
export const PG_locked = 1 << 3;
export const PG_anon = 1 << 4; // folio_test_anon
export const PG_swapcache = 1 << 5;
export const PG_dirty = 1 << 6;
export const PG_writeback = 1 << 7;
export const PG_isolated_pb = 1 << 8; // pageblock MIGRATE_ISOLATE (offline in progress)
export const PG_hwpoison = 1 << 9;
export const PG_active = 1 << 10;
export const PG_unevictable = 1 << 11;
export const PG_reserved = 1 << 12; // not part of any block that is online
export const PG_hwpoison_ref = 1 << 13; // ghost: memory_failure's get_hwpoison_page reference, kept for good (INV-FOLIO-REFS counts it)

// GH_ALLOC bits (ghost: how the folio now at this pfn was allocated)
export const GA_PRIVATE_OK = 1 << 0; // gfp had __GFP_PRIVATE and the preferred nid was this page's node
export const GA_WHILE_BLOCKED = 1 << 1; // allocated on a private node while migration_blocked was set
export const GA_CONTIG = 1 << 2; // alloc_contig_pages (no numa_zone_alloc_allowed check)
export const GA_GFP_PRIVATE = 1 << 3; // gfp had __GFP_PRIVATE
export const GA_PREFERRED_HERE = 1 << 4; // the preferred nid was this page's node
// The page's flush_record bit was already set when this folio was allocated: left by an earlier
// folio whose last free skipped cxl_compression_flush_cb (CRAM unregistered, SEMANTICS 8.2 R6).
// v4 never clears such a bit before post_teardown frees the bitmap; the folio abstraction must not
// read it as this folio's deferred free (models/abstraction.ts).
export const GA_OVER_FLUSH_BIT = 1 << 5;

// PTE_KIND values
export const PTE_NONE = 0;
export const PTE_PRESENT = 1;
export const PTE_MIGRATION = 2;
export const PTE_SWAP = 3;
/** A hwpoison swap entry (make_hwpoison_entry): memory_failure unmapped a poisoned page here; VAL = its pfn. */
export const PTE_HWPOISON = 4;

// PTE_FLAGS bits
export const PTE_WRITE = 1 << 0;
export const PTE_DIRTY = 1 << 1;
export const PTE_PROTNONE = 1 << 2; // NUMA hinting (change_prot_numa)
export const PTE_MIG_WRITE = 1 << 3; // writable migration entry
export const PTE_YOUNG = 1 << 4;
// PageAnonExclusive of the page a present or migration PTE maps (one mapping,
// never shared by fork); on a swap PTE, SWP_EXCLUSIVE (pte_swp_exclusive):
// try_to_unmap carries it over, and do_swap_page may map the page writable
// without a COW only when it is set (mm/memory.c: do_swap_page).
export const PTE_EXCL = 1 << 5;

// VMA_FLAGS bits (VM_* of the vma covering this page slot)
export const VMA_MAPPED = 1 << 0;
export const VMA_READ = 1 << 1;
export const VMA_WRITE = 1 << 2;
export const VMA_SHARED = 1 << 3;
export const VMA_FILE = 1 << 4;
export const VMA_MAYWRITE = 1 << 5;
// VM_HUGEPAGE (madvise(MADV_HUGEPAGE)): do_anonymous_page may allocate a large
// folio for the aligned range (src/kernel/thp.ts).
export const VMA_HUGEPAGE = 1 << 6;

// THR_LOCKS bits: locks a thread holds between steps
export const LK_PTL = 1 << 0;
export const LK_MMAP_READ = 1 << 1;
export const LK_MMAP_WRITE = 1 << 2;
export const LK_MEM_HOTPLUG = 1 << 3;
export const LK_NODE_PRIVATE = 1 << 4;
export const LK_CRAM_MUTEX = 1 << 5;
export const LK_RCU = 1 << 6;
export const LK_DEVICE_HOTPLUG = 1 << 7;
export const LK_FOLIO = 1 << 8; // holds the lock of the folio in a register

// THR_REFS bits: references a thread holds between steps
export const REF_NP = 1 << 0; // node_private refcount (node_private_migrate_to)
export const REF_CN = 1 << 1; // cram_node refcount (get_cram_node)
// A reference to the displaced cram_node (CN_OLD_REF): one unpublished by cram_unregister_private_node
// and still draining when another owner's cram_register_private_node published a new one (`cram2`).
export const REF_CN_OLD = 1 << 2;

// GH_EVENTS bits: history the invariants judge (recorded by the model, never judged by it)
export const EV_OPS_AFTER_UNREGISTER = 1 << 0; // a callback of ops ran after node_private_unregister returned 0
export const EV_CN_USE_AFTER_FREE = 1 << 1; // a thread dereferenced a freed cram_node
export const EV_PTL_LEAK = 1 << 2; // handle_fault returned holding the PTL
export const EV_RETRY_NO_ALLOW = 1 << 3; // VM_FAULT_RETRY without FAULT_FLAG_ALLOW_RETRY
export const EV_FOLIO_GET_ZERO = 1 << 4; // folio_get on a refcount-0 folio (VM_BUG_ON under DEBUG_VM)
export const EV_NP_HELD_AFTER_UNREG = 1 << 5; // a thread held np after unregister returned 0
export const EV_MIGRATE_UNGATED = 1 << 6; // a P folio without MIGRATION was unmapped for migration
export const EV_LIFECYCLE = 1 << 7; // a lifecycle call succeeded out of order
export const EV_DATA_LOSS = 1 << 8; // a read returned content other than the last write
export const EV_DOUBLE_BUFFERED = 1 << 9; // a folio was appended to a flush buffer twice
export const EV_FREE_LEAK = 1 << 10; // a freed folio was kept out of the buddy for good
export const EV_NOWAIT_UNLOCK = 1 << 11; // a fault with FAULT_FLAG_RETRY_NOWAIT dropped the mmap lock
export const EV_PIN_NOT_EXCL = 1 << 12; // FOLL_PIN took an anon page that is not PageAnonExclusive

export interface KernelLayout {
  readonly words16: number;
  readonly fields: readonly Field[];
  // global
  readonly G_NP_INITIALIZED: Field; // [1] node_private_initialized (node_dev_init done)
  readonly G_CPUSET_MEMS: Field; // [1] root cpuset's effective mems (nodemask)
  readonly G_CPUSET_ENABLED: Field; // [1] cpusets_enabled()
  readonly G_DEMOTION_ENABLED: Field; // [1] numa_demotion_enabled
  readonly G_TICK: Field; // [1] flush kthread interval elapsed (0/1)
  // per node
  readonly NODE_STATES: Field; // [node] N_* bits
  readonly NODE_PRIVATE: Field; // [node] pgdat->private
  readonly NODE_NP: Field; // [node] pgdat->node_private: np slot + 1, 0 = NULL
  readonly NODE_KSWAPD: Field; // [node] 0 no thread, 1 sleeping, 2 woken
  readonly NODE_KCOMPACTD: Field; // [node] 0/1 running
  readonly NODE_KSWAPD_FAILURES: Field; // [node]
  readonly NODE_NR_ISOLATED_ANON: Field; // [node]
  readonly NODE_NR_ISOLATED_FILE: Field; // [node]
  readonly NODE_DEMOTION_TARGETS: Field; // [node] preferred demotion targets (nodemask)
  readonly NODE_IN_TIER: Field; // [node] 1 if placed in a memory tier
  readonly NODE_ZL_FALLBACK: Field; // [node * zones + i] global zone id + 1, 0-terminated
  readonly NODE_ZL_NOFALLBACK: Field; // [node * MAX_NR_ZONES + i] global zone id + 1, 0-terminated
  // per zone (global zone id)
  readonly ZONE_PRESENT: Field;
  readonly ZONE_MANAGED: Field;
  readonly ZONE_FREE: Field; // NR_FREE_PAGES
  readonly ZONE_AREA_NR_FREE: Field; // [zone * orders + order] free_area[order].nr_free
  readonly ZONE_WMARK_MIN: Field;
  readonly ZONE_WMARK_LOW: Field;
  readonly ZONE_WMARK_HIGH: Field;
  readonly ZONE_BOOST: Field; // watermark_boost
  readonly ZONE_BOOSTED: Field; // ZONE_BOOSTED_WATERMARK bit
  // per memory block
  readonly BLOCK_STATE: Field; // BLOCK_ABSENT / OFFLINE / ONLINE
  readonly BLOCK_PRIVATE_NP: Field; // np slot + 1 the block was added for (add_private_memory_driver_managed)
  // per pfn
  readonly PG_BUDDY: Field; // 0, or order + 1 for the head of a free buddy block
  readonly PG_FLAGS: Field;
  readonly PG_ORDER: Field; // folio order (head)
  readonly PG_REF: Field; // folio refcount (head)
  readonly PG_MAPCOUNT: Field; // folio mapcount (head)
  readonly PG_MAPPING: Field; // file folio: file * filePages + pgoff + 1; else 0
  readonly PG_SWAP: Field; // swap-cache folio: swap slot + 1
  readonly PG_CONTENT: Field; // page contents (0 = zeroed)
  readonly PG_FLUSH_BIT: Field; // compression driver flush_record bit for this page
  readonly PG_LRU_BATCH: Field; // cpu + 1 of the per-CPU lru_add batch the folio waits in (mm/swap.c: cpu_fbatches), 0 none
  readonly GH_ALLOC: Field; // ghost GA_* bits
  readonly GH_EXPECT: Field; // ghost: contents P's page may hold (last legitimate write) + 1, 0 = unknown
  // per mm
  readonly MM_LIVE: Field;
  // per (mm * vaddrs + vaddr)
  readonly VMA_FLAGS: Field;
  readonly VMA_FILE: Field; // file + 1
  readonly VMA_PGOFF: Field;
  readonly VMA_POL_MODE: Field;
  readonly VMA_POL_NODES: Field;
  readonly VMA_POL_FLAGS: Field;
  readonly PTE_KIND: Field;
  readonly PTE_FLAGS: Field;
  readonly PTE_VAL: Field; // pfn (present, migration) or swap slot (swap)
  readonly GH_LAST_WRITE: Field; // ghost: last value the program stored at this slot + 1
  // per (file * filePages + pgoff)
  readonly PCACHE: Field; // folio pfn + 1
  readonly FILE_DATA: Field; // contents on backing storage
  // per swap slot
  readonly SWAP_COUNT: Field;
  readonly SWAP_DATA: Field;
  readonly SWAP_CACHE: Field; // folio pfn + 1
  // per node_private slot (one per private node, the struct its driver embeds)
  readonly NP_REFCOUNT: Field;
  readonly NP_RELEASED: Field; // completion done
  readonly NP_OPS: Field; // ops table id: 0 NULL, 1 cram_ops, 2 + i = cfg.opsTables[i]
  readonly NP_MIGRATION_BLOCKED: Field;
  readonly GH_NP_UNREG_OPS: Field; // ghost: ops id + 1 when unregister returned 0 (cleared at re-register)
  // per node: struct cram_node in cram_nodes[nid]
  readonly CN_STATE: Field; // 0 none, 1 published, 2 unpublished (draining), 3 freed
  readonly CN_REFCOUNT: Field;
  readonly CN_PRESSURE: Field;
  readonly CN_PURGED: Field;
  readonly CN_OWNER: Field; // owner id + 1
  readonly CN_FLUSH_CB: Field; // 1 if flush_cb set
  readonly CN_OLD_REF: Field; // [node, only with two compression regions] refcount of the displaced cram_node still draining (0 = none)
  // compression driver (one instance, for geometry.privateNode)
  readonly DRV_STATE: Field; // probe / teardown stage
  readonly DRV_FLAGS: Field;
  readonly BUF_LEN: Field; // [buf]
  readonly BUF_ENT: Field; // [buf * bufMax + i] folio pfn + 1
  readonly CPU_BUF_ACTIVE: Field; // [cpu] buf + 1
  readonly CPU_BUF_OVERFLOW: Field; // [cpu] overflow_spare buf + 1
  readonly CPU_BUF_SPARE: Field; // [cpu] kthread spare buf + 1
  readonly CPU_OVERFLOW_PENDING: Field; // [cpu]
  // the compressed device
  readonly DEV_USED: Field; // physical units in use
  readonly DEV_LEVEL: Field; // 1 after an lthresh edge, 0 after hthresh
  readonly DEV_IRQ: Field; // pending edges: bit0 lthresh, bit1 hthresh
  readonly GH_USED_AT_BLOCK: Field; // ghost: DEV_USED when pressure last became 1000
  // threads
  readonly THR_OP: Field; // operation in progress (model op code), 0 idle
  readonly THR_STAGE: Field;
  readonly THR_PC: Field; // program counter (user CPUs)
  readonly THR_REG: Field; // [thread * THREAD_REGS + r]
  readonly THR_LOCKS: Field; // LK_* bits
  readonly THR_REFS: Field; // REF_* bits
  // ghost history
  readonly GH_EVENTS: Field; // EV_* bits
  readonly GH_EVENTS2: Field; // EV2_* bits (src/kernel/ghost.ts): KASAN-style and API-contract history
  // FOLL_LONGTERM pins (src/kernel/gup_longterm.ts), per thread
  readonly THR_LT_PIN: Field; // [thread] folio pfn + 1 the thread pinned (0 = none)
  readonly THR_LT_PIN_STAGE: Field; // [thread] PIN_* (gup_longterm.ts): pinned awaiting the check, or a long-term pin held
  readonly THR_PIN: Field; // [thread] pfn + 1 of the page the thread holds pinned (pin_user_pages, src/kernel/gup.ts)
  // cgroup v2 cpuset hierarchy (src/kernel/cpuset.ts): the child cpuset the user tasks run in (actors.cpuset)
  readonly CS_CHILD_MEMS: Field; // [child] each child cpuset's mems_allowed (cpuset.mems as written)
  readonly CS_CHILD_EFF: Field; // [child] each child cpuset's effective_mems
  // a second CXL region on the private node (src/cxl/region_b.ts), only in configs that have one
  readonly RB_FLAGS: Field; // [0 or 1] RB_* bits (src/kernel/np_owner.ts)
  readonly RB_A_OPS: Field; // [0 or 1] np->ops of region A's sysram while the np slot holds region B's np
  readonly TASK_MEMS: Field; // [cpu] the task's mems_allowed (tasks of the child cpuset)
  readonly VMA_POL_W: Field; // [mm * vaddrs + vaddr] the policy's w: cpuset_mems_allowed (or user_nodemask)
  // memory cgroup (src/kernel/memcontrol.ts): zero-length unless cfg.memcg
  readonly PG_MEMCG: Field; // [pfn] folio->memcg_data of a folio head: memcg id + 1, 0 = uncharged
  readonly MEMCG_USAGE: Field; // [memcg] memcg->memory page_counter usage (pages)
  // Task mempolicy (set_mempolicy, src/kernel/mempolicy.ts): current->mempolicy of each user CPU's task
  readonly TASK_POL_MODE: Field; // [cpu] MPOL_DEFAULT = no task policy
  readonly TASK_POL_NODES: Field; // [cpu]
  readonly TASK_POL_FLAGS: Field; // [cpu] MPOL_F_PRIVATE | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES
  readonly TASK_POL_W: Field; // [cpu] w: cpuset_mems_allowed, or user_nodemask with a user flag
  readonly TASK_IL_PREV: Field; // [cpu] current->il_prev: the node interleave_nodes picked last (MAX_NUMNODES - 1 after set_mempolicy)
  // cpuset.memory_migrate (src/kernel/cpuset_migrate.ts): the child's old_mems_allowed and cpuset_migrate_mm_wq
  readonly CS_OLD_MEMS: Field; // [child] cs->old_mems_allowed
  readonly CS_MIGQ_LEN: Field; // [1] queued cpuset_migrate_mm_work items (ordered workqueue)
  readonly CS_MIGQ_MM: Field; // [MIGQ] each item's mm
  readonly CS_MIGQ_FROM: Field; // [MIGQ] each item's from nodemask
  readonly CS_MIGQ_TO: Field; // [MIGQ] each item's to nodemask
  readonly CS_MIGQ_TMP: Field; // [1] the head item's do_migrate_pages 'tmp' (remaining sources), 0 before it starts
  readonly CS_MIGQ_STARTED: Field; // [1] the head item's do_migrate_pages has started
  readonly NODE_KSWAPD_KEPT: Field; // [node * keptWords + w] the node's pfns (bit pfn - first pfn) kswapd kept in its current balance_pgdat pass (vmscan.ts)
  readonly THR_MB_PASS: Field; // [thread] a staged migrate_pages_batch's pass, the next register it visits, the split batch (migrate_batch.ts)
  readonly VMA_POL_HOME: Field; // [mm * vaddrs + vaddr] set_mempolicy_home_node: home_node + 1, 0 = NUMA_NO_NODE (zero-length unless a program sets one)
  readonly TASK_CS: Field; // [cpu] the cpuset the task is in (task_cs): child + 1, 0 = the root; zero-length unless tasks move (cpuset_attach, cgroup v1's transfer)
  readonly CS_V1_XFER: Field; // [child] cgroup v1: remove_tasks_in_empty_cpuset's work is queued for the child (zero-length on v2)
}

/** The most pfns one node has (the width of NODE_KSWAPD_KEPT). */
function maxNodePfns(g: Geometry): number {
  const per = new Array<number>(g.nodes).fill(0);
  for (const b of g.blocks) per[b.node]! += b.pages;
  return Math.max(1, ...per);
}

/** 16-bit words of NODE_KSWAPD_KEPT per node: a bit per pfn of the largest node. */
export function keptWords(g: Geometry): number {
  return Math.ceil(maxNodePfns(g) / 16);
}

/** The fewest cpuset_migrate_mm_work items the model's queue holds (more where a config has more mms or cgroup.procs writes; an overflow is an internal error). */
export const CPUSET_MIGQ_MAX = 4;

class Builder {
  private off = 0;
  readonly fields: Field[] = [];
  add(name: string, len: number, max: number): Field {
    const f: Field = { name, off: this.off, len, max };
    this.off += len;
    this.fields.push(f);
    return f;
  }
  get size(): number {
    return this.off;
  }
}

export function buildLayout(cfg: KernelConfig, g: Geometry): KernelLayout {
  const b = new Builder();
  const N = g.nodes;
  const Z = g.zones;
  const P = g.pfns;
  const MV = cfg.mms * cfg.vaddrs;
  const FP = cfg.files * cfg.filePages;
  const T = g.threads.length;
  const C = cfg.cpus.length;
  const NP = cfg.nodes.filter((n) => n.kind === 'private').length;
  const U16 = 0xffff;
  const nodemask = (1 << N) - 1;
  // cpuset_migrate_mm_wq's capacity: only a config with a child cpuset queues work.
  // A hotplug event queues one item per mm of a child, and each cgroup.procs write one more before its writer's
  // flush: configs with more mms or moves get the slots they can fill (cpusetmove).
  const moves = cfg.cpus.reduce((a, c) => a + c.program.filter((o) => o.op === 'cpuset_attach').length, 0);
  const MIGQ = cfg.actors.cpuset ? Math.max(CPUSET_MIGQ_MAX, cfg.mms + moves + 1) : 0;
  // Child cpusets under the root (one unless cfg.cpusetChildren names siblings).
  const CS = cfg.cpusetChildren?.length ?? 1;
  const nOps = 2 + cfg.opsTables.length;
  // A second region on the private node exists only where a program probes it (zero-length fields elsewhere).
  // (So does a second compression region: config `cram2`, whose np takes the slot as region B's does.)
  const RB = cfg.cpus.some((c) => c.program.some((o) => o.op === 'cxl_mempolicy_probe')) || (cfg.driver.regions ?? 1) > 1 ? 1 : 0;
  // A VMA policy's home node exists only where a program sets one (zero-length field elsewhere).
  const HOME = cfg.cpus.some((c) => c.program.some((o) => o.op === 'set_mempolicy_home_node')) ? MV : 0;
  // Tasks move between child cpusets only where a program runs cpuset_attach (zero-length field elsewhere).
  // (cgroup v1 moves the tasks of an emptied cpuset to the root: they move there too.)
  const ATTACH = cfg.actors.cpuset && (cfg.cpusetV1 || cfg.cpus.some((c) => c.program.some((o) => o.op === 'cpuset_attach'))) ? C : 0;
  // Watermarks may be configured above the zone's pages (the kernel's are unsigned longs).
  const wmarkMax = Math.max(P, ...cfg.nodes.flatMap((n) => n.zones.map((z) => (z.wmark ? Math.max(z.wmark.min, z.wmark.low, z.wmark.high) : 0))));
  const L = {
    G_NP_INITIALIZED: b.add('G_NP_INITIALIZED', 1, 1),
    G_CPUSET_MEMS: b.add('G_CPUSET_MEMS', 1, nodemask),
    G_CPUSET_ENABLED: b.add('G_CPUSET_ENABLED', 1, 1),
    G_DEMOTION_ENABLED: b.add('G_DEMOTION_ENABLED', 1, 1),
    G_TICK: b.add('G_TICK', 1, 1),
    NODE_STATES: b.add('NODE_STATES', N, 15),
    NODE_PRIVATE: b.add('NODE_PRIVATE', N, 1),
    NODE_NP: b.add('NODE_NP', N, NP),
    NODE_KSWAPD: b.add('NODE_KSWAPD', N, 2),
    NODE_KCOMPACTD: b.add('NODE_KCOMPACTD', N, 1),
    NODE_KSWAPD_FAILURES: b.add('NODE_KSWAPD_FAILURES', N, 16),
    NODE_NR_ISOLATED_ANON: b.add('NODE_NR_ISOLATED_ANON', N, P),
    NODE_NR_ISOLATED_FILE: b.add('NODE_NR_ISOLATED_FILE', N, P),
    NODE_DEMOTION_TARGETS: b.add('NODE_DEMOTION_TARGETS', N, nodemask),
    NODE_IN_TIER: b.add('NODE_IN_TIER', N, 1),
    NODE_ZL_FALLBACK: b.add('NODE_ZL_FALLBACK', N * Z, Z),
    NODE_ZL_NOFALLBACK: b.add('NODE_ZL_NOFALLBACK', N * MAX_NR_ZONES, Z),
    ZONE_PRESENT: b.add('ZONE_PRESENT', Z, P),
    ZONE_MANAGED: b.add('ZONE_MANAGED', Z, P),
    ZONE_FREE: b.add('ZONE_FREE', Z, P),
    ZONE_AREA_NR_FREE: b.add('ZONE_AREA_NR_FREE', Z * g.orders, P),
    ZONE_WMARK_MIN: b.add('ZONE_WMARK_MIN', Z, wmarkMax),
    ZONE_WMARK_LOW: b.add('ZONE_WMARK_LOW', Z, wmarkMax),
    ZONE_WMARK_HIGH: b.add('ZONE_WMARK_HIGH', Z, wmarkMax),
    ZONE_BOOST: b.add('ZONE_BOOST', Z, P),
    ZONE_BOOSTED: b.add('ZONE_BOOSTED', Z, 1),
    BLOCK_STATE: b.add('BLOCK_STATE', g.blocks.length, 2),
    BLOCK_PRIVATE_NP: b.add('BLOCK_PRIVATE_NP', g.blocks.length, NP),
    PG_BUDDY: b.add('PG_BUDDY', P, g.orders),
    PG_FLAGS: b.add('PG_FLAGS', P, U16),
    PG_ORDER: b.add('PG_ORDER', P, cfg.maxOrder),
    PG_REF: b.add('PG_REF', P, 64),
    PG_MAPCOUNT: b.add('PG_MAPCOUNT', P, 64),
    PG_MAPPING: b.add('PG_MAPPING', P, FP),
    PG_SWAP: b.add('PG_SWAP', P, cfg.swapSlots),
    PG_CONTENT: b.add('PG_CONTENT', P, cfg.contentValues - 1),
    PG_FLUSH_BIT: b.add('PG_FLUSH_BIT', P, 1),
    PG_LRU_BATCH: b.add('PG_LRU_BATCH', P, C),
    GH_ALLOC: b.add('GH_ALLOC', P, 63),
    GH_EXPECT: b.add('GH_EXPECT', P, cfg.contentValues),
    MM_LIVE: b.add('MM_LIVE', cfg.mms, 1),
    VMA_FLAGS: b.add('VMA_FLAGS', MV, 127),
    VMA_FILE: b.add('VMA_FILE', MV, cfg.files),
    VMA_PGOFF: b.add('VMA_PGOFF', MV, cfg.filePages),
    VMA_POL_MODE: b.add('VMA_POL_MODE', MV, 5),
    VMA_POL_NODES: b.add('VMA_POL_NODES', MV, nodemask),
    VMA_POL_FLAGS: b.add('VMA_POL_FLAGS', MV, U16),
    PTE_KIND: b.add('PTE_KIND', MV, 4),
    PTE_FLAGS: b.add('PTE_FLAGS', MV, 63),
    PTE_VAL: b.add('PTE_VAL', MV, Math.max(P, cfg.swapSlots)),
    GH_LAST_WRITE: b.add('GH_LAST_WRITE', MV, cfg.contentValues),
    PCACHE: b.add('PCACHE', FP, P),
    FILE_DATA: b.add('FILE_DATA', FP, cfg.contentValues - 1),
    SWAP_COUNT: b.add('SWAP_COUNT', cfg.swapSlots, 64),
    SWAP_DATA: b.add('SWAP_DATA', cfg.swapSlots, cfg.contentValues - 1),
    SWAP_CACHE: b.add('SWAP_CACHE', cfg.swapSlots, P),
    NP_REFCOUNT: b.add('NP_REFCOUNT', NP, 64),
    NP_RELEASED: b.add('NP_RELEASED', NP, 1),
    NP_OPS: b.add('NP_OPS', NP, nOps),
    NP_MIGRATION_BLOCKED: b.add('NP_MIGRATION_BLOCKED', NP, 1),
    GH_NP_UNREG_OPS: b.add('GH_NP_UNREG_OPS', NP, nOps + 1),
    CN_STATE: b.add('CN_STATE', N, 3),
    CN_REFCOUNT: b.add('CN_REFCOUNT', N, 64),
    CN_PRESSURE: b.add('CN_PRESSURE', N, CRAM_PRESSURE_MAX),
    CN_PURGED: b.add('CN_PURGED', N, 1),
    CN_OWNER: b.add('CN_OWNER', N, 15),
    CN_FLUSH_CB: b.add('CN_FLUSH_CB', N, 1),
    // Zero-length unless two compression regions can register CRAM one inside the other's drain.
    CN_OLD_REF: b.add('CN_OLD_REF', (cfg.driver.regions ?? 1) > 1 ? N : 0, 64),
    // One driver instance per compression region: [region], and per-CPU pointers [region * C + cpu].
    DRV_STATE: b.add('DRV_STATE', g.compRegions, 63),
    DRV_FLAGS: b.add('DRV_FLAGS', g.compRegions, U16),
    BUF_LEN: b.add('BUF_LEN', g.flushBufs, cfg.driver.bufMax),
    BUF_ENT: b.add('BUF_ENT', g.flushBufs * cfg.driver.bufMax, P),
    CPU_BUF_ACTIVE: b.add('CPU_BUF_ACTIVE', C * g.compRegions, g.flushBufs),
    CPU_BUF_OVERFLOW: b.add('CPU_BUF_OVERFLOW', C * g.compRegions, g.flushBufs),
    CPU_BUF_SPARE: b.add('CPU_BUF_SPARE', C * g.compRegions, g.flushBufs),
    CPU_OVERFLOW_PENDING: b.add('CPU_OVERFLOW_PENDING', C * g.compRegions, 1),
    DEV_USED: b.add('DEV_USED', 1, U16),
    DEV_LEVEL: b.add('DEV_LEVEL', 1, 1),
    DEV_IRQ: b.add('DEV_IRQ', 1, 3),
    GH_USED_AT_BLOCK: b.add('GH_USED_AT_BLOCK', 1, U16),
    THR_OP: b.add('THR_OP', T, 255),
    THR_STAGE: b.add('THR_STAGE', T, 255),
    THR_PC: b.add('THR_PC', T, 255),
    THR_REG: b.add('THR_REG', T * THREAD_REGS, U16),
    THR_LOCKS: b.add('THR_LOCKS', T, U16),
    THR_REFS: b.add('THR_REFS', T, 7),
    GH_EVENTS: b.add('GH_EVENTS', 1, U16),
    GH_EVENTS2: b.add('GH_EVENTS2', 2, U16), // two words: EV2 bits 0-15 and 16-30
    THR_PIN: b.add('THR_PIN', T, P),
    THR_LT_PIN: b.add('THR_LT_PIN', T, P),
    THR_LT_PIN_STAGE: b.add('THR_LT_PIN_STAGE', T, 2),
    CS_CHILD_MEMS: b.add('CS_CHILD_MEMS', CS, nodemask),
    CS_CHILD_EFF: b.add('CS_CHILD_EFF', CS, nodemask),
    TASK_MEMS: b.add('TASK_MEMS', C, nodemask),
    VMA_POL_W: b.add('VMA_POL_W', MV, nodemask),
    PG_MEMCG: b.add('PG_MEMCG', cfg.memcg ? P : 0, 1),
    MEMCG_USAGE: b.add('MEMCG_USAGE', cfg.memcg ? 1 : 0, P),
    RB_FLAGS: b.add('RB_FLAGS', RB, U16),
    RB_A_OPS: b.add('RB_A_OPS', RB, nOps),
    TASK_POL_MODE: b.add('TASK_POL_MODE', C, 5),
    TASK_POL_NODES: b.add('TASK_POL_NODES', C, nodemask),
    TASK_POL_FLAGS: b.add('TASK_POL_FLAGS', C, U16),
    TASK_POL_W: b.add('TASK_POL_W', C, nodemask),
    TASK_IL_PREV: b.add('TASK_IL_PREV', C, 15),
    CS_OLD_MEMS: b.add('CS_OLD_MEMS', CS, nodemask),
    CS_MIGQ_LEN: b.add('CS_MIGQ_LEN', 1, MIGQ),
    CS_MIGQ_MM: b.add('CS_MIGQ_MM', MIGQ, Math.max(0, cfg.mms - 1)),
    CS_MIGQ_FROM: b.add('CS_MIGQ_FROM', MIGQ, nodemask),
    CS_MIGQ_TO: b.add('CS_MIGQ_TO', MIGQ, nodemask),
    CS_MIGQ_TMP: b.add('CS_MIGQ_TMP', 1, nodemask),
    CS_MIGQ_STARTED: b.add('CS_MIGQ_STARTED', 1, 1),
    NODE_KSWAPD_KEPT: b.add('NODE_KSWAPD_KEPT', N * keptWords(g), maxNodePfns(g) >= 16 ? 0xffff : (1 << maxNodePfns(g)) - 1),
    THR_MB_PASS: b.add('THR_MB_PASS', T, 255),
    // home_node + 1 of each VMA policy (0: NUMA_NO_NODE); only where a program calls set_mempolicy_home_node.
    VMA_POL_HOME: b.add('VMA_POL_HOME', HOME, N),
    // task_cs() of each user task: only where a program writes a pid into cgroup.procs (else CpuConfig.cpuset says).
    TASK_CS: b.add('TASK_CS', ATTACH, CS),
    CS_V1_XFER: b.add('CS_V1_XFER', cfg.actors.cpuset && cfg.cpusetV1 ? CS : 0, 1),
  };
  // Pad to whole 32-bit words so a state is also a Uint32Array key.
  const words16 = b.size + (b.size & 1);
  return { ...L, words16, fields: b.fields };
}
