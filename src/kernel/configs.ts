// Named machine configurations (tiny, small, canonical, large) and the
// parametric builder they come from. Topology follows SEMANTICS 3.3: D0 with
// CPUs, optionally D1 with CPUs, and P without CPUs holding only a MOVABLE zone
// (added by the CXL driver with MMOP_ONLINE_MOVABLE) in a slower memory tier.
//
// Sizing knobs (what makes the state space grow): user CPUs and the length of
// their programs, anon/file pages (each is a folio that can demote, fault,
// promote, be freed and flushed), P's pages, the background actors, the
// demotion batch and flush-buffer size. `canonical` is meant to be exhaustible
// in minutes; `large` is for model-based testing only.

import type { CpuConfig, CpusetChildConfig, KernelConfig, NodeConfig, OpsTableConfig, ProgramOp } from './config.ts';
import { allocMatrixProgram } from './alloc_matrix.ts';
import { NP_OPS_DEMOTION, NP_OPS_LONGTERM_PIN, NP_OPS_MEMPOLICY, NP_OPS_MIGRATION, NP_OPS_PROTECT_WRITE, NP_OPS_RECLAIM } from './defs.ts';

export interface ConfigParams {
  readonly name: string;
  /** User CPUs, all on D0 (D1 CPUs take over from the second CPU when dram1). */
  readonly cpus: number;
  /** Anonymous pages each CPU maps, writes and reads back. */
  readonly anonPages: number;
  /** Pages of the one shared file (mapped MAP_SHARED by cpu0, written with write(2) by the last CPU). */
  readonly filePages: number;
  /** A second DRAM node D1 with CPUs. */
  readonly dram1?: boolean;
  /** Extra program ops exercising the syscalls of SEMANTICS 10 (A2-A4). */
  readonly mprotect?: boolean;
  readonly fork?: boolean;
  readonly mbind?: boolean;
  readonly movePages?: boolean;
  /** A second write/read round per anon page (write faults on demoted folios). */
  readonly rewrite?: boolean;
  /** Background actors. */
  readonly kswapd?: boolean;
  readonly driver?: boolean;
  readonly device?: boolean;
  readonly flush?: boolean;
  readonly cpuset?: boolean;
  /** The CXL probe at boot when there is no driver actor (default true; false: P absent until a program op adds it). */
  readonly probe?: boolean;
  readonly demoteBatch?: 1 | 2;
  readonly bufMax?: 1 | 2;
  /** Swap slots (default: one per anon page, so swap never fills). */
  readonly swapSlots?: number;
  /** An asynchronous swap device (KernelConfig.swapAsync). */
  readonly swapAsync?: boolean;
  /** Extra pages of P beyond the demotable folios (default 0). */
  readonly extraPrivatePages?: number;
  /** Ops put before cpu0's program (a set_mempolicy, or an ops table swapped in, before the task's first fault). */
  readonly preOps?: readonly ProgramOp[];
  /** The administrator's cpuset.mems writes (KernelConfig.cpusetWrites). */
  readonly cpusetWrites?: readonly (readonly number[])[];
  /** Sibling child cpusets (KernelConfig.cpusetChildren); CPUs 0.. are in child 0 unless extraCpus say otherwise. */
  readonly cpusetChildren?: readonly CpusetChildConfig[];
  /** The legacy hierarchy's cpuset rules (KernelConfig.cpusetV1). */
  readonly cpusetV1?: boolean;
  /** Ops appended to cpu0's program (mutant scenarios: syscalls and driver API calls, see ProgramOp). */
  readonly extraOps?: readonly ProgramOp[];
  /** Extra user CPUs on D0, each in an existing mm (e.g. a second thread of mm 0). */
  readonly extraCpus?: readonly { readonly mm: number; readonly program: readonly ProgramOp[]; readonly forkChild?: boolean; readonly cpuset?: number }[];
  readonly opsTables?: readonly OpsTableConfig[];
  /** Extra mms beyond one per CPU (and the fork child's), for extra CPUs in an mm of their own (a tracer). */
  readonly extraMms?: number;
  /** Every CPU runs cpu0's program (in its own mm): interchangeable CPUs, as in race2. */
  readonly sameProgram?: boolean;
  readonly mutant?: string | null;
  readonly fixes?: readonly string[];
  /** Page slots per mm (default anonPages + filePages, at least 1). */
  readonly vaddrs?: number;
  /** P's blocks in the compression driver's region (DriverConfig.regionBlocks; default all). */
  readonly regionBlocks?: number;
  /** Compression regions on P (DriverConfig.regions): 2 = the blocks after regionBlocks are a second one. */
  readonly compressionRegions?: 2;
  /** The OOM killer (actors.oom, src/kernel/oom_kill.ts). */
  readonly oom?: boolean;
  /**
   * Large folios (src/kernel/thp.ts): the anon pages are one VM_HUGEPAGE range of
   * order-1 folios (every mmap first, then the stores), the buddy has order 1.
   */
  readonly thp?: boolean;
  /** Low and high watermark of P's zone in pages (default 0: kswapd(P) runs only when boosted). */
  readonly privateWmark?: number;
  /** One memory cgroup holding every user task, with this memory.max in pages (KernelConfig.memcg). */
  readonly memcgMax?: number;
  /** The zone of P's blocks (default MOVABLE; NORMAL: a range hot-added online_kernel, config zonenormal). */
  readonly privateZone?: 'NORMAL' | 'MOVABLE';
  /**
   * A second private node (the last node, MOVABLE only, d = 40 to every other
   * node) with this many pages; absent: none. The first private node stays the
   * compression driver's (geometry.privateNode); program ops add this one.
   */
  readonly secondPrivatePages?: number;
}

const BLOCK_PAGES = 2;
/** memory-tiers.h: MEMTIER_ADISTANCE_DRAM = 4 * 128 + 64 */
const ADIST_DRAM = 576;
/** The sysram driver puts P in a lower (slower) tier than DRAM. */
const ADIST_CRAM = 1152;

const COST: readonly [number, number, number] = [0, 2, 4];
const CONTENT_VALUES = 4;

