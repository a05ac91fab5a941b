// JSON KernelConfig files. A file is either a complete configuration or
// `{ "extends": "<named config>", ...overrides }` (top-level fields replace the
// base's). The result is validated with zod so a bad file gets one line naming
// the field (`nodes[1].zones[0].type: ...`), then checked for cross-field
// consistency the schema cannot express (indices in range, square distances).

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KernelConfig } from '../kernel/config.ts';
import { ZONE_NAMES } from '../kernel/defs.ts';
import { GFP_FLAG_NAMES } from '../kernel/alloc_matrix.ts';
import { firstIssue } from '../trace/format.ts';
import { UsageError } from './args.ts';

const nat = z.int().min(0);
const pos = z.int().min(1);
const prot = z.enum(['r', 'rw']);

const ZoneSchema = z
  .object({
    type: z.enum(ZONE_NAMES),
    blocks: nat,
    wmark: z.object({ min: nat, low: nat, high: nat }).strict().optional(),
  })
  .strict();

const NodeSchema = z
  .object({
    kind: z.enum(['dram', 'private']),
    cpus: z.boolean(),
    zones: z.array(ZoneSchema),
    adistance: nat.optional(),
  })
  .strict();

const ProgramOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('mmap'), vaddr: nat, kind: z.enum(['anon', 'anon-thp', 'file-shared', 'file-private']), file: nat.optional(), pgoff: nat.optional(), prot }).strict(),
  z.object({ op: z.literal('read'), vaddr: nat }).strict(),
  z.object({ op: z.literal('write'), vaddr: nat, value: nat }).strict(),
  z.object({ op: z.literal('pwrite'), file: nat, pgoff: nat, value: nat }).strict(),
  z.object({ op: z.literal('mprotect'), vaddr: nat, prot }).strict(),
  z.object({ op: z.literal('mbind'), vaddr: nat, mode: z.enum(['default', 'bind', 'preferred', 'preferred_many']), nodes: z.array(nat) }).strict(),
  // home: any node number; the syscall itself refuses one >= MAX_NUMNODES or not online (-EINVAL).
  z.object({ op: z.literal('set_mempolicy_home_node'), vaddr: nat, home: nat }).strict(),
  z.object({ op: z.literal('move_pages'), vaddr: nat, node: nat }).strict(),
  z.object({ op: z.literal('set_mempolicy'), mode: z.enum(['default', 'bind', 'preferred', 'interleave', 'local', 'preferred_many']), nodes: z.array(nat), flags: z.enum(['static', 'relative']).optional() }).strict(),
  z.object({ op: z.literal('madv_dontneed'), vaddr: nat }).strict(),
  z.object({ op: z.literal('munmap'), vaddr: nat }).strict(),
  z.object({ op: z.literal('fork'), child: nat }).strict(),
  z.object({ op: z.literal('numa_hint'), vaddr: nat }).strict(),
  z.object({ op: z.literal('node_private_register'), node: nat, np: nat }).strict(),
  z.object({ op: z.literal('node_private_unregister'), node: nat }).strict(),
  z.object({ op: z.literal('node_private_set_ops'), node: nat, table: z.string() }).strict(),
  z.object({ op: z.literal('cram_register_private_node'), node: nat }).strict(),
  z.object({ op: z.literal('alloc_pages_node'), node: nat }).strict(),
  z.object({ op: z.literal('add_private_memory'), node: nat, np: nat, online: z.enum(['offline', 'movable', 'kernel', 'online']) }).strict(),
  z.object({ op: z.literal('online_pages'), node: nat }).strict(),
  z.object({ op: z.literal('node_private_clear_ops'), node: nat, table: z.string() }).strict(),
  z.object({ op: z.literal('alloc_page_current') }).strict(),
  z.object({ op: z.literal('alloc_pages'), node: nat, gfp: z.array(z.enum(GFP_FLAG_NAMES)).min(1), nodemask: z.array(nat).optional() }).strict(),
  z.object({ op: z.literal('pin_user_pages'), vaddr: nat, write: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('unpin_user_pages') }).strict(),
  z.object({ op: z.literal('memory_failure'), node: nat, page: nat }).strict(),
  z.object({ op: z.literal('offline_and_remove_private_memory'), node: nat }).strict(),
  z.object({
    op: z.literal('gup'), vaddr: nat, write: z.boolean(), value: nat.optional(), mm: nat.optional(), pin: z.boolean().optional(),
    locked: z.boolean().optional(), nowait: z.boolean().optional(), force: z.boolean().optional(),
  }).strict(),
  z.object({ op: z.literal('unpin') }).strict(),
  z.object({ op: z.literal('cxl_mempolicy_probe'), node: nat, table: z.string() }).strict(),
  z.object({ op: z.literal('cxl_mempolicy_remove'), node: nat, table: z.string() }).strict(),
  z.object({ op: z.literal('cpuset_attach'), cpu: nat, cpuset: nat }).strict(),
]);

