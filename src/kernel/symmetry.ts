// Interchangeable user CPUs (symmetry reduction, `explore --symmetry`).
//
// Two user CPUs are interchangeable when renaming one into the other (and its
// mm into the other's mm) maps every transition onto a transition and leaves
// every verdict unchanged: same program, same node, each alone in its own mm,
// never a fork (a fork op names a child mm), and no flush kthread (it walks
// the per-CPU buffers in CPU order across its steps, so CPU 0 is served first
// whichever CPU filled its buffer first).
//
// Kernel threads. A kernel thread's step that frees into a flush buffer
// (cxl_compression_flush_cb: this_cpu_ptr) or adds a folio to an lru_add
// batch (folio_add_lru: this_cpu_ptr) runs on any CPU it may use
// (src/kernel/kthread_cpu.ts), one action per CPU; the permutation renames
// the CPU in the action (choice below) and the state keeps no kernel
// thread's CPU across steps, so CPU 0 is a CPU like the others. Where that
// choice is off (kthreadCpuChoice: one CPU, or the flush kthread) every
// kernel thread frees on CPU 0 and CPU 0 is never interchangeable when the
// configuration has a private node: before the choice, `race2`'s kswapd(P)
// reclaim freed into CPU 0's buffer with no mirror image (the commutation
// test found it).
//
// A permutation moves, together with each CPU: its user thread and its
// overflow-work thread (op, stage, pc, registers, locks, refs), its mm
// (MM_LIVE and the whole per-vaddr row: VMA, PTE, last-write ghost) and its
// per-CPU flush context, and its three flush buffers (the driver gives each
// CPU its own: buffer ids 3c..3c+2, geometry.ts; the pointers CPU_BUF_* are
// renamed with them). A register that names a PTE slot (mm * vaddrs +
// vaddr: REG[0] of a CPU inside handle_fault, ops_codes.ts) is renamed too.
//
// Pfns are NOT permuted: two pfns differ in buddy pairing, zone, node and
// block, and the allocator takes the lowest free one, so renaming pfns does
// not commute with allocation. The two CPUs' folios therefore keep their
// pfns; the states "cpu0's page at pfn 2, cpu1's at pfn 3" reached in either
// order still meet, because the second allocator call gets pfn 3 whichever
// CPU makes it. Swap slots and np slots are likewise not
// renamed (lowest-free allocation again).
//
// Soundness rests on test/explore/symmetry.test.ts: on sampled reachable
// states of sym3, race2 and race2small every property, reachability, deadlock and conformance
// verdict is the same on s and on perm(s), and succ(perm(s)) = perm(succ(s))
// as sets (with the action renamed).

import type { KernelConfig } from './config.ts';
import type { Machine } from './kernel.ts';
import { THREAD_REGS, type Field, type KernelLayout } from './layout.ts';
import { OP_HANDLE_FAULT, OP_MEMCG_CHARGE } from './ops_codes.ts';
import { kthreadCpuChoice, kthreadCpus } from './kthread_cpu.ts';
import { threadChoices } from './sched.ts';

export interface KernelSymmetry {
  /** The interchangeable CPUs (ascending). */
  readonly cpus: readonly number[];
  /** Every permutation of cfg.cpus that only moves interchangeable CPUs (identity first). */
  readonly perms: readonly (readonly number[])[];
  /** out = perm applied to src (16-bit kernel words; out must not alias src). */
  apply(src: Uint16Array, perm: readonly number[], out: Uint16Array): void;
  /** The thread perm sends thread tid to. */
  thread(perm: readonly number[], tid: number): number;
  /** The choice of that thread's action: a kernel thread's CPU (kthread_cpu.ts) is renamed. */
  choice(perm: readonly number[], tid: number, choice: number): number;
  /** Why the configuration has these interchangeable CPUs, one line. */
  readonly description: string;
}

/**
 * Program ops whose state the permutation below renames completely: they keep
 * no CPU, mm or PTE-slot number anywhere but in the fields it moves. Any other
 * op (GUP naming another mm, pins, driver calls, memory_failure) refuses
 * symmetry rather than risk a half-renamed state.
 */
const RENAMED_OPS: ReadonlySet<string> = new Set(['mmap', 'munmap', 'read', 'write', 'mprotect', 'madv_dontneed', 'pwrite', 'numa_hint']);