/** homenode's and homenodeplain's program: PREFERRED_MANY over P (N2), home node Q (N1), then a write. */
const HOMENODE_PROGRAM: readonly ProgramOp[] = [
  { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
  { op: 'mbind', vaddr: 0, mode: 'preferred_many', nodes: [2] },
  { op: 'set_mempolicy_home_node', vaddr: 0, home: 1 },
  { op: 'write', vaddr: 0, value: 1 },
];

function blocksFor(pages: number): number {
  return Math.max(1, Math.ceil(pages / BLOCK_PAGES));
}

/** Value written to anon page i in round r: incompressible first (drives the device), then mixed. */
function anonValue(i: number, r: number): number {
  return r === 0 ? (i % 2 === 0 ? 3 : 1) : (i % 2 === 0 ? 2 : 1);
}

function programFor(p: ConfigParams, cpu: number, fileVaddr: number, childMm: number): ProgramOp[] {
  const ops: ProgramOp[] = [];
  const last = cpu === p.cpus - 1;
  if (p.thp) {
    // mmap + madvise(MADV_HUGEPAGE) of the whole range before the first store, so that
    // do_anonymous_page finds the aligned range inside the vma and maps a large folio.
    for (let i = 0; i < p.anonPages; i++) ops.push({ op: 'mmap', vaddr: i, kind: 'anon-thp', prot: 'rw' });
    for (let i = 0; i < p.anonPages; i++) ops.push({ op: 'write', vaddr: i, value: anonValue(i + cpu, 0) });
  } else {
    for (let i = 0; i < p.anonPages; i++) {
      ops.push({ op: 'mmap', vaddr: i, kind: 'anon', prot: 'rw' });
      ops.push({ op: 'write', vaddr: i, value: anonValue(i + cpu, 0) });
    }
  }
  if (cpu === 0) {
    for (let f = 0; f < p.filePages; f++) {
      ops.push({ op: 'mmap', vaddr: fileVaddr + f, kind: 'file-shared', file: 0, pgoff: f, prot: 'rw' });
      ops.push({ op: 'read', vaddr: fileVaddr + f });
    }
  }
  // Reads of (maybe) demoted folios: cram_fault runs on read faults too (SEMANTICS 11.5).
  for (let i = 0; i < p.anonPages; i++) ops.push({ op: 'read', vaddr: i });
  if (p.mprotect && cpu === 0 && p.anonPages > 0) {
    ops.push({ op: 'mprotect', vaddr: 0, prot: 'r' });
    ops.push({ op: 'mprotect', vaddr: 0, prot: 'rw' });
  }
  if (p.mbind && cpu === 0 && p.anonPages > 0) ops.push({ op: 'mbind', vaddr: 0, mode: 'bind', nodes: [p.dram1 ? 2 : 1] });
  if (p.movePages && cpu === 0 && p.anonPages > 0) ops.push({ op: 'move_pages', vaddr: 0, node: p.dram1 ? 2 : 1 });
  if (p.fork && cpu === 0) ops.push({ op: 'fork', child: childMm });
  if (p.rewrite) {
    for (let i = 0; i < p.anonPages; i++) {
      ops.push({ op: 'write', vaddr: i, value: anonValue(i + cpu, 1) });
      ops.push({ op: 'read', vaddr: i });
    }
  }
  // write(2) on a file page that may sit on P (A3), then a read through the mapping.
  if (last && p.filePages > 0) {
    ops.push({ op: 'pwrite', file: 0, pgoff: 0, value: 2 });
    if (cpu === 0) ops.push({ op: 'read', vaddr: fileVaddr });
  }
  return ops;
}

export function makeConfig(p: ConfigParams): KernelConfig {
  // DRAM must hold every folio at once (promotion targets included); P holds
  // every demotable folio. Watermarks: kswapd(D0) runs as soon as D0 has any
  // page in use (low = high = its size) and stops once it is empty again.
  const userPages = p.cpus * p.anonPages + p.filePages;
  const dramPages = userPages + 1;
  const privPages = userPages + (p.extraPrivatePages ?? 0);
  const d0Blocks = blocksFor(dramPages);
  const d0 = d0Blocks * BLOCK_PAGES;
  const nodes: NodeConfig[] = [
    { kind: 'dram', cpus: true, adistance: ADIST_DRAM, zones: [{ type: 'NORMAL', blocks: d0Blocks, wmark: { min: 0, low: d0, high: d0 } }] },
  ];
  if (p.dram1) nodes.push({ kind: 'dram', cpus: true, adistance: ADIST_DRAM, zones: [{ type: 'NORMAL', blocks: 1, wmark: { min: 0, low: 0, high: 0 } }] });
  nodes.push({ kind: 'private', cpus: false, adistance: ADIST_CRAM, zones: [{ type: p.privateZone ?? 'MOVABLE', blocks: blocksFor(privPages), wmark: { min: 0, low: p.privateWmark ?? 0, high: p.privateWmark ?? 0 } }] });
  const distance0 = p.dram1
    ? [[10, 21, 20], [21, 10, 30], [20, 30, 10]]
    : [[10, 20], [20, 10]];
  if (p.secondPrivatePages !== undefined) {
    nodes.push({ kind: 'private', cpus: false, adistance: ADIST_CRAM, zones: [{ type: 'MOVABLE', blocks: blocksFor(p.secondPrivatePages), wmark: { min: 0, low: 0, high: 0 } }] });
  }
  const distance = p.secondPrivatePages === undefined ? distance0 : [...distance0.map((r) => [...r, 40]), [...distance0.map(() => 40), 10]];
  const fileVaddr = p.anonPages;
  const vaddrs = p.vaddrs ?? Math.max(1, p.anonPages + p.filePages);
  const cpuMms = p.cpus;
  const mms = cpuMms + (p.fork ? 1 : 0) + (p.extraMms ?? 0);
  const cpus: CpuConfig[] = Array.from({ length: p.cpus }, (_, c) => ({
    node: p.dram1 && c % 2 === 1 ? 1 : 0,
    mm: c,
    program: [...(c === 0 ? p.preOps ?? [] : []), ...programFor(p, p.sameProgram ? 0 : c, fileVaddr, cpuMms), ...(c === 0 || p.sameProgram ? p.extraOps ?? [] : [])],
  }));
  for (const x of p.extraCpus ?? []) cpus.push({ node: 0, mm: x.mm, program: [...x.program], ...(x.forkChild ? { forkChild: true } : {}), ...(x.cpuset ? { cpuset: x.cpuset } : {}) });
  const batch = p.demoteBatch ?? 1;
  // The device's thresholds in cost units: lthresh is reached by one
  // incompressible page (cost[2]); physical capacity leaves room for exactly the
  // in-flight batch above it, so an unbounded overshoot exceeds it.
  const lthresh = COST[2];
  return {
    name: p.name,
    nodes,
    distance,
    blockPages: BLOCK_PAGES,
    maxOrder: p.thp ? 1 : 0,
    ...(p.thp ? { thpOrder: 1 } : {}),
    cpus,
    mms,
    vaddrs,
    files: p.filePages > 0 ? 1 : 0,
    filePages: Math.max(1, p.filePages),
    swapSlots: Math.max(1, p.swapSlots ?? p.cpus * p.anonPages),
    ...(p.swapAsync ? { swapAsync: true } : {}),
    contentValues: CONTENT_VALUES,
    device: { physUnits: lthresh + batch * COST[2], cost: COST, lthresh, hthresh: 0 },
    driver: {
      bufMax: p.bufMax ?? 1, mediaOps: true,
      ...(p.regionBlocks !== undefined ? { regionBlocks: p.regionBlocks } : {}),
      ...(p.compressionRegions !== undefined ? { regions: p.compressionRegions } : {}),
    },
    demoteBatch: batch,
    numaDemotionEnabled: true,
    opsTables: p.opsTables ?? [],
    ...(p.memcgMax !== undefined ? { memcg: { max: p.memcgMax } } : {}),
    mutant: p.mutant ?? null,
    fixes: p.fixes ?? [],
    choices: {},
    ...(p.cpusetWrites ? { cpusetWrites: p.cpusetWrites } : {}),
    ...(p.cpusetChildren ? { cpusetChildren: p.cpusetChildren } : {}),
    ...(p.cpusetV1 ? { cpusetV1: true } : {}),
    actors: {
      kswapd: p.kswapd ?? true,
      driver: p.driver ?? false,
      device: p.device ?? true,
      flush: p.flush ?? true,
      cpuset: p.cpuset ?? false,
      ...(p.probe === false ? { probe: false } : {}),
      ...(p.oom ? { oom: true } : {}),
    },
  };
}

// Sizes measured on this machine (2 cores), 12:10-12:18 UTC, model at that
// time. "faithful" = a plain BFS over kernelSystem with no fixes, run to the
// end (violations recorded, not stopping); "all fixes" = `cramcheck explore
// --config NAME --fix all`. The flush kthread multiplies the space by ~3600
// (three rotating per-CPU buffers) and the second write round by ~7700, so
// each config switches on only what it is meant to exercise.
//              faithful                    all fixes
//   tiny       409 states                  15,367 states (exhaustive)
//   small      13,076                      175,803 (exhaustive)
//   canonical  3,899,977 (15.0M trans,     1,716,297 (6.1M trans), 28.8 s,
//              ~150 s in the plain BFS)    all 23 properties hold
//   flush      934,470 (earlier model)     > 200 s, not finished
//   driver     119,458                     (stops: CONFORMANCE-folio)
//   pressure   804,568                     (stops: INV-DEVICE-CAPACITY, IRQ latency)
//   large      not exhaustible (MBT)
export const KERNEL_CONFIG_PARAMS = {
  // One CPU, one anon page: write, demotion by kswapd(D0), read fault on the
  // demoted folio -> cram_fault promotion (SEMANTICS 6.3, 6.4, 11.5).
  tiny: { name: 'tiny', cpus: 1, anonPages: 1, filePages: 0, flush: false },
  // + a shared file page and write(2) to it (A3), mprotect r/rw (A2).
  small: { name: 'small', cpus: 1, anonPages: 1, filePages: 1, mprotect: true, flush: false },
  // tiny + mprotect + a second write/read round: write faults on demoted
  // folios, device edges and both set_pressure IRQ threads (R2, R3).
  canonical: { name: 'canonical', cpus: 1, anonPages: 1, filePages: 0, rewrite: true, mprotect: true, flush: false },
  // tiny with the driver's deferred flush: free -> flush_cb -> kthread/overflow send -> second free (R6).
  flush: { name: 'flush', cpus: 1, anonPages: 1, filePages: 0, flush: true },
  // tiny with the driver thread: probe steps, teardown (cram_unregister, offline
  // retries, post_teardown, sysram_unregister) and the sysfs hotplug toggle (SEMANTICS 5, 7.2, 7.5).
  driver: { name: 'driver', cpus: 1, anonPages: 1, filePages: 0, flush: false, driver: true },
  // Three anon pages, one incompressible page reaches lthresh: demotion goes on
  // while the lthresh IRQ thread is pending, and back-pressure must hold the
  // rest back (INV-NO-OVERCOMMIT, SEMANTICS 6.5, 7.1, 8.2 R2).
  pressure: { name: 'pressure', cpus: 1, anonPages: 3, filePages: 0, flush: false },
  // Mutant scenarios (src/kernel/mutants, Mutant.config): the smallest
  // workload that reaches one site, with P = N1 probed at boot unless noted.
  // mbind(v0, BIND, [P]): P's cram_ops lack NP_OPS_MEMPOLICY, so v4 refuses it (mpol_set_nodemask).
  // Then kernel code allocates a page with alloc_pages_node(P) and no __GFP_PRIVATE:
  // numa_zone_alloc_allowed keeps it off P (rule 1), P's FALLBACK list gives D0.
  policy: { name: 'policy', cpus: 1, anonPages: 1, filePages: 0, flush: false, mbind: true, extraOps: [{ op: 'alloc_pages_node', node: 1 }] },
  // A second thread of mm 0 replaces P's ops by a table without NP_OPS_MIGRATION
  // (node_private_set_ops overwrites, SEMANTICS 4.4) at any point: after cpu0
  // made v0 a NUMA hinting PTE (change_prot_numa needs NUMA_BALANCING) and before
  // its NUMA fault (do_numa_page cannot migrate the folio and rebuilds the PTE),
  // or while cram_fault promotes v0 (try_to_migrate's gate, R4).
  nomig: {
    name: 'nomig', cpus: 1, anonPages: 1, filePages: 0, flush: false, rewrite: true,
    opsTables: [{ name: 'nomig', flags: NP_OPS_DEMOTION | NP_OPS_PROTECT_WRITE, callbacks: ['migrate_to', 'free_folio', 'handle_fault'] }],
    extraOps: [{ op: 'numa_hint', vaddr: 0 }, { op: 'read', vaddr: 0 }],
    extraCpus: [{ mm: 0, program: [{ op: 'node_private_set_ops', node: 1, table: 'nomig' }] }],
  },
  // The node_private / CRAM API from a second caller while the driver thread
  // probes and tears P down: register on the DRAM node D0 (v4 -EBUSY), register
  // P, CRAM on P (v4 -EINVAL until P is N_MEMORY_PRIVATE), unregister P (v4
  // -EBUSY while it is N_MEMORY_PRIVATE). No user pages.
  npapi: {
    name: 'npapi', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, driver: true,
    extraOps: [
      { op: 'node_private_register', node: 0, np: 0 }, { op: 'node_private_register', node: 1, np: 0 },
      { op: 'cram_register_private_node', node: 1 }, { op: 'node_private_unregister', node: 1 },
    ],
  },
  // A second thread of mm 0 writes v0 while cpu0's write fault promotes it: cram_fault's
  // folio_isolate_lru fails for one of them (F2), and the racing reference makes
  // the other's migration fail (F5).
  shared: {
    name: 'shared', cpus: 1, anonPages: 1, filePages: 0, flush: false, rewrite: true,
    extraCpus: [{ mm: 0, program: [{ op: 'write', vaddr: 0, value: 2 }] }],
  },
  // canonical without mprotect plus a third write/read round and two spare P
  // pages: three demotions of v0, each after a promotion by a write fault
  // (cram_fault); the device holds at most one demoted copy plus the in-flight
  // batch as long as promotion frees P's folio.
  cycles: {
    name: 'cycles', cpus: 1, anonPages: 1, filePages: 0, rewrite: true, flush: false, extraPrivatePages: 2,
    extraOps: [{ op: 'write', vaddr: 0, value: 3 }, { op: 'read', vaddr: 0 }],
  },
  // flush + MADV_DONTNEED of v0 after the read: the demoted folio is freed on P
  // and deferred by flush_cb while kswapd(P) and the send race for it (SEMANTICS
  // 4.2: the free_folio hook runs before the LRU removal).
  dontneed: { name: 'dontneed', cpus: 1, anonPages: 1, filePages: 0, flush: true, extraOps: [{ op: 'madv_dontneed', vaddr: 0 }] },
  // Coverage scenarios for the swap-cache edges of the folio machine (SEMANTICS 2.5, 6.3).
  // fork before the eviction: both mms hold v0's swap entry. cpu0 swaps v0 back
  // in (read-only: the entry is shared) and zaps it; the swap cache keeps the
  // folio until mm 1's thread faults on its entry (do_swap_page finds the
  // folio in the swap cache; writable unless mm 1 made v0 read-only first).
  swapin: {
    name: 'swapin', cpus: 1, anonPages: 1, filePages: 0, flush: false, fork: true,
    extraOps: [{ op: 'read', vaddr: 0 }, { op: 'madv_dontneed', vaddr: 0 }],
    extraCpus: [{ mm: 1, forkChild: true, program: [{ op: 'mprotect', vaddr: 0, prot: 'r' }, { op: 'read', vaddr: 0 }] }],
  },
  // pressure with a swap device of one slot: once v0 is swapped out, kswapd(D0)
  // cannot swap v1 (add_to_swap fails) and puts it back (activate_locked).
  swapfull: { name: 'swapfull', cpus: 1, anonPages: 2, filePages: 0, flush: false, swapSlots: 1 },
  // tiny with an asynchronous swap device: kswapd(P) leaves the evicted folio
  // in the swap cache under writeback (shrink_folio_list: goto keep), and the
  // read fault finds it there (do_swap_page maps the P folio, SEMANTICS 4.3).
  swapasync: { name: 'swapasync', cpus: 1, anonPages: 1, filePages: 0, flush: false, swapAsync: true },
  // Two anon pages and an asynchronous swap device: once v0's demotion blocks
  // P, kswapd(D0) swaps v1 out itself and keeps it under writeback; reads
  // find both folios in the swap cache (DRAM and P) before a later pass frees them.
  swapdram: { name: 'swapdram', cpus: 1, anonPages: 2, filePages: 0, flush: false, swapAsync: true },
  // driver with an asynchronous swap device: the teardown's offline finds an
  // evicted folio still in P's swap cache and migrates it off (coverage scenario).
  swapteardown: { name: 'swapteardown', cpus: 1, anonPages: 1, filePages: 0, flush: false, driver: true, swapAsync: true },
  // A second thread of mm 0 zaps v0 (MADV_DONTNEED) while cpu0's read fault
  // holds the demoted folio isolated in cram_fault (F2): the last put is cram_fault's (R1).
  zapiso: {
    name: 'zapiso', cpus: 1, anonPages: 1, filePages: 0, flush: false,
    extraCpus: [{ mm: 0, program: [{ op: 'madv_dontneed', vaddr: 0 }] }],
  },
  // No probe: a driver on cpu0 adds P's range offline for np0, then adds it again
  // (the sysram hotplug attribute re-adding it): -EEXIST, and the error path's
  // node_private_unregister succeeds because P is not N_MEMORY_PRIVATE; onlining
  // the block then makes P ordinary N_MEMORY (finding unregister-busy-while-present).
  offlineadd: {
    name: 'offlineadd', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, probe: false,
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'offline' },
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'online_pages', node: 1 },
    ],
  },
  // canonical with a second user CPU: each CPU in its own mm runs canonical's
  // program (kswapd, the device and both IRQ threads as in canonical), so the
  // races that need two CPUs (two faults against one demotion batch, a fault
  // against the pressure edge) are explored exhaustively rather than sampled.
  // CPUs 0 and 1 are interchangeable (`--symmetry`): kernel threads choose
  // their CPU per step (kthread_cpu.ts). Not exhausted here even so: 8,983,874
  // states at depth 48 in 30 min with --symmetry (README, Reductions).
  race2: { name: 'race2', cpus: 2, anonPages: 1, filePages: 0, rewrite: true, mprotect: true, flush: false, sameProgram: true },
  // The allocation matrix (issue 10, class 6): D0, D1 and P, one CPU on D0 whose
  // kernel code allocates and frees one page per op over gfp {GFP_HIGHUSER_MOVABLE
  // alone, +__GFP_THISNODE, +__GFP_PRIVATE, +both} x nodemask {none, {D0}, {D1},
  // {P}} x preferred {D0, P}, plus a GFP_KERNEL private request (zone index below
  // P's MOVABLE zone) and a non-blocking __GFP_HIGH one; the cpuset toggle
  // interleaves (mems with and without P). No background actors.
  allocmatrix: {
    name: 'allocmatrix', cpus: 1, anonPages: 0, filePages: 0, dram1: true, flush: false, kswapd: false, device: false, cpuset: true,
    extraOps: allocMatrixProgram([0, 2], 3),
  },
  // The node_private API's errno rows from one caller, no driver actor and no
  // CRAM (SEMANTICS 4.4): a driver on cpu0 adds P for np0 (register + online),
  // then set_ops with an invalid table (MEMPOLICY without MIGRATION: -EINVAL),
  // set_ops(other) = 0, clear_ops with the wrong table (-EINVAL), register again
  // (same np: 0), register on D0 (-EBUSY), unregister P (-EBUSY while
  // N_MEMORY_PRIVATE), clear_ops(other) = 0, set_ops on D0 (-ENODEV).
  opsrows: {
    name: 'opsrows', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false,
    opsTables: [
      { name: 'bad', flags: NP_OPS_DEMOTION | NP_OPS_MEMPOLICY, callbacks: [] },
      { name: 'other', flags: NP_OPS_DEMOTION | NP_OPS_PROTECT_WRITE, callbacks: ['migrate_to', 'free_folio', 'handle_fault'] },
    ],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 1, table: 'bad' },
      { op: 'node_private_set_ops', node: 1, table: 'other' },
      { op: 'node_private_clear_ops', node: 1, table: 'bad' },
      { op: 'node_private_register', node: 1, np: 0 },
      { op: 'node_private_register', node: 0, np: 0 },
      { op: 'node_private_unregister', node: 1 },
      { op: 'node_private_clear_ops', node: 1, table: 'other' },
      { op: 'node_private_set_ops', node: 0, table: 'other' },
    ],
  },
  // Long-term pinning (issue 12 item 9, src/kernel/gup_longterm.ts). No CRAM: a
  // driver on cpu0 adds P for np0 and sets 'nopin' (MIGRATION without
  // LONGTERM_PIN), maps v0, moves it to P with move_pages, pins it with
  // pin_user_pages(FOLL_LONGTERM), reads it and unpins it. A second thread of
  // mm 0 replaces the ops by 'pin' (LONGTERM_PIN) and then clears them, at any
  // point: the pin is refused and migrated to DRAM ('nopin'), refused and fails
  // with -ENOMEM (ops NULL: no MIGRATION), or granted on P ('pin'), and the ops
  // can go while a granted pin is held.
  longpin: {
    name: 'longpin', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false,
    opsTables: [
      { name: 'nopin', flags: NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_RECLAIM | NP_OPS_PROTECT_WRITE, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] },
      { name: 'pin', flags: NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_RECLAIM | NP_OPS_PROTECT_WRITE | NP_OPS_LONGTERM_PIN, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] },
    ],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 1, table: 'nopin' },
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
      { op: 'write', vaddr: 0, value: 1 },
      { op: 'move_pages', vaddr: 0, node: 1 },
      { op: 'pin_user_pages', vaddr: 0 },
      { op: 'read', vaddr: 0 },
      { op: 'unpin_user_pages' },
    ],
    extraCpus: [{ mm: 0, program: [{ op: 'node_private_set_ops', node: 1, table: 'pin' }, { op: 'node_private_clear_ops', node: 1, table: 'pin' }] }],
  },
  // The OOM killer with NP_OPS_OOM_ELIGIBLE (issue 12 item 12, src/kernel/oom_kill.ts).
  // No CRAM: a driver on cpu0 adds P (4 pages) for np0 with 'nooom'
  // (MIGRATION|MEMPOLICY: not OOM-eligible) and moves mm 0's three anon pages
  // there with move_pages; cpu1 (mm 1) faults three anon pages into D0, which
  // holds two: the third fault runs out_of_memory, which picks the process
  // with the highest badness.
  oom: {
    name: 'oom', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false, oom: true,
    extraPrivatePages: 4, extraMms: 1, vaddrs: 3,
    opsTables: [{ name: 'nooom', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 1, table: 'nooom' },
      ...[0, 1, 2].flatMap((v): ProgramOp[] => [
        { op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' },
        { op: 'write', vaddr: v, value: 1 },
        { op: 'move_pages', vaddr: v, node: 1 },
      ]),
    ],
    extraCpus: [{ mm: 1, program: [0, 1, 2].flatMap((v): ProgramOp[] => [{ op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: v, value: 2 }]) }],
  },
  // memory_failure with v4's notification (issue 12 item 12, src/kernel/memory_failure.ts).
  // No CRAM: a driver on cpu0 adds P (2 pages) for np0 with 'mf' (a
  // memory_failure callback), moves v0 there, unmaps it, clears the ops and
  // tears P down (offline_and_remove_private_memory + unregister). A second
  // CPU injects a hardware error on P's first page at any point: free, in use
  // by v0, freed again, or offline.
  hwpoison: {
    name: 'hwpoison', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false,
    extraPrivatePages: 2,
    opsTables: [{ name: 'mf', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero', 'memory_failure'] }],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 1, table: 'mf' },
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
      { op: 'write', vaddr: 0, value: 1 },
      { op: 'move_pages', vaddr: 0, node: 1 },
      { op: 'munmap', vaddr: 0 },
      { op: 'node_private_clear_ops', node: 1, table: 'mf' },
      { op: 'offline_and_remove_private_memory', node: 1 },
    ],
    extraCpus: [{ mm: 0, program: [{ op: 'memory_failure', node: 1, page: 0 }] }],
  },
  // tiny with a long-term pin after the read: CRAM's ops lack NP_OPS_LONGTERM_PIN,
  // so a pin of the demoted folio migrates it off P with GFP_USER (not through
  // cram_fault): CRAM's folio_migrate and free_folio run on that path.
  longpincram: {
    name: 'longpincram', cpus: 1, anonPages: 1, filePages: 0, flush: false,
    extraOps: [{ op: 'pin_user_pages', vaddr: 0 }, { op: 'read', vaddr: 0 }, { op: 'unpin_user_pages' }],
  },
  // GUP on a demoted page (issue 12 item 8), no device (no pressure edges).
  // cpu0 writes v0, reads it, pins it read-only (pin_user_pages: no fault on an
  // exclusive page, so the pin may hold P's folio), makes it read-only, then
  // unpins. A tracer in mm 1 pokes v0 (ptrace POKEDATA:
  // get_user_pages_remote(FOLL_FORCE|FOLL_WRITE) with locked NULL, so no
  // FAULT_FLAG_ALLOW_RETRY): a write fault on the pinned P folio makes
  // cram_fault's promotion fail; after the mprotect the poke needs no fault.
  gup: {
    name: 'gup', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false, extraMms: 1,
    extraOps: [{ op: 'gup', vaddr: 0, write: false, pin: true }, { op: 'mprotect', vaddr: 0, prot: 'r' }, { op: 'unpin' }],
    extraCpus: [{ mm: 1, program: [{ op: 'gup', mm: 0, vaddr: 0, write: true, value: 1, force: true }] }],
  },
  // gup's pin, and a second thread of mm 0 writing v0 through a FOLL_NOWAIT
  // get_user_pages_unlocked (KVM's async page fault path: ALLOW_RETRY|RETRY_NOWAIT).
  gupnowait: {
    name: 'gupnowait', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false,
    extraOps: [{ op: 'gup', vaddr: 0, write: false, pin: true }, { op: 'unpin' }],
    extraCpus: [{ mm: 0, program: [{ op: 'gup', vaddr: 0, write: true, value: 2, locked: true, nowait: true }] }],
  },
  // fork after the write: v0 is shared (not exclusive) in both mms; cpu0 pins it
  // read-only, which needs an UNSHARE fault (gup_must_unshare): on P it is
  // dispatched to cram_fault first, on DRAM do_wp_page copies or reuses it; the
  // child reads v0 after.
  gupfork: {
    name: 'gupfork', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false, fork: true,
    extraOps: [{ op: 'gup', vaddr: 0, write: false, pin: true }, { op: 'unpin' }],
    extraCpus: [{ mm: 1, forkChild: true, program: [{ op: 'read', vaddr: 0 }] }],
  },
  // Fork of a long-term pinned page (issue 12 item 9): tiny without the device,
  // then cpu0 pins v0 (pin_user_pages(FOLL_LONGTERM): a demoted folio is
  // migrated off P first, CRAM lacks LONGTERM_PIN), forks into mm 1 (the pinned
  // PageAnonExclusive page is copied for the child at once: copy_present_page),
  // writes v0 again (in place: the page stays exclusive), reads it and unpins.
  // The child reads v0.
  forkpin: {
    name: 'forkpin', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false, extraMms: 1,
    extraOps: [{ op: 'pin_user_pages', vaddr: 0 }, { op: 'fork', child: 1 }, { op: 'write', vaddr: 0, value: 3 }, { op: 'read', vaddr: 0 }, { op: 'unpin_user_pages' }],
    extraCpus: [{ mm: 1, forkChild: true, program: [{ op: 'read', vaddr: 0 }] }],
  },
  // A write long-term pin (issue 12 item 9): tiny without the device, then cpu0
  // pins v0 with pin_user_pages(FOLL_LONGTERM | FOLL_WRITE). A demoted folio's
  // PTE is read-only, so the pin takes a write fault without
  // FAULT_FLAG_ALLOW_RETRY: v4 dispatches it to cram_fault, which promotes it;
  // the pin then follows the DRAM PTE (a second write fault makes it writable).
  longpinw: {
    name: 'longpinw', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false,
    extraOps: [{ op: 'pin_user_pages', vaddr: 0, write: true }, { op: 'read', vaddr: 0 }, { op: 'unpin_user_pages' }],
  },
  // memory_failure of a mapped private page (issue 12 item 12): hwpoison's
  // driver and 'mf' ops, no teardown; cpu0 moves v0 to P, reads it, forks (a
  // hwpoison entry is copied to the child) and reads it again (no store: the
  // 'mf' node is not CRAM, but INV-WRITE-PATH judges every store to P). cpu1 injects the error
  // on P's first page at any point: hwpoison_user_mappings turns v0's PTE into
  // a hwpoison entry and the next access gets SIGBUS.
  hwpoisonmap: {
    name: 'hwpoisonmap', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false,
    extraPrivatePages: 2, extraMms: 1,
    opsTables: [{ name: 'mf', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero', 'memory_failure'] }],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 1, table: 'mf' },
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
      { op: 'write', vaddr: 0, value: 1 },
      { op: 'move_pages', vaddr: 0, node: 1 },
      { op: 'read', vaddr: 0 },
      { op: 'fork', child: 1 },
      { op: 'read', vaddr: 0 },
    ],
    extraCpus: [{ mm: 0, program: [{ op: 'memory_failure', node: 1, page: 0 }] }, { mm: 1, forkChild: true, program: [{ op: 'read', vaddr: 0 }] }],
  },
  // The driver's probe and teardown (P online, then offline) under an
  // administrator writing the child cpuset's cpuset.mems: every node, the DRAM
  // nodes only, the private node only; the task allocates, is demoted and faults.
  cpusets: { name: 'cpusets', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false, driver: true, cpuset: true },
  // race2 without the compression device's actor (no device edges, no IRQ
  // threads: pressure never changes): two CPUs, each in its own mm, run
  // canonical's program (write, read, mprotect r/rw, a second write/read
  // round) against kswapd's demotions and cram_fault promotions. The two-CPU
  // configuration exhausted in CI: 2,246,984 states, depth 90, every fix on
  // (1,123,493 with --symmetry, as .ci/run explores it).
  // Same kernel steps as race2; what it drops is the device and both
  // set_pressure IRQ threads (race2 keeps them and does not finish here).
  // Tried and too large for CI: race2 without the second round (stopped at
  // 3.3M states, depth 45, 11 min) and tiny with a second CPU (stopped at
  // 1.7M states, depth 45).
  race2small: { name: 'race2small', cpus: 2, anonPages: 1, filePages: 0, rewrite: true, mprotect: true, flush: false, device: false, sameProgram: true },
  // Two anon pages (incompressible, mixed) demoted in one kswapd batch (issue 12 item 4):
  // migrate_pages_batch allocates and unmaps one folio per step, so the lthresh IRQ
  // thread can block the node between the two allocations (the second fails, the
  // first still moves) or after both (the batch overshoots the edge by two folios).
  batch2: { name: 'batch2', cpus: 1, anonPages: 2, filePages: 0, flush: false, demoteBatch: 2 },
  // Large folios (issue 12 item 9, src/kernel/thp.ts): one order-1 anon folio (two pages
  // of a VM_HUGEPAGE range) faulted in whole, demoted whole by kswapd(D0) into CRAM
  // (alloc_cram_folio of the source's order), promoted whole by cram_fault on a read
  // or write of either page, split by kswapd(P) when the device's lthresh boost
  // makes it evict (no THP_SWAP: shrink_folio_list splits before add_to_swap), and
  // split on -ENOMEM by migrate_pages when the demotion target has no order-1 block.
  thp: { name: 'thp', cpus: 1, anonPages: 2, filePages: 0, rewrite: true, flush: false, thp: true },
  // thp with a service that has a folio_split callback (cram_ops has none): before any
  // fault cpu0 replaces P's ops (node_private_set_ops overwrites) by a table with CRAM's
  // flags and plain migrate_to (it ignores back-pressure, so there is no device here). P's
  // watermarks are its size: kswapd(P), started by CRAM at boot, reclaims as soon as the
  // order-1 folio lands, splits it before swap-out, and v4 must call folio_split once for
  // the new folio and once with NULL (INV-SPLIT-CB).
  thpsplit: {
    name: 'thpsplit', cpus: 1, anonPages: 2, filePages: 0, flush: false, thp: true, device: false, privateWmark: 2,
    opsTables: [{ name: 'splitcb', flags: NP_OPS_MIGRATION | NP_OPS_DEMOTION | NP_OPS_PROTECT_WRITE | NP_OPS_RECLAIM, callbacks: ['migrate_to', 'folio_split', 'folio_migrate', 'free_folio_zero', 'handle_fault'] }],
    preOps: [{ op: 'node_private_set_ops', node: 1, table: 'splitcb' }],
  },
  // Issue 12 item 11: two CXL regions on P (one fixed memory window), each with its own
  // sysram and embedded np: region A (block 0) is the compression driver's (the driver
  // thread: probe, teardown, re-probe, sysfs toggle, signal); region B (block 1) is the
  // cxl_mempolicy driver's, probed, removed and probed again by a second CPU.
  // Two compression regions on P (issue 12 item 11): block 0 is region A
  // (the driver actor), block 1 a second region of the same device, driven by
  // a second instance of the same driver code (driver2: its own sysram and np,
  // flush context, CRAM owner). Both probe, tear down and re-probe; cpu0
  // demotes a page onto P and writes it back (the frees reach whichever
  // region's flush_cb CRAM holds).
  cram2: {
    name: 'cram2', cpus: 1, anonPages: 1, filePages: 0, flush: false, driver: true, extraPrivatePages: 2, regionBlocks: 1, compressionRegions: 2,
  },
  tworegions: {
    name: 'tworegions', cpus: 1, anonPages: 1, filePages: 0, flush: false, driver: true, extraPrivatePages: 2, regionBlocks: 1,
    opsTables: [{ name: 'cxl_mempolicy', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate'] }],
    extraMms: 1,
    extraCpus: [{
      mm: 1,
      program: [
        { op: 'cxl_mempolicy_probe', node: 1, table: 'cxl_mempolicy' },
        { op: 'cxl_mempolicy_remove', node: 1, table: 'cxl_mempolicy' },
        { op: 'cxl_mempolicy_probe', node: 1, table: 'cxl_mempolicy' },
      ],
    }],
  },
  // Task mempolicy and cpuset.memory_migrate (issue 12 item 10). D0, D1 and P
  // (N2, probed and torn down by the driver actor). cpu0 (on D0) first sets a
  // task policy BIND with MPOL_F_RELATIVE_NODES over relative node 1 (the
  // second node of its mems_allowed: D1 while P is absent, P once it is
  // online), then writes and reads v0: its fault allocates under the task
  // policy. The administrator writes cpuset.mems = every node, the DRAM nodes,
  // or {D0, P}: each change rebinds the task policy and queues a
  // do_migrate_pages of mm0 ({D0,D1} -> {D0,P} maps D1 onto P).
  mpolflags: {
    name: 'mpolflags', cpus: 1, anonPages: 1, filePages: 0, dram1: true, flush: false, device: false, driver: true, cpuset: true,
    preOps: [{ op: 'set_mempolicy', mode: 'bind', nodes: [1], flags: 'relative' }],
    cpusetWrites: [[0, 1, 2], [0, 1], [0, 2]],
  },
  // Task mempolicies beyond faults (issue 12 item 10): cpu0's task sets
  // MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES over relative node 1, allocates a
  // kernel page in its own context (pipe_write's alloc_page: alloc_pages ->
  // interleave_nodes, il_prev), forks (the child's task gets a copy of the
  // policy: mpol_dup) and allocates again; the child allocates, switches to
  // MPOL_PREFERRED_MANY and allocates. mpolflags' cpuset.mems writes and the
  // driver's probe and teardown rebind both tasks. No user pages.
  taskpol: {
    name: 'taskpol', cpus: 1, anonPages: 0, filePages: 0, dram1: true, flush: false, device: false, driver: true, cpuset: true, kswapd: false,
    extraMms: 1,
    preOps: [{ op: 'set_mempolicy', mode: 'interleave', nodes: [1], flags: 'relative' }],
    cpusetWrites: [[0, 1, 2], [0, 1], [0, 2]],
    extraOps: [{ op: 'alloc_page_current' }, { op: 'fork', child: 1 }, { op: 'alloc_page_current' }],
    extraCpus: [{
      mm: 1, forkChild: true,
      program: [{ op: 'alloc_page_current' }, { op: 'set_mempolicy', mode: 'preferred_many', nodes: [0, 1] }, { op: 'alloc_page_current' }],
    }],
  },
  // The sysram `hotplug` attribute written online_kernel (issue 12 item 11):
  // v4's hotplug_store hands the type to add_private_memory_driver_managed,
  // which refuses none, so P's range is onlined into ZONE_NORMAL (P's only
  // zone here). No CRAM: a driver on cpu0 adds P that way for np0 with 'mpol'
  // (MIGRATION | MEMPOLICY), binds v0 to P, faults it there, pins it long-term
  // (migrated off: no LONGTERM_PIN) and tears P down; a second CPU of the same
  // mm runs the allocation matrix over preferred {D0, P} meanwhile
  // (GFP_KERNEL | __GFP_PRIVATE finds a zone on P while it is online).
  zonenormal: {
    name: 'zonenormal', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false, cpuset: true,
    privateZone: 'NORMAL', extraPrivatePages: 2,
    opsTables: [{ name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'kernel' },
      { op: 'node_private_set_ops', node: 1, table: 'mpol' },
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
      { op: 'mbind', vaddr: 0, mode: 'bind', nodes: [1] },
      { op: 'write', vaddr: 0, value: 1 },
      { op: 'pin_user_pages', vaddr: 0 },
      { op: 'read', vaddr: 0 },
      { op: 'unpin_user_pages' },
      { op: 'offline_and_remove_private_memory', node: 1 },
    ],
    // Kernel code of the same task on a second CPU: the allocation matrix, interleaved with the hot-add and the teardown.
    extraCpus: [{ mm: 0, program: allocMatrixProgram([0, 1], 2) }],
  },
  // driver with the cxl-flush kthread (and the overflow works) and no device
  // IRQs: v4's convert_region_to_sysram starts the kthread before it registers
  // the flush callback and post_teardown stops it, so a teardown waiting in
  // offline_pages for a free CRAM's free_folio deferred into a flush buffer is
  // released by the kthread's send. The liveness check of the teardown.
  driverflush: { name: 'driverflush', cpus: 1, anonPages: 1, filePages: 0, flush: true, driver: true, device: false },
  large: {
    name: 'large', cpus: 3, anonPages: 2, filePages: 2, dram1: true, rewrite: true, mprotect: true, fork: true,
    mbind: true, movePages: true, driver: true, cpuset: true, demoteBatch: 2, bufMax: 2,
  },
  // Memory cgroups (issue 12 item 12, src/kernel/memcontrol.ts): tiny's task in a
  // memcg with memory.max = 1 page, then a second anon page: its charge finds v0
  // charged (on D0, or on P after a demotion: the charge moved with it) and runs
  // memcg reclaim (demote or swap v0); when that frees nothing the charge fails
  // (VM_FAULT_OOM: no OOM actor, the model's convention where the kernel would
  // kill). No device, no flush kthread.
  memcg: {
    name: 'memcg', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false, memcgMax: 1, vaddrs: 2, swapSlots: 2,
    extraOps: [{ op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 1 }, { op: 'read', vaddr: 0 }],
  },
  // memcg's limit with the flush-buffer deferral: the task drops v0
  // (MADV_DONTNEED) and faults v1. If v0 was demoted, its free is deferred by
  // cxl_compression_flush_cb (no flush kthread here: the buffer is not sent)
  // and v0's charge stays until the driver's second put.
  memcgfree: {
    name: 'memcgfree', cpus: 1, anonPages: 1, filePages: 0, flush: false, device: false, memcgMax: 1, vaddrs: 2, swapSlots: 2,
    extraOps: [{ op: 'madv_dontneed', vaddr: 0 }, { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 1 }],
  },
  // memcg OOM (issue 12 item 12): two CPUs, each its own mm, run tiny's program (write v0,
  // read v0) in one memcg with memory.max = 1 page and the OOM killer on
  // (mem_cgroup_out_of_memory, CONSTRAINT_MEMCG). The second fault finds the other task's
  // v0 charged and reclaims as steps of its CPU while kswapd(D0) may be demoting that v0
  // (staged migrate_pages_batch); when the passes find nothing the memcg OOM kills the
  // other task (badness 1 against 0), reaping it under kswapd's migration entry. No
  // device, no flush kthread.
  memcgoom: {
    name: 'memcgoom', cpus: 2, anonPages: 1, filePages: 0, flush: false, device: false, memcgMax: 1, oom: true, swapSlots: 1, sameProgram: true,
  },
  // The OOM killer's constraints against the child cpuset and task mempolicies (issue 12
  // item 12, v4 patch 17's constrained_alloc / oom_cpuset_eligible). D0 (2 pages), D1, P
  // ('nooom': MIGRATION|MEMPOLICY, not OOM-eligible); no kswapd, no device. cpu1's task
  // (mm 1) binds itself to D1 (set_mempolicy) and writes two pages there; cpu0 (mm 0) writes
  // three pages with the default policy, then a fourth in a VMA bound to D0. The
  // administrator may restrict the child cpuset to D0: the third fault then finds D0 full
  // and D1 outside its mems (CONSTRAINT_CPUSET); the fourth always runs a
  // CONSTRAINT_MEMORY_POLICY OOM, which skips mm 1 while its task policy is bound to D1
  // (mempolicy_in_oom_domain; the cpuset write rebinds it to D0): without the skip mm 1 (badness
  // 2, the last of equals) would be killed for memory on D1 that cannot relieve D0.
  oomcpuset: {
    name: 'oomcpuset', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false, oom: true,
    dram1: true, cpuset: true, cpusetWrites: [[0]], extraMms: 1, vaddrs: 4, extraPrivatePages: 2,
    opsTables: [{ name: 'nooom', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    preOps: [
      { op: 'add_private_memory', node: 2, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 2, table: 'nooom' },
    ],
    extraOps: [
      ...[0, 1, 2].flatMap((v): ProgramOp[] => [{ op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: v, value: 1 }]),
      { op: 'mmap', vaddr: 3, kind: 'anon', prot: 'rw' }, { op: 'mbind', vaddr: 3, mode: 'bind', nodes: [0] }, { op: 'write', vaddr: 3, value: 1 },
    ],
    extraCpus: [{ mm: 1, program: [{ op: 'set_mempolicy', mode: 'bind', nodes: [1] }, ...[0, 1].flatMap((v): ProgramOp[] => [{ op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: v, value: 2 }])] }],
  },
  // set_mempolicy_home_node onto a private node (issue 12 item 10, the README's task-mempolicy
  // row). D0, Q = N1 (CRAM's: the compression driver's probe at boot; cram_ops lack
  // NP_OPS_MEMPOLICY) and P = N2 (MOVABLE, one page), which a driver on cpu0 hot-adds for np1
  // with 'mpol' (MIGRATION | MEMPOLICY). cpu0 maps v0, mbinds it MPOL_PREFERRED_MANY over {P}
  // (MPOL_F_PRIVATE), sets its home node to Q and writes it: policy_nodemask starts at Q,
  // alloc_pages_preferred_many's first pass ({P} over Q's zonelist, which holds no P) fails and
  // its second pass (no nodemask, __GFP_PRIVATE) takes Q's page. No kswapd, no device, no flush
  // kthread: nothing else moves a page.
  homenode: {
    name: 'homenode', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, vaddrs: 1,
    extraPrivatePages: 1, secondPrivatePages: 1,
    opsTables: [{ name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    extraOps: [
      { op: 'add_private_memory', node: 2, np: 1, online: 'movable' },
      { op: 'node_private_set_ops', node: 2, table: 'mpol' },
      ...HOMENODE_PROGRAM,
    ],
  },
  // homenode without CRAM (no probe): the driver on cpu0 hot-adds Q = N1 with 'plain'
  // (MIGRATION only: neither MEMPOLICY nor PROTECT_WRITE) and P = N2 with 'mpol', then runs
  // homenode's program. Q's page is mapped writable and no CRAM invariant applies: only
  // INV-MPOL-ALLOC judges the placement (mutant home-node-check-skips-private).
  homenodeplain: {
    name: 'homenodeplain', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false, vaddrs: 1,
    extraPrivatePages: 1, secondPrivatePages: 1,
    opsTables: [
      { name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] },
      { name: 'plain', flags: NP_OPS_MIGRATION, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] },
    ],
    extraOps: [
      { op: 'add_private_memory', node: 1, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 1, table: 'plain' },
      { op: 'add_private_memory', node: 2, np: 1, online: 'movable' },
      { op: 'node_private_set_ops', node: 2, table: 'mpol' },
      ...HOMENODE_PROGRAM,
    ],
  },
  // Sibling cpusets and the OOM killer's cpuset test (issue 12 item 10, v4 patch 17's
  // oom_mems_intersect). D0 (2 pages), D1, P ('oomok': MIGRATION|MEMPOLICY|RECLAIM|DEMOTION,
  // OOM-eligible); no kswapd, no device. Two child cpusets of the root: cs0 = {D0,P} holds
  // cpu0's task (mm 0), cs1 = {D1,P} holds cpu1's (mm 1, also on D0's CPUs). cpu1 binds two
  // VMAs to P and fills P with them (so demotion could not relieve D0: the model runs the OOM
  // without direct reclaim), then binds a third VMA to D0 (-EINVAL unless cs1 allows D0) and
  // writes it (on D0, or D1 with the default policy: D0's low watermark is its size);
  // cpu0 writes three pages: the third finds D0 full and D1 outside its cpuset
  // (CONSTRAINT_CPUSET). The administrator may write cs0 = {D0} and cs1 = {P} (a cpuset of
  // private memory only: guarantee_online_mems gives its task every DRAM node).
  oomsibling: {
    name: 'oomsibling', cpus: 1, anonPages: 0, filePages: 0, flush: false, kswapd: false, device: false, probe: false, oom: true,
    dram1: true, cpuset: true, extraMms: 1, vaddrs: 3, extraPrivatePages: 2,
    cpusetChildren: [{ initial: [0, 2], writes: [[0]] }, { initial: [1, 2], writes: [[2]] }],
    opsTables: [{ name: 'oomok', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY | NP_OPS_RECLAIM | NP_OPS_DEMOTION, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    preOps: [
      { op: 'add_private_memory', node: 2, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 2, table: 'oomok' },
    ],
    extraOps: [0, 1, 2].flatMap((v): ProgramOp[] => [{ op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: v, value: 1 }]),
    extraCpus: [{
      mm: 1, cpuset: 1, program: [
        ...[0, 1].flatMap((v): ProgramOp[] => [{ op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' }, { op: 'mbind', vaddr: v, mode: 'bind', nodes: [2] }, { op: 'write', vaddr: v, value: 2 }]),
        { op: 'mmap', vaddr: 2, kind: 'anon', prot: 'rw' }, { op: 'mbind', vaddr: 2, mode: 'bind', nodes: [0] }, { op: 'write', vaddr: 2, value: 2 },
      ],
    }],
  },
  // Tasks moving between sibling cpusets (issue 12 item 10, kernel/cgroup/cpuset.c:
  // cpuset_attach). D0, D1 and P (N2, hot-added at boot by cpu0's driver code for np0 with
  // 'mpol': MIGRATION | MEMPOLICY; no compression region: regionBlocks 0, P's memory is an
  // ordinary device's, as region B's in tworegions); no kswapd, no device. cs0 = {D0, P}
  // holds both tasks; cs1 = {D1} is without P, and the administrator may write cs1 = {P}
  // (a private-only cpuset: cpuset_attach's do_migrate_pages then goes to {P}). cpu0's task
  // binds itself to {D0, P} (set_mempolicy: MPOL_F_PRIVATE), writes v0 (on D0, its local node,
  // under the task policy), binds v1 to P (mbind) and writes it (a fault on P), then reads
  // both; cpu1's task (mm 1) writes
  // cpu0's pid into cs1's cgroup.procs, then into cs0's: each move rebinds cpu0's task and VMA
  // policies and queues a do_migrate_pages of mm 0 for the memory_migrate kworker, which may
  // run while cpu0 faults and while the next move or the cpuset.mems write happens. cpu2's
  // task (mm 2, driver code) offlines and removes P meanwhile (cpuset_handle_hotplug: cs1 =
  // {P} loses its only node and falls back to the root's mems). cpu3's task (mm 3), a second
  // administrator, moves cpu0's task back to cs0 too: not behind cpu1's flush, its move can
  // come while the kworker is half-way through cpu1's move's do_migrate_pages.
  cpusetmove: {
    name: 'cpusetmove', cpus: 1, anonPages: 0, filePages: 0, dram1: true, flush: false, kswapd: false, device: false, probe: false,
    cpuset: true, extraMms: 3, vaddrs: 2, extraPrivatePages: 2, regionBlocks: 0,
    cpusetChildren: [{ initial: [0, 2], writes: [] }, { initial: [1], writes: [[2]] }],
    opsTables: [{ name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    preOps: [
      { op: 'add_private_memory', node: 2, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 2, table: 'mpol' },
    ],
    extraOps: [
      { op: 'set_mempolicy', mode: 'bind', nodes: [0, 2] },
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 },
      { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'mbind', vaddr: 1, mode: 'bind', nodes: [2] }, { op: 'write', vaddr: 1, value: 2 },
      { op: 'read', vaddr: 0 }, { op: 'read', vaddr: 1 },
    ],
    extraCpus: [
      { mm: 1, program: [{ op: 'cpuset_attach', cpu: 0, cpuset: 1 }, { op: 'cpuset_attach', cpu: 0, cpuset: 0 }] },
      { mm: 2, program: [{ op: 'offline_and_remove_private_memory', node: 2 }] },
      // A second administrator's task: its move back is not behind cpu1's flush, so it can come while cpu1's move's do_migrate_pages is half done.
      { mm: 3, program: [{ op: 'cpuset_attach', cpu: 0, cpuset: 0 }] },
    ],
  },
  // cgroup v1's cpuset rules (cpusetV1, issue 12 item 10): D0, D1 and P (N2, hot-added at boot by
  // cpu0's driver code for np0 with 'mpol': MIGRATION | MEMPOLICY; an ordinary device's memory,
  // regionBlocks 0); no kswapd, no device. cs0 = {D0} holds the three tasks, cs1 = {D1}; once P is
  // online the administrator may write cs0 = {D0, P} and cs1 = {P} (v1: -EINVAL while P is
  // offline). cpu0's task maps v0, binds it to P (mbind: -EINVAL unless its cpuset has P), writes
  // and reads it; cpu1's task moves cpu0's into cs1; cpu2's (driver code) offlines and removes P.
  // v1 shrinks a cpuset's mems on the offline for good, and leaves the tasks of an emptied
  // cpuset (cs1 = {P}) as they were until remove_tasks_in_empty_cpuset's work item moves them
  // to the root.
  cpusetv1: {
    name: 'cpusetv1', cpus: 1, anonPages: 0, filePages: 0, dram1: true, flush: false, kswapd: false, device: false, probe: false,
    cpuset: true, cpusetV1: true, extraMms: 2, vaddrs: 1, extraPrivatePages: 2, regionBlocks: 0,
    cpusetChildren: [{ initial: [0], writes: [[0, 2]] }, { initial: [1], writes: [[2]] }],
    opsTables: [{ name: 'mpol', flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY, callbacks: ['migrate_to', 'folio_migrate', 'free_folio_zero'] }],
    preOps: [
      { op: 'add_private_memory', node: 2, np: 0, online: 'movable' },
      { op: 'node_private_set_ops', node: 2, table: 'mpol' },
    ],
    extraOps: [
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'mbind', vaddr: 0, mode: 'bind', nodes: [2] }, { op: 'write', vaddr: 0, value: 1 },
      { op: 'read', vaddr: 0 },
    ],
    extraCpus: [
      { mm: 1, program: [{ op: 'cpuset_attach', cpu: 0, cpuset: 1 }] },
      { mm: 2, program: [{ op: 'offline_and_remove_private_memory', node: 2 }] },
    ],
  },
  // Two anon pages and a one-slot swap device, with a second thread of mm 0 that
  // zaps v1 (MADV_DONTNEED): once kswapd(P) has swapped one demoted folio out,
  // add_to_swap fails for the other, which shrink_folio_list keeps (still
  // mapped) on ret_folios; the zap in the window before move_folios_to_lru
  // leaves the isolation reference the last one (finding putback-free-calls-free-folio).
  putbackzap: {
    name: 'putbackzap', cpus: 1, anonPages: 2, filePages: 0, flush: false, swapSlots: 1,
    extraCpus: [{ mm: 0, program: [{ op: 'madv_dontneed', vaddr: 1 }] }],
  },
} as const satisfies Record<string, ConfigParams>;

export type KernelConfigName = keyof typeof KERNEL_CONFIG_PARAMS;
export const KERNEL_CONFIG_NAMES: readonly KernelConfigName[] = [
  'tiny', 'small', 'canonical', 'flush', 'driver', 'pressure', 'policy', 'nomig', 'npapi', 'shared', 'cycles', 'dontneed',
  'swapin', 'swapfull', 'swapasync', 'swapdram', 'swapteardown', 'zapiso', 'offlineadd', 'race2', 'allocmatrix', 'opsrows', 'large',
  'longpin', 'oom', 'hwpoison', 'longpincram', 'gup', 'gupnowait', 'gupfork', 'cpusets', 'race2small', 'batch2',
  'thp', 'thpsplit',
  'memcg', 'memcgfree',
  'tworegions',
  'mpolflags',
  'driverflush',
  'forkpin', 'longpinw', 'hwpoisonmap',
  'taskpol', 'zonenormal',
  'memcgoom',
  'oomcpuset',
  'homenode', 'homenodeplain',
  'oomsibling',
  'cram2',
  'cpusetmove',
  'cpusetv1',
  'putbackzap',
];

/** A named configuration, optionally with a mutant and fixes on. Throws on an unknown name. */
export function configByName(name: string, opts: { mutant?: string | null; fixes?: readonly string[] } = {}): KernelConfig {
  if (!(KERNEL_CONFIG_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown kernel config '${name}' (known: ${KERNEL_CONFIG_NAMES.join(', ')})`);
  }
  const base: ConfigParams = KERNEL_CONFIG_PARAMS[name as KernelConfigName];
  return makeConfig({ ...base, mutant: opts.mutant ?? null, fixes: opts.fixes ?? [] });
}