const CpusetChildSchema = z.object({ initial: z.array(nat).optional(), writes: z.array(z.array(nat)).optional() }).strict();

const OPS_CALLBACKS = ['free_folio', 'free_folio_zero', 'folio_split', 'migrate_to', 'folio_migrate', 'handle_fault', 'reclaim_policy', 'memory_failure'] as const;

export const KernelConfigSchema = z
  .object({
    name: z.string().min(1),
    nodes: z.array(NodeSchema).min(1),
    distance: z.array(z.array(nat)),
    blockPages: pos,
    maxOrder: nat,
    cpus: z.array(z.object({ node: nat, mm: nat, program: z.array(ProgramOpSchema), forkChild: z.boolean().optional(), cpuset: nat.optional() }).strict()),
    mms: nat,
    vaddrs: nat,
    files: nat,
    filePages: nat,
    swapSlots: nat,
    swapAsync: z.boolean().optional(),
    contentValues: pos,
    device: z
      .object({ physUnits: nat, cost: z.tuple([nat, nat, nat]), lthresh: nat, hthresh: nat })
      .strict(),
    driver: z.object({ bufMax: pos, mediaOps: z.boolean(), regionBlocks: nat.optional() }).strict(),
    demoteBatch: pos,
    numaDemotionEnabled: z.boolean(),
    thpOrder: nat.optional(),
    opsTables: z.array(z.object({ name: z.string(), flags: nat, callbacks: z.array(z.enum(OPS_CALLBACKS)) }).strict()),
    mutant: z.string().nullable(),
    fixes: z.array(z.string()),
    choices: z.record(z.string(), z.string()),
    cpusetWrites: z.array(z.array(nat)).optional(),
    cpusetChildren: z.array(CpusetChildSchema).min(1).optional(),
    cpusetV1: z.boolean().optional(),
    actors: z
      .object({ kswapd: z.boolean(), driver: z.boolean(), device: z.boolean(), flush: z.boolean(), cpuset: z.boolean(), probe: z.boolean().optional(), oom: z.boolean().optional() })
      .strict(),
  })
  .strict();

// Compile-time proof that the schema produces exactly a KernelConfig.
type Parsed = z.infer<typeof KernelConfigSchema>;
const _schemaIsKernelConfig = (p: Parsed): KernelConfig => p;
void _schemaIsKernelConfig;