/** Why a configuration has no symmetry, or null if it has some. */
export function noSymmetryReason(cfg: KernelConfig): string | null {
  if (cfg.actors.flush) return 'the flush kthread serves the per-CPU buffers in CPU order';
  if ((cfg.driver.regions ?? 1) > 1) return "two compression regions: each flush context's per-CPU buffers (not renamed by the permutation)";
  if (cfg.actors.cpuset) return "cpuset.memory_migrate's queued work names an mm (cpuset_migrate_mm_wq)";
  // select_bad_process walks the task list in order and keeps the last of equal badness:
  // on a tie the victim is decided by task order, so the CPUs' tasks are not interchangeable
  // (memcgoom's two CPUs looked symmetric; the orbit merge hid zap-keeps-migration-entry there).
  if (cfg.actors.oom) return "the OOM killer breaks badness ties by task-list order (select_bad_process keeps the last of equals)";
  const other = cfg.cpus.flatMap((c) => c.program).find((op) => !RENAMED_OPS.has(op.op));
  if (other) return `a program runs ${other.op}, whose state the CPU permutation does not rename`;
  if (cfg.cpus.some((c) => c.program.some((op) => op.op === 'fork') || c.forkChild)) return 'a program forks (the child mm is named)';
  return interchangeable(cfg).length >= 2 ? null : cpu0Special(cfg)
    ? 'kernel threads run on CPU 0 (they free into its flush buffer; no CPU choice with one CPU or the flush kthread), and no two other user CPUs run one program, each alone in its own mm'
    : 'no two user CPUs run the same program, each alone in its own mm on the same node';
}

/**
 * Kernel threads free on CPU 0, into its per-CPU flush buffer, when their
 * steps do not choose a CPU (src/kernel/kthread_cpu.ts): CPU 0 is then
 * distinguished wherever there is a private node (CRAM's flush_cb).
 */
function cpu0Special(cfg: KernelConfig): boolean {
  return cfg.nodes.some((n) => n.kind === 'private') && !kthreadCpuChoice(cfg);
}

/** The largest class of CPUs with one program, one node, and an mm of their own. */
function interchangeable(cfg: KernelConfig): number[] {
  const alone = (c: number): boolean => cfg.cpus.filter((x) => x.mm === cfg.cpus[c]!.mm).length === 1;
  const classes = new Map<string, number[]>();
  cfg.cpus.forEach((c, i) => {
    if (!alone(i) || (i === 0 && cpu0Special(cfg))) return;
    const key = `${c.node}:${c.cpuset ?? 0}:${JSON.stringify(c.program)}`;
    classes.set(key, [...(classes.get(key) ?? []), i]);
  });
  let best: number[] = [];
  for (const v of classes.values()) if (v.length > best.length) best = v;
  return best;
}

