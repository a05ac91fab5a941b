// A kernel state as named facts in kernel terms (page tables, folios and
// their flags and refcounts, zones, node_private, cram_node, the device, the
// flush buffers, the locks a thread holds), for the mail trace's per-step
// diff and the viewer. Never model internals (program counters, stages,
// registers, ghost fields): a reviewer cannot map those onto the kernel.

import { kernelOf, npSlot, privateNodes } from '../../../models/abstraction.ts';
import { CRAM_PRESSURE_MAX, N_CPU, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE, ZONE_NAMES } from '../../kernel/defs.ts';
import type { Kernel, Machine } from '../../kernel/kernel.ts';
import {
  LK_CRAM_MUTEX, LK_DEVICE_HOTPLUG, LK_FOLIO, LK_MEM_HOTPLUG, LK_MMAP_READ, LK_MMAP_WRITE, LK_NODE_PRIVATE, LK_PTL, LK_RCU,
  PG_active, PG_anon, PG_dirty, PG_head, PG_hwpoison, PG_isolated_pb, PG_locked, PG_lru, PG_reserved, PG_swapcache, PG_tail,
  PG_unevictable, PG_writeback, PTE_DIRTY, PTE_EXCL, PTE_HWPOISON, PTE_MIG_WRITE, PTE_MIGRATION, PTE_PRESENT, PTE_PROTNONE, PTE_SWAP, PTE_WRITE,
  REF_CN, REF_CN_OLD, REF_NP, VMA_FILE, VMA_MAPPED, VMA_SHARED, VMA_WRITE,
} from '../../kernel/layout.ts';
import { IRQ_HTHRESH, IRQ_LTHRESH } from '../../cxl/device.ts';
import type { Fact } from '../../trace/mail/facts.ts';
import { actorTitle } from './actors.ts';
import { threadLabel } from '../../kernel/sched.ts';

function names(v: number, table: ReadonlyArray<readonly [number, string]>): string[] {
  return table.filter(([b]) => v & b).map(([, n]) => n);
}

const NODE_STATES = [[N_ONLINE, 'N_ONLINE'], [N_MEMORY, 'N_MEMORY'], [N_MEMORY_PRIVATE, 'N_MEMORY_PRIVATE'], [N_CPU, 'N_CPU']] as const;
// PG_head/PG_tail are how the model stores compound pages, not flags a reviewer reads.
const FOLIO_FLAGS = [
  [PG_locked, 'locked'], [PG_lru, 'lru'], [PG_active, 'active'], [PG_anon, 'anon'], [PG_swapcache, 'swapcache'], [PG_dirty, 'dirty'],
  [PG_writeback, 'writeback'], [PG_unevictable, 'unevictable'], [PG_hwpoison, 'hwpoison'], [PG_isolated_pb, 'isolate-pageblock'],
] as const;
const LOCKS = [
  [LK_PTL, 'PTL'], [LK_MMAP_READ, 'mmap_lock (read)'], [LK_MMAP_WRITE, 'mmap_lock (write)'], [LK_MEM_HOTPLUG, 'mem_hotplug_lock'],
  [LK_NODE_PRIVATE, 'node_private_lock'], [LK_CRAM_MUTEX, 'cram_mutex'], [LK_RCU, 'rcu_read_lock'], [LK_DEVICE_HOTPLUG, 'device_hotplug_lock'],
  [LK_FOLIO, 'folio lock'],
] as const;
const REFS = [[REF_NP, 'node_private reference'], [REF_CN, 'cram_node reference'], [REF_CN_OLD, 'reference to the displaced cram_node']] as const;
const KSWAPD = ['not running', 'sleeping', 'woken'] as const;
const CN_STATES = ['none', 'published', 'draining', 'freed'] as const;
const BLOCK_STATES = ['absent', 'offline', 'online'] as const;

