// What the trace viewer shows at each step of a kernel trace, as plain data
// (the page, viewer-page.ts, only draws it): the step's kernel calls and state
// changes (the mail narration), the state as a picture (nodes and zones,
// pages and folios with their flags and mappings, the device's fill against
// lthresh/hthresh, the threads and what they hold), the protocol machines'
// states (models/abstraction.ts) and which parts changed.

import { kernelAbstractions, kernelOf } from '../../../models/abstraction.ts';
import type { System } from '../../explore/system.ts';
import { ZONE_NAMES } from '../../kernel/defs.ts';
import type { Kernel, Machine } from '../../kernel/kernel.ts';
import { PG_head, PG_reserved, PG_tail, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE } from '../../kernel/layout.ts';
import { threadLabel } from '../../kernel/sched.ts';
import { factText, type Fact } from '../../trace/mail/facts.ts';
import { narrateTrace } from '../../trace/mail/narrate.ts';
import { actorTitle } from './actors.ts';
import { kernelFacts } from './facts.ts';
import { kernelNarrator } from './narrator.ts';

export interface ViewPage {
  readonly key: string;
  readonly pfn: number;
  /** 'folio' | 'free' (a free page still holding data or a flush bit) | 'buddy'. */
  readonly kind: string;
  readonly text: readonly string[];
  readonly flags: readonly string[];
  /** PTEs mapping it: 'v0 rw', 'mm1 v0 ro', 'v0 migration'. */
  readonly maps: readonly string[];
}

export interface ViewZone {
  readonly key: string;
  readonly name: string;
  readonly free: number;
  readonly managed: number;
  readonly boost: number;
}

export interface ViewNode {
  readonly key: string;
  readonly id: number;
  readonly kind: string;
  readonly states: string;
  readonly zones: readonly ViewZone[];
  readonly pages: readonly ViewPage[];
}

export interface ViewState {
  readonly nodes: readonly ViewNode[];
  readonly device: { readonly used: number; readonly phys: number; readonly lthresh: number; readonly hthresh: number; readonly level: string; readonly irq: string } | null;
  readonly threads: readonly { readonly key: string; readonly title: string; readonly holds: string }[];
  readonly machines: readonly { readonly key: string; readonly machine: string; readonly entity: string; readonly state: string }[];
  /** Facts the picture does not draw (node_private, cram_node, PTEs, flush buffers, swap, page cache, kswapd). */
  readonly facts: readonly { readonly key: string; readonly text: string }[];
  /** Keys (of pictures, facts and machine rows) that changed in the step that led here. */
  readonly changed: readonly string[];
}

export interface ViewStep {
  /** 0: the initial state. */
  readonly n: number;
  readonly actor: string;
  readonly calls: readonly string[];
  readonly changes: readonly string[];
  readonly state: ViewState;
}

export interface ViewerData {
  readonly title: string;
  readonly scenario: readonly string[];
  readonly property: string;
  readonly source: string;
  readonly message: string | null;
  readonly steps: readonly ViewStep[];
}

const PICTURED_TOPICS = new Set(['node', 'zone', 'folio', 'device', 'locks', 'vma', 'block']);

function pteMaps(k: Kernel): Map<number, string[]> {
  const L = k.L;
  const V = k.cfg.vaddrs;
  const out = new Map<number, string[]>();
  for (let i = 0; i < k.cfg.mms * V; i++) {
    const kind = k.get(L.PTE_KIND, i);
    if (kind !== PTE_PRESENT && kind !== PTE_MIGRATION) continue;
    const where = k.cfg.mms > 1 ? `mm${Math.floor(i / V)} v${i % V}` : `v${i % V}`;
    const how = kind === PTE_MIGRATION ? 'migration' : k.get(L.PTE_FLAGS, i) & PTE_WRITE ? 'rw' : 'ro';
    const pfn = k.get(L.PTE_VAL, i);
    out.set(pfn, [...(out.get(pfn) ?? []), `${where} ${how}`]);
  }
  return out;
}