function permutationsOf(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [[...xs]];
  const out: number[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutationsOf([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

export function kernelSymmetry(m: Machine): KernelSymmetry | null {
  const { cfg, g, L } = m;
  if (noSymmetryReason(cfg) !== null) return null;
  const cls = interchangeable(cfg);
  const C = cfg.cpus.length;
  // perm[c] = the CPU that CPU c becomes; only CPUs in cls move.
  const perms = permutationsOf(cls).map((img) => {
    const p = Array.from({ length: C }, (_, c) => c);
    cls.forEach((c, i) => (p[c] = img[i]!));
    return p;
  });
  const V = cfg.vaddrs;
  const T = g.threads.length;
  const cpuOfThread = new Int32Array(T).fill(-1);
  const isUser = new Uint8Array(T);
  for (let c = 0; c < C; c++) {
    cpuOfThread[g.cpuThread(c)] = c;
    isUser[g.cpuThread(c)] = 1;
    if (cfg.actors.flush) cpuOfThread[g.overflowThread(c)] = c;
  }
  const base = Int32Array.from(g.threads, (_, tid) => threadChoices(m, tid));
  const choice = (perm: readonly number[], tid: number, ch: number): number => {
    const cpus = kthreadCpus(m, tid);
    const n = base[tid]!;
    if (cpus.length <= 1 || n === 0) return ch;
    const v = Math.floor(ch / n);
    const to = cpus.indexOf(perm[cpus[v]!]!);
    if (to < 0) throw new Error(`symmetry: thread ${tid} may run on cpu${cpus[v]!} but not on its image`);
    return (ch % n) + to * n;
  };
  const thread = (perm: readonly number[], tid: number): number => {
    const c = cpuOfThread[tid]!;
    if (c < 0) return tid;
    return isUser[tid] ? g.cpuThread(perm[c]!) : g.overflowThread(perm[c]!);
  };
  const mmOf = (perm: readonly number[]): number[] => {
    const mp = Array.from({ length: cfg.mms }, (_, mm) => mm);
    for (let c = 0; c < C; c++) mp[cfg.cpus[c]!.mm] = cfg.cpus[perm[c]!]!.mm;
    return mp;
  };
  const perThread: Field[] = [L.THR_OP, L.THR_STAGE, L.THR_PC, L.THR_LOCKS, L.THR_REFS, L.THR_PIN, L.THR_LT_PIN, L.THR_LT_PIN_STAGE, L.THR_MB_PASS];
  const perSlot: Field[] = [L.VMA_FLAGS, L.VMA_FILE, L.VMA_PGOFF, L.VMA_POL_MODE, L.VMA_POL_NODES, L.VMA_POL_FLAGS, L.VMA_POL_W, L.PTE_KIND, L.PTE_FLAGS, L.PTE_VAL, L.GH_LAST_WRITE, ...(L.VMA_POL_HOME.len !== 0 ? [L.VMA_POL_HOME] : [])];
  // TASK_CS is per CPU; zero-length (left out) where no program moves a task between cpusets.
  const perCpu: Field[] = [L.CPU_OVERFLOW_PENDING, L.TASK_MEMS, L.TASK_POL_MODE, L.TASK_POL_NODES, L.TASK_POL_FLAGS, L.TASK_POL_W, L.TASK_IL_PREV, ...(L.TASK_CS.len !== 0 ? [L.TASK_CS] : [])];
  // Per-CPU pointers to flush buffers (buf + 1, 0 = NULL): moved and renamed.
  const perCpuBuf: Field[] = [L.CPU_BUF_ACTIVE, L.CPU_BUF_OVERFLOW, L.CPU_BUF_SPARE];
  // Per-pfn fields whose value names a CPU (cpu + 1, 0 = none): renamed in place.
  const cpuValued: Field[] = [L.PG_LRU_BATCH];
  // VMA_POL_HOME is per slot; zero-length (left out of perSlot) where no program sets a home node.
  checkEveryFieldClassified(L, [...perThread, ...perSlot, L.VMA_POL_HOME, L.TASK_CS, ...perCpu, ...perCpuBuf, ...cpuValued, L.THR_REG, L.MM_LIVE, L.BUF_LEN, L.BUF_ENT]);
  const mmCache = new Map<readonly number[], number[]>();
  const BPC = g.flushBufs / C; // flush buffers per CPU
  const M = cfg.driver.bufMax;
  const bufOf = (perm: readonly number[], b: number): number => perm[Math.floor(b / BPC)]! * BPC + (b % BPC);
  return {
    cpus: cls,
    perms,
    thread,
    choice,
    description: `cpus ${cls.join(', ')} (one program, each in its own mm)`,
    apply(src: Uint16Array, perm: readonly number[], out: Uint16Array): void {
      out.set(src);
      let mp = mmCache.get(perm);
      if (!mp) {
        mp = mmOf(perm);
        mmCache.set(perm, mp);
      }
      for (let t = 0; t < T; t++) {
        const u = thread(perm, t);
        if (u === t) continue;
        for (const f of perThread) out[f.off + u] = src[f.off + t]!;
        for (let r = 0; r < THREAD_REGS; r++) out[L.THR_REG.off + u * THREAD_REGS + r] = src[L.THR_REG.off + t * THREAD_REGS + r]!;
        // A CPU inside handle_fault or a memcg charge keeps the PTE slot it faults on in REG[0].
        if (isUser[t] && (src[L.THR_OP.off + t] === OP_HANDLE_FAULT || src[L.THR_OP.off + t] === OP_MEMCG_CHARGE)) {
          const s = src[L.THR_REG.off + t * THREAD_REGS]!;
          out[L.THR_REG.off + u * THREAD_REGS] = mp[Math.floor(s / V)]! * V + (s % V);
        }
      }
      for (let mm = 0; mm < cfg.mms; mm++) {
        const to = mp[mm]!;
        if (to === mm) continue;
        out[L.MM_LIVE.off + to] = src[L.MM_LIVE.off + mm]!;
        for (const f of perSlot) for (let v = 0; v < V; v++) out[f.off + to * V + v] = src[f.off + mm * V + v]!;
      }
      for (const f of cpuValued) {
        for (let i = 0; i < f.len; i++) {
          const v = src[f.off + i]!;
          if (v !== 0) out[f.off + i] = perm[v - 1]! + 1;
        }
      }
      for (let c = 0; c < C; c++) {
        const to = perm[c]!;
        if (to === c) continue;
        for (const f of perCpu) out[f.off + to] = src[f.off + c]!;
        for (const f of perCpuBuf) {
          const v = src[f.off + c]!;
          out[f.off + to] = v === 0 ? 0 : bufOf(perm, v - 1) + 1;
        }
        for (let j = 0; j < BPC; j++) {
          const b = c * BPC + j;
          const d = bufOf(perm, b);
          out[L.BUF_LEN.off + d] = src[L.BUF_LEN.off + b]!;
          for (let i = 0; i < M; i++) out[L.BUF_ENT.off + d * M + i] = src[L.BUF_ENT.off + b * M + i]!;
        }
      }
    },
  };
}

/**
 * Fields that hold no CPU, thread, mm or PTE-slot index or value: the
 * permutation leaves them alone. Every other field must be in one of the
 * moved lists; a field added to the layout and to neither fails here, at the
 * first --symmetry run and in test/explore/symmetry.test.ts, instead of
 * silently merging states that are not mirror images.
 */
const UNMOVED = new Set([
  'G_NP_INITIALIZED', 'G_CPUSET_MEMS', 'G_CPUSET_ENABLED', 'G_DEMOTION_ENABLED', 'G_TICK',
  'NODE_STATES', 'NODE_PRIVATE', 'NODE_NP', 'NODE_KSWAPD', 'NODE_KCOMPACTD', 'NODE_KSWAPD_FAILURES', 'NODE_NR_ISOLATED_ANON',
  'NODE_NR_ISOLATED_FILE', 'NODE_DEMOTION_TARGETS', 'NODE_IN_TIER', 'NODE_ZL_FALLBACK', 'NODE_ZL_NOFALLBACK',
  'ZONE_PRESENT', 'ZONE_MANAGED', 'ZONE_FREE', 'ZONE_AREA_NR_FREE', 'ZONE_WMARK_MIN', 'ZONE_WMARK_LOW', 'ZONE_WMARK_HIGH', 'ZONE_BOOST', 'ZONE_BOOSTED',
  'BLOCK_STATE', 'BLOCK_PRIVATE_NP',
  'PG_BUDDY', 'PG_FLAGS', 'PG_ORDER', 'PG_REF', 'PG_MAPCOUNT', 'PG_MAPPING', 'PG_SWAP', 'PG_CONTENT', 'PG_FLUSH_BIT', 'GH_ALLOC', 'GH_EXPECT',
  'PCACHE', 'FILE_DATA', 'SWAP_COUNT', 'SWAP_DATA', 'SWAP_CACHE',
  'NP_REFCOUNT', 'NP_RELEASED', 'NP_OPS', 'NP_MIGRATION_BLOCKED', 'GH_NP_UNREG_OPS',
  'CN_STATE', 'CN_REFCOUNT', 'CN_PRESSURE', 'CN_PURGED', 'CN_OWNER', 'CN_FLUSH_CB', 'CN_OLD_REF',
  'DRV_STATE', 'DRV_FLAGS', 'DEV_USED', 'DEV_LEVEL', 'DEV_IRQ', 'GH_USED_AT_BLOCK',
  'GH_EVENTS', 'GH_EVENTS2', 'CS_CHILD_MEMS', 'CS_CHILD_EFF', 'NODE_KSWAPD_KEPT',
  // memcg: one memcg holding every user task; a folio's memcg id and the page counter name no CPU or mm.
  'PG_MEMCG', 'MEMCG_USAGE',
  // cpuset_migrate_mm_wq (a config with the child cpuset has no symmetry: its items name an mm)
  'CS_OLD_MEMS', 'CS_MIGQ_LEN', 'CS_MIGQ_MM', 'CS_MIGQ_FROM', 'CS_MIGQ_TO', 'CS_MIGQ_TMP', 'CS_MIGQ_STARTED',
  // region B (tworegions): its sysram flags and region A's ops saved aside; no CPU or mm in them.
  'RB_FLAGS', 'RB_A_OPS',
  // cgroup v1's pending transfer of an emptied child's tasks: per child, no CPU or mm.
  'CS_V1_XFER',
]);

function checkEveryFieldClassified(L: KernelLayout, moved: readonly Field[]): void {
  const names = new Set(moved.map((f) => f.name));
  for (const f of Object.values(L) as unknown[]) {
    if (!isField(f) || names.has(f.name) || UNMOVED.has(f.name)) continue;
    throw new Error(`symmetry: layout field ${f.name} is neither renamed by the CPU permutation nor listed as unmoved (src/kernel/symmetry.ts)`);
  }
}

function isField(x: unknown): x is Field {
  return typeof x === 'object' && x !== null && 'name' in x && 'off' in x && 'len' in x;
}