/** 'cram_ops' / 'NULL' / a config's ops table name, from an ops id (0 NULL, 1 cram_ops, 2.. cfg.opsTables). */
export function opsName(m: Machine, id: number): string {
  if (id === 0) return 'NULL';
  if (id === 1) return 'cram_ops';
  return m.cfg.opsTables[id - 2]?.name ?? `ops table ${id}`;
}

function pteText(k: Kernel, i: number): string {
  const L = k.L;
  const kind = k.get(L.PTE_KIND, i);
  const fl = k.get(L.PTE_FLAGS, i);
  const val = k.get(L.PTE_VAL, i);
  const excl = fl & PTE_EXCL ? ', exclusive' : '';
  if (kind === PTE_PRESENT) {
    const extra = [fl & PTE_WRITE ? 'writable' : 'read-only', ...(fl & PTE_DIRTY ? ['dirty'] : []), ...(fl & PTE_PROTNONE ? ['PROT_NONE'] : [])];
    return `pfn ${val} ${extra.join(', ')}${excl}`;
  }
  if (kind === PTE_MIGRATION) return `migration entry (pfn ${val}${fl & PTE_MIG_WRITE ? ', writable' : ''})`;
  if (kind === PTE_SWAP) return `swap entry (slot ${val}${excl})`;
  if (kind === PTE_HWPOISON) return `hwpoison entry (pfn ${val})`;
  return 'none';
}

function folioFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  for (let pfn = 0; pfn < k.g.pfns; pfn++) {
    const fl = k.get(L.PG_FLAGS, pfn);
    if (fl & PG_tail || fl & PG_reserved) continue;
    const ref = k.get(L.PG_REF, pfn);
    const content = k.get(L.PG_CONTENT, pfn);
    const flushBit = k.get(L.PG_FLUSH_BIT, pfn);
    const allocated = (fl & PG_head) !== 0 || ref > 0;
    const isPrivate = k.cfg.nodes[k.g.pfnNode[pfn]!]!.kind === 'private';
    // A free page is a fact only on a private node, while it still holds data (scrubbing) or a flush bit.
    if (!allocated && !(isPrivate && (content !== 0 || flushBit !== 0))) continue;
    const order = k.get(L.PG_ORDER, pfn);
    const swap = fl & PG_swapcache ? [{ name: 'swap slot', value: String(k.get(L.PG_SWAP, pfn) - 1) }] : [];
    out.push({
      key: `pfn ${pfn}${order > 0 ? ` (order ${order})` : ''} (N${k.g.pfnNode[pfn]})`,
      topic: 'folio',
      fields: [
        { name: '', value: allocated ? 'folio' : 'free page' },
        { name: 'refcount', value: String(ref) },
        { name: 'mapcount', value: String(k.get(L.PG_MAPCOUNT, pfn)), quiet: '0' },
        { name: 'flags', value: names(fl, FOLIO_FLAGS), quiet: '-' },
        ...swap,
        { name: 'data', value: String(content) },
        { name: 'flush_record bit', value: String(flushBit), quiet: '0' },
      ],
      gone: allocated ? 'freed' : 'allocated',
    });
  }
}

function pteFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  const V = k.cfg.vaddrs;
  for (let i = 0; i < k.cfg.mms * V; i++) {
    const where = k.cfg.mms > 1 ? `mm${Math.floor(i / V)} v${i % V}` : `v${i % V}`;
    const vf = k.get(L.VMA_FLAGS, i);
    if (vf & VMA_MAPPED) {
      const kind = vf & VMA_FILE ? `file ${k.get(L.VMA_FILE, i)}${vf & VMA_SHARED ? ' MAP_SHARED' : ' MAP_PRIVATE'}` : 'anon';
      out.push({ key: `VMA ${where}`, topic: 'vma', fields: [{ name: '', value: `${kind}, ${vf & VMA_WRITE ? 'PROT_WRITE' : 'read-only'}` }], gone: 'unmapped' });
    }
    if (k.get(L.PTE_KIND, i) !== 0) out.push({ key: `PTE ${where}`, topic: 'pte', fields: [{ name: '', value: pteText(k, i) }], gone: 'none' });
  }
}

function nodeFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  for (let n = 0; n < k.g.nodes; n++) {
    out.push({
      key: `node ${n}`,
      topic: 'node',
      fields: [
        { name: '', value: names(k.get(L.NODE_STATES, n), NODE_STATES) },
        { name: 'demotes to', value: names(k.get(L.NODE_DEMOTION_TARGETS, n), Array.from({ length: k.g.nodes }, (_, t) => [1 << t, `N${t}`] as const)) },
      ],
      gone: 'gone',
    });
    out.push({ key: `kswapd(N${n})`, topic: 'daemon', fields: [{ name: '', value: KSWAPD[k.get(L.NODE_KSWAPD, n)] ?? '?' }], gone: 'stopped' });
    for (let t = 0; t < ZONE_NAMES.length; t++) {
      const z = n * ZONE_NAMES.length + t;
      const managed = k.get(L.ZONE_MANAGED, z);
      if (managed === 0 && k.get(L.ZONE_PRESENT, z) === 0) continue;
      out.push({
        key: `N${n} ${ZONE_NAMES[t]}`,
        topic: 'zone',
        fields: [
          { name: 'free', value: `${k.get(L.ZONE_FREE, z)}/${managed}` },
          { name: 'watermark_boost', value: String(k.get(L.ZONE_BOOST, z)) },
          { name: 'watermarks', value: `${k.get(L.ZONE_WMARK_MIN, z)}/${k.get(L.ZONE_WMARK_LOW, z)}/${k.get(L.ZONE_WMARK_HIGH, z)}` },
        ],
        gone: 'gone',
      });
    }
  }
  k.g.blocks.forEach((b, i) => {
    out.push({ key: `memory block ${i} (N${b.node})`, topic: 'block', fields: [{ name: '', value: BLOCK_STATES[k.get(L.BLOCK_STATE, i)] ?? '?' }], gone: 'gone' });
  });
}

function privateFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  for (const nid of privateNodes(k.m)) {
    const s = npSlot(k.m, nid);
    const ref = k.get(L.NP_REFCOUNT, s);
    const ops = k.get(L.NP_OPS, s);
    if (k.get(L.NODE_NP, nid) !== 0 || ref > 0 || ops !== 0) {
      out.push({
        key: `node_private N${nid}`,
        topic: 'np',
        fields: [
          { name: 'refcount', value: String(ref) },
          { name: 'ops', value: opsName(k.m, ops) },
          { name: 'migration_blocked', value: k.get(L.NP_MIGRATION_BLOCKED, s) ? 'true' : 'false' },
          { name: 'registered', value: k.get(L.NODE_NP, nid) !== 0 ? 'yes' : 'no' },
        ],
        gone: 'released',
      });
    }
    const st = k.get(L.CN_STATE, nid);
    if (st !== 0) {
      const p = k.get(L.CN_PRESSURE, nid);
      out.push({
        key: `cram_node N${nid}`,
        topic: 'cram',
        fields: [
          { name: '', value: CN_STATES[st] ?? '?' },
          { name: 'refcount', value: String(k.get(L.CN_REFCOUNT, nid)) },
          { name: 'pressure', value: `${p}${p >= CRAM_PRESSURE_MAX ? ' (max)' : ''}` },
        ],
        gone: 'gone',
      });
    }
  }
}

function deviceFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  if (k.g.privateNode < 0) return;
  const d = k.cfg.device;
  const irq = names(k.get(L.DEV_IRQ), [[IRQ_LTHRESH, 'lthresh'], [IRQ_HTHRESH, 'hthresh']]);
  out.push({
    key: 'device',
    topic: 'device',
    fields: [
      { name: 'used', value: `${k.get(L.DEV_USED)}/${d.physUnits} units` },
      { name: 'level', value: k.get(L.DEV_LEVEL) ? 'high' : 'low' },
      { name: 'IRQ raised', value: irq },
    ],
    gone: 'gone',
  });
  for (let b = 0; b < k.g.flushBufs; b++) {
    const len = k.get(L.BUF_LEN, b);
    if (len === 0) continue;
    const ents: string[] = [];
    for (let i = 0; i < len; i++) ents.push(`pfn ${k.get(L.BUF_ENT, b * k.cfg.driver.bufMax + i) - 1}`);
    out.push({ key: `flush buffer ${b}`, topic: 'flush', fields: [{ name: '', value: `[${ents.join(', ')}]` }], gone: 'empty' });
  }
  // Each compression region's flush context (the second one's only in `cram2`).
  for (let r = 0; r < k.g.compRegions; r++) k.cfg.cpus.forEach((_, c) => {
    const i = r * k.cfg.cpus.length + c;
    const a = k.get(L.CPU_BUF_ACTIVE, i);
    const o = k.get(L.CPU_BUF_OVERFLOW, i);
    const s = k.get(L.CPU_BUF_SPARE, i);
    if (a === 0 && o === 0 && s === 0) return;
    const buf = (x: number) => (x === 0 ? 'NULL' : `buffer ${x - 1}`);
    out.push({
      key: `CPU${c} flush buffers${r ? ` (region ${r + 1})` : ''}`,
      topic: 'flush',
      fields: [
        { name: 'active', value: buf(a) },
        { name: 'overflow spare', value: buf(o) },
        { name: 'kthread spare', value: buf(s) },
        { name: 'overflow work', value: k.get(L.CPU_OVERFLOW_PENDING, i) ? 'queued' : 'idle' },
      ],
      gone: 'freed',
    });
  });
}

function memoryFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  for (let s = 0; s < k.cfg.swapSlots; s++) {
    const count = k.get(L.SWAP_COUNT, s);
    const cache = k.get(L.SWAP_CACHE, s);
    if (count === 0 && cache === 0) continue;
    out.push({
      key: `swap slot ${s}`,
      topic: 'swap',
      fields: [
        { name: 'swap count', value: String(count) },
        { name: 'data', value: String(k.get(L.SWAP_DATA, s)) },
        { name: 'swap cache', value: cache === 0 ? 'empty' : `pfn ${cache - 1}` },
      ],
      gone: 'free',
    });
  }
  for (let i = 0; i < k.cfg.files * k.cfg.filePages; i++) {
    const pfn = k.get(L.PCACHE, i);
    const data = k.get(L.FILE_DATA, i);
    if (pfn === 0 && data === 0) continue;
    const where = `file ${Math.floor(i / k.cfg.filePages)} page ${i % k.cfg.filePages}`;
    out.push({
      key: where,
      topic: 'pagecache',
      fields: [{ name: 'page cache', value: pfn === 0 ? 'empty' : `pfn ${pfn - 1}` }, { name: 'data on disk', value: String(data) }],
      gone: 'gone',
    });
  }
}

function threadFacts(k: Kernel, out: Fact[]): void {
  const L = k.L;
  k.g.threads.forEach((_, t) => {
    const held = [...names(k.get(L.THR_LOCKS, t), LOCKS), ...names(k.get(L.THR_REFS, t), REFS)];
    if (held.length === 0) return;
    out.push({ key: `${actorTitle(threadLabel(k.m, t, 0).actor)} holds`, topic: 'locks', fields: [{ name: '', value: held }], gone: 'nothing' });
  });
}

/** Every fact of a kernel state, in a fixed order (nodes, zones, blocks, np/cram, device, folios, PTEs, swap, files, threads). */
export function kernelFacts(m: Machine, state: Uint32Array): Fact[] {
  const k = kernelOf(m, state);
  const out: Fact[] = [];
  nodeFacts(k, out);
  privateFacts(k, out);
  deviceFacts(k, out);
  folioFacts(k, out);
  pteFacts(k, out);
  memoryFacts(k, out);
  threadFacts(k, out);
  return out;
}