function stateView(m: Machine, state: Uint32Array, facts: readonly Fact[], before: readonly Fact[] | null, machinesBefore: readonly string[] | null): { view: ViewState; machineStates: string[] } {
  const k = kernelOf(m, state);
  const L = k.L;
  const byKey = new Map(facts.map((f) => [f.key, f]));
  const maps = pteMaps(k);
  const nodes: ViewNode[] = m.cfg.nodes.map((n, id) => {
    const zones: ViewZone[] = [];
    for (let t = 0; t < ZONE_NAMES.length; t++) {
      const z = id * ZONE_NAMES.length + t;
      if (k.get(L.ZONE_MANAGED, z) === 0 && k.get(L.ZONE_PRESENT, z) === 0) continue;
      zones.push({ key: `N${id} ${ZONE_NAMES[t]}`, name: ZONE_NAMES[t]!, free: k.get(L.ZONE_FREE, z), managed: k.get(L.ZONE_MANAGED, z), boost: k.get(L.ZONE_BOOST, z) });
    }
    const pages: ViewPage[] = [];
    for (let pfn = 0; pfn < m.g.pfns; pfn++) {
      if (m.g.pfnNode[pfn] !== id) continue;
      const fl = k.get(L.PG_FLAGS, pfn);
      if (fl & PG_tail || fl & PG_reserved) continue;
      const key = [...byKey.keys()].find((x) => x.startsWith(`pfn ${pfn} `)) ?? `pfn ${pfn} (N${id})`;
      const f = byKey.get(key);
      if (!f) {
        pages.push({ key, pfn, kind: 'buddy', text: ['free'], flags: [], maps: [] });
        continue;
      }
      const field = (name: string) => f.fields.find((x) => x.name === name)?.value;
      const flags = field('flags');
      const text = [`ref ${String(field('refcount'))} map ${String(field('mapcount'))}`, `data ${String(field('data'))}${field('flush_record bit') === '1' ? ', flush bit' : ''}`];
      const swap = field('swap slot');
      if (swap !== undefined) text.push(`swap slot ${String(swap)}`);
      pages.push({ key, pfn, kind: fl & PG_head || k.get(L.PG_REF, pfn) > 0 ? 'folio' : 'free', text, flags: Array.isArray(flags) ? flags : [], maps: maps.get(pfn) ?? [] });
    }
    const nf = byKey.get(`node ${id}`);
    const states = nf ? factText(nf).replace(/^node \d+: /, '') : '';
    return { key: `node ${id}`, id, kind: n.kind, states, zones, pages };
  });
  const dev = m.g.privateNode >= 0 ? byKey.get('device') : undefined;
  const device = dev
    ? {
        used: k.get(L.DEV_USED),
        phys: m.cfg.device.physUnits,
        lthresh: m.cfg.device.lthresh,
        hthresh: m.cfg.device.hthresh,
        level: k.get(L.DEV_LEVEL) ? 'high' : 'low',
        irq: String(dev.fields.find((x) => x.name === 'IRQ raised')?.value ?? ''),
      }
    : null;
  const threads = m.g.threads.map((_, t) => {
    const title = actorTitle(threadLabel(m, t, 0).actor);
    const key = `${title} holds`;
    const f = byKey.get(key);
    return { key, title, holds: f ? factText(f).replace(`${key}: `, '') : '' };
  });
  const machineStates: string[] = [];
  const machines: { key: string; machine: string; entity: string; state: string }[] = [];
  for (const a of kernelAbstractions(m)) {
    const out: string[] = [];
    a.abstractState(state, out);
    a.entities.forEach((e, i) => {
      const st = out[i] ?? '?';
      machineStates.push(st);
      machines.push({ key: `machine ${a.spec.name} ${a.label(e)}`, machine: a.spec.name, entity: a.label(e), state: st });
    });
  }
  const rest = facts.filter((f) => !PICTURED_TOPICS.has(f.topic) || f.topic === 'vma').map((f) => ({ key: f.key, text: factText(f) }));
  const changed: string[] = [];
  if (before) {
    const old = new Map(before.map((f) => [f.key, factText(f)]));
    const now = new Map(facts.map((f) => [f.key, factText(f)]));
    for (const [key, text] of now) if (old.get(key) !== text) changed.push(key);
    for (const key of old.keys()) if (!now.has(key)) changed.push(key);
  }
  if (machinesBefore) machines.forEach((x, i) => {
    if (machinesBefore[i] !== x.state) changed.push(x.key);
  });
  return { view: { nodes, device, threads, machines, facts: rest, changed }, machineStates };
}

export function kernelViewerData(sys: System, m: Machine, title: string, property: string, actions: readonly number[]): ViewerData {
  const narrator = kernelNarrator(sys, m);
  const mail = narrateTrace(sys, narrator, property, actions);
  const steps: ViewStep[] = [];
  let cur = new Uint32Array(sys.words);
  sys.initial(cur);
  let facts = kernelFacts(m, cur);
  const first = stateView(m, cur, facts, null, null);
  steps.push({ n: 0, actor: '', calls: [], changes: [], state: first.view });
  let machineStates = first.machineStates;
  for (const s of mail.steps) {
    const next = new Uint32Array(sys.words);
    if (!sys.step(cur, actions[s.n - 1]!, next)) break;
    const after = kernelFacts(m, next);
    const v = stateView(m, next, after, facts, machineStates);
    steps.push({ n: s.n, actor: actorTitle(s.actor), calls: s.calls, changes: s.changes, state: v.view });
    facts = after;
    machineStates = v.machineStates;
    cur = next;
  }
  return { title, scenario: mail.scenario, property, source: mail.source, message: mail.message, steps };
}