/** Cross-field rules; null if consistent, else `field: problem`. */
export function configConsistency(c: KernelConfig): string | null {
  const n = c.nodes.length;
  const nPrivate = c.nodes.filter((x) => x.kind === 'private').length;
  if (c.distance.length !== n) return `distance: expected ${n} rows (one per node), got ${c.distance.length}`;
  for (let i = 0; i < n; i++) {
    if (c.distance[i]!.length !== n) return `distance[${i}]: expected ${n} entries, got ${c.distance[i]!.length}`;
  }
  if ((c.blockPages & (c.blockPages - 1)) !== 0) return `blockPages: expected a power of two, got ${c.blockPages}`;
  if (c.blockPages < 1 << c.maxOrder) return `blockPages: must be >= 2^maxOrder = ${1 << c.maxOrder}`;
  if ((c.thpOrder ?? 0) > c.maxOrder) return `thpOrder: must be <= maxOrder = ${c.maxOrder}`;
  const children = c.cpusetChildren?.length ?? 1;
  for (const [i, ch] of (c.cpusetChildren ?? []).entries()) {
    if ((ch.initial ?? []).some((x) => x >= n) || (ch.writes ?? []).some((w) => w.some((x) => x >= n))) return `cpusetChildren[${i}]: node out of range`;
  }
  for (let i = 0; i < c.cpus.length; i++) {
    const cpu = c.cpus[i]!;
    if (cpu.node >= n) return `cpus[${i}].node: no node ${cpu.node} (${n} nodes)`;
    if (cpu.mm >= c.mms) return `cpus[${i}].mm: no mm ${cpu.mm} (${c.mms} mms)`;
    for (let j = 0; j < cpu.program.length; j++) {
      const op = cpu.program[j]!;
      if ('vaddr' in op && op.vaddr >= c.vaddrs) return `cpus[${i}].program[${j}].vaddr: no vaddr ${op.vaddr} (${c.vaddrs} per mm)`;
      if ('file' in op && op.file !== undefined && op.file >= c.files) return `cpus[${i}].program[${j}].file: no file ${op.file} (${c.files} files)`;
      if (op.op === 'move_pages' && op.node >= n) return `cpus[${i}].program[${j}].node: no node ${op.node}`;
      if (op.op === 'mbind' && op.nodes.some((x) => x >= n)) return `cpus[${i}].program[${j}].nodes: node out of range`;
      if (op.op === 'set_mempolicy' && op.nodes.some((x) => x >= n)) return `cpus[${i}].program[${j}].nodes: node out of range`;
      if ('node' in op && op.node >= n) return `cpus[${i}].program[${j}].node: no node ${op.node} (${n} nodes)`;
      if ('value' in op && op.value !== undefined && op.value >= c.contentValues) return `cpus[${i}].program[${j}].value: ${op.value} is not a content value (contentValues ${c.contentValues}: 0..${c.contentValues - 1})`;
      if ('pgoff' in op && op.pgoff !== undefined && op.pgoff >= c.filePages) return `cpus[${i}].program[${j}].pgoff: no page ${op.pgoff} (${c.filePages} per file)`;
      if ('np' in op && op.np >= nPrivate) return `cpus[${i}].program[${j}].np: no np slot ${op.np} (${nPrivate} private nodes)`;
      if (op.op === 'gup' && op.mm !== undefined && op.mm >= c.mms) return `cpus[${i}].program[${j}].mm: no mm ${op.mm} (${c.mms} mms)`;
      if (op.op === 'fork' && op.child >= c.mms) return `cpus[${i}].program[${j}].child: no mm ${op.child} (${c.mms} mms)`;
      if (op.op === 'alloc_pages' && op.node >= n) return `cpus[${i}].program[${j}].node: no node ${op.node}`;
      if (op.op === 'alloc_pages' && (op.nodemask ?? []).some((x) => x >= n)) return `cpus[${i}].program[${j}].nodemask: node out of range`;
      if (op.op === 'cpuset_attach' && op.cpu >= c.cpus.length) return `cpus[${i}].program[${j}].cpu: no cpu ${op.cpu} (${c.cpus.length} cpus)`;
      if (op.op === 'cpuset_attach' && op.cpuset >= children) return `cpus[${i}].program[${j}].cpuset: no child cpuset ${op.cpuset} (${children})`;
    }
    if ((cpu.cpuset ?? 0) >= children) return `cpus[${i}].cpuset: no child cpuset ${cpu.cpuset} (${children})`;
  }
  if (c.device.hthresh > c.device.lthresh) return `device.hthresh: must be <= lthresh`;
  return null;
}

/**
 * Validate an already-parsed JSON value as a KernelConfig; `base` resolves an
 * `extends` name. Throws UsageError with `<where>: <field>: <problem>`.
 */
export function validateConfig(raw: unknown, where: string, base: (name: string) => KernelConfig | undefined): KernelConfig {
  let obj = raw;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'extends' in raw) {
    const { extends: ext, ...rest } = raw as Record<string, unknown>;
    if (typeof ext !== 'string') throw new UsageError(`${where}: extends: expected a config name`);
    const b = base(ext);
    if (!b) throw new UsageError(`${where}: extends: unknown config '${ext}'`);
    obj = { ...b, ...rest };
  }
  const r = KernelConfigSchema.safeParse(obj);
  if (!r.success) throw new UsageError(`${where}: ${firstIssue(r.error)}`);
  const bad = configConsistency(r.data);
  if (bad !== null) throw new UsageError(`${where}: ${bad}`);
  return r.data;
}

/** Read and validate a JSON config file. */
export function loadConfigFile(path: string, base: (name: string) => KernelConfig | undefined): KernelConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new UsageError(`${path}: cannot read config file (${typeof code === 'string' ? code : 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return validateConfig(raw, path, base);
}
