// BM1 (../shared/bench/BM1.md) as a System: the CRAM-lite throughput model the
// explorer is benchmarked on against the hand-written reference
// (../shared/bench/js/bm1-bfs.mjs). Every encoding of BM1 must reach exactly
// the reference's distinct-state counts, so the semantics here follow BM1.md
// to the letter; the packed encoding is the reference's, so the two tools hash
// and store the same words.
//
// Encoding (two uint32 words, F <= 10, P <= 15):
//   folio f: 5-bit field loc (2 bits) | wr << 2 | cls << 3,
//            folios 0..5 in word0 (bits 5f..), folios 6..9 in word1 (bits 5(f-6)..)
//   word1 bits 20..23: used, bits 24..25: pressure, bit 26: online
//
// Action table (static, fixed by F): folio f owns ids 9f..9f+8 in BM1.md's
// order Alloc, Write c=0,1,2, Promote, Demote, SwapOut, SwapIn, Free; then
// Report = 9F, Online = 9F+1, Offline = 9F+2. expand() emits in that order.

import { match } from 'ts-pattern';
import type { ActionInfo, Property, System } from '../src/explore/system.ts';

export interface Bm1Params {
  readonly F: number;
  readonly D: number;
  readonly C: number;
  readonly P: number;
}

export const BM1_CONFIGS = {
  small: { F: 4, D: 2, C: 2, P: 4 },
  medium: { F: 6, D: 3, C: 3, P: 8 },
  large: { F: 7, D: 3, C: 3, P: 10 },
  xlarge: { F: 8, D: 4, C: 4, P: 10 },
} as const satisfies Record<string, Bm1Params>;

export type Bm1ConfigName = keyof typeof BM1_CONFIGS;

/**
 * Seeded bugs, each breaking one invariant, to show the properties can fail:
 * - demote-keeps-write:     Demote leaves the PTE writable (I1)
 * - demote-ignores-budget:  Demote skips used+cost <= P (I2)
 * - promote-keeps-charge:   Promote does not give back the device units (I3)
 * - alloc-ignores-capacity: Alloc skips nD < D (I4)
 * - offline-ignores-cram:   Offline skips nC = 0 (I5)
 */
export const BM1_MUTANTS = [
  'demote-keeps-write',
  'demote-ignores-budget',
  'promote-keeps-charge',
  'alloc-ignores-capacity',
  'offline-ignores-cram',
] as const;
export type Bm1Mutant = (typeof BM1_MUTANTS)[number];

export interface Bm1Options {
  readonly mutant?: Bm1Mutant | null;
}

const MAX = 3;
const FREE = 0;
const DRAM = 1;
const CRAM = 2;
const SWAP = 3;
const LOC_NAMES = ['FREE', 'DRAM', 'CRAM', 'SWAP'] as const;
const COST = [1, 2, 4] as const;
const SH_USED = 20;
const SH_PRES = 24;
const SH_ON = 26;
const PER_FOLIO = 9;

type FolioAction = 'Alloc' | 'Write' | 'Promote' | 'Demote' | 'SwapOut' | 'SwapIn' | 'Free';
type Bm1Action =
  | { readonly kind: FolioAction; readonly f: number; readonly c: number }
  | { readonly kind: 'Report' | 'Online' | 'Offline' };

const FOLIO_KINDS: readonly FolioAction[] = ['Alloc', 'Write', 'Write', 'Write', 'Promote', 'Demote', 'SwapOut', 'SwapIn', 'Free'];

function cost(c: number): number {
  return COST[c] ?? 4;
}

/** level(u) = floor(4u / (P+1)): the pressure the device reports for u used units. */
function level(u: number, P: number): number {
  return Math.floor((4 * u) / (P + 1));
}

function folioField(w0: number, w1: number, f: number): number {
  return f < 6 ? (w0 >>> (5 * f)) & 31 : (w1 >>> (5 * (f - 6))) & 31;
}

// Write the successor: folio f's field replaced by v, used replaced by u.
// A pure helper (no closure per state) so expand() allocates nothing.
function put(next: Uint32Array, w0: number, w1: number, f: number, v: number, u: number): void {
  if (f < 6) {
    const sh = 5 * f;
    next[0] = (w0 & ~(31 << sh)) | (v << sh);
    next[1] = (w1 & ~(15 << SH_USED)) | ((u & 15) << SH_USED);
  } else {
    const sh = 5 * (f - 6);
    next[0] = w0;
    next[1] = (w1 & ~(31 << sh) & ~(15 << SH_USED)) | (v << sh) | ((u & 15) << SH_USED);
  }
}

/** Decoded view of one state, for properties, render and explain (not the hot path). */
export interface Bm1View {
  readonly loc: number[];
  readonly wr: number[];
  readonly cls: number[];
  readonly used: number;
  readonly pressure: number;
  readonly online: number;
  readonly nD: number;
  readonly nC: number;
}

export function decodeBm1(p: Bm1Params, s: Uint32Array): Bm1View {
  const w0 = s[0]!, w1 = s[1]!;
  const loc: number[] = [], wr: number[] = [], cls: number[] = [];
  let nD = 0, nC = 0;
  for (let f = 0; f < p.F; f++) {
    const v = folioField(w0, w1, f);
    loc.push(v & 3);
    wr.push((v >>> 2) & 1);
    cls.push(v >>> 3);
    if ((v & 3) === DRAM) nD++;
    else if ((v & 3) === CRAM) nC++;
  }
  return { loc, wr, cls, used: (w1 >>> SH_USED) & 15, pressure: (w1 >>> SH_PRES) & 3, online: (w1 >>> SH_ON) & 1, nD, nC };
}

/** Encode a view (used by tests to build specific states). */
export function encodeBm1(p: Bm1Params, v: Omit<Bm1View, 'nD' | 'nC'>, out: Uint32Array): void {
  let w0 = 0, w1 = 0;
  for (let f = 0; f < p.F; f++) {
    const field = (v.loc[f]! & 3) | ((v.wr[f]! & 1) << 2) | ((v.cls[f]! & 3) << 3);
    if (f < 6) w0 |= field << (5 * f);
    else w1 |= field << (5 * (f - 6));
  }
  w1 |= ((v.used & 15) << SH_USED) | ((v.pressure & 3) << SH_PRES) | ((v.online & 1) << SH_ON);
  out[0] = w0;
  out[1] = w1;
}

export function bm1ActionOf(p: Bm1Params, a: number): Bm1Action | null {
  if (!Number.isInteger(a) || a < 0) return null;
  const nf = p.F * PER_FOLIO;
  if (a < nf) {
    const f = Math.floor(a / PER_FOLIO), k = a % PER_FOLIO;
    return { kind: FOLIO_KINDS[k]!, f, c: k >= 1 && k <= 3 ? k - 1 : 0 };
  }
  if (a === nf) return { kind: 'Report' };
  if (a === nf + 1) return { kind: 'Online' };
  if (a === nf + 2) return { kind: 'Offline' };
  return null;
}

// The checks run on every new state (3.5M times on medium), so they read the
// packed words directly instead of decoding into arrays.
function bm1Properties(p: Bm1Params): Property[] {
  const src = '../shared/bench/BM1.md: Invariants';
  const F = p.F;
  return [
    {
      id: 'BM1-I1',
      source: `${src} (I1 read-only: loc=CRAM implies wr=0)`,
      check(s) {
        const w0 = s[0]!, w1 = s[1]!;
        for (let f = 0; f < F; f++) {
          const v = folioField(w0, w1, f);
          if ((v & 3) === CRAM && (v & 4) !== 0) return `folio f${f} is on CRAM with a writable PTE`;
        }
        return null;
      },
    },
    {
      id: 'BM1-I2',
      source: `${src} (I2 no-overcommit: used <= P)`,
      check(s) {
        const used = (s[1]! >>> SH_USED) & 15;
        return used <= p.P ? null : `device uses ${used} units, capacity is ${p.P}`;
      },
    },
    {
      id: 'BM1-I3',
      source: `${src} (I3 accounting: used = sum of cost over CRAM folios)`,
      check(s) {
        const w0 = s[0]!, w1 = s[1]!;
        let sum = 0;
        for (let f = 0; f < F; f++) {
          const v = folioField(w0, w1, f);
          if ((v & 3) === CRAM) sum += cost(v >>> 3);
        }
        const used = (w1 >>> SH_USED) & 15;
        return used === sum ? null : `used=${used} but the CRAM folios cost ${sum}`;
      },
    },
    {
      id: 'BM1-I4',
      source: `${src} (I4 capacity: nD <= D and nC <= C)`,
      check(s) {
        const w0 = s[0]!, w1 = s[1]!;
        let nD = 0, nC = 0;
        for (let f = 0; f < F; f++) {
          const l = folioField(w0, w1, f) & 3;
          if (l === DRAM) nD++;
          else if (l === CRAM) nC++;
        }
        if (nD > p.D) return `${nD} folios in DRAM, only ${p.D} frames`;
        if (nC > p.C) return `${nC} folios on CRAM, only ${p.C} frames`;
        return null;
      },
    },
    {
      id: 'BM1-I5',
      source: `${src} (I5 offline-empty: online=0 implies nC=0)`,
      check(s) {
        const w0 = s[0]!, w1 = s[1]!;
        if ((w1 >>> SH_ON) & 1) return null;
        let nC = 0;
        for (let f = 0; f < F; f++) if ((folioField(w0, w1, f) & 3) === CRAM) nC++;
        return nC === 0 ? null : `node offline with ${nC} folios on CRAM`;
      },
    },
  ];
}

export interface Bm1System extends System {
  readonly params: Bm1Params;
  readonly mutant: Bm1Mutant | null;
}

export function validateBm1Params(p: Bm1Params): string | null {
  const { F, D, C, P } = p;
  for (const [k, v] of Object.entries(p)) if (!Number.isInteger(v) || v < 0) return `BM1: ${k} must be a non-negative integer, got ${String(v)}`;
  if (F < 1 || F > 10) return `BM1: F must be in 1..10 (the 2-word encoding holds 10 folios), got ${F}`;
  if (D > F) return `BM1: D must be at most F (${F}), got ${D}`;
  if (C > F) return `BM1: C must be at most F (${F}), got ${C}`;
  if (P > 15) return `BM1: P must be in 0..15 (used is a 4-bit field), got ${P}`;
  return null;
}

export function bm1System(params: Bm1Params, opts: Bm1Options = {}): Bm1System {
  const err = validateBm1Params(params);
  if (err) throw new Error(err);
  const { F, D, C, P } = params;
  const mutant = opts.mutant ?? null;
  const demoteWr = mutant === 'demote-keeps-write' ? 1 : 0;
  const demoteBudget = mutant !== 'demote-ignores-budget';
  const promoteUncharges = mutant !== 'promote-keeps-charge';
  const allocLimit = mutant === 'alloc-ignores-capacity' ? F : D;
  const offlineNeedsEmpty = mutant !== 'offline-ignores-cram';
  const REPORT = F * PER_FOLIO;
  const ONLINE = REPORT + 1;
  const OFFLINE = REPORT + 2;

  // The fast path. Guards are BM1.md's, written once more in step() through
  // bm1ActionOf; a test checks the two agree on every reachable state.
  function expand(state: Uint32Array, next: Uint32Array, emit: (a: number) => void): void {
    const w0 = state[0]!, w1 = state[1]!;
    let nD = 0, nC = 0;
    for (let f = 0; f < F; f++) {
      const l = folioField(w0, w1, f) & 3;
      if (l === DRAM) nD++;
      else if (l === CRAM) nC++;
    }
    const used = (w1 >>> SH_USED) & 15;
    const pressure = (w1 >>> SH_PRES) & 3;
    const online = (w1 >>> SH_ON) & 1;
    for (let f = 0; f < F; f++) {
      const v = folioField(w0, w1, f);
      const l = v & 3, wr = (v >>> 2) & 1, c = v >>> 3, base = f * PER_FOLIO;
      if (l === FREE) {
        if (nD < allocLimit) {
          put(next, w0, w1, f, DRAM | 4, used);
          emit(base);
        }
      } else if (l === DRAM) {
        if (wr === 1) {
          for (let nc = 0; nc < 3; nc++) {
            if (nc !== c) {
              put(next, w0, w1, f, DRAM | 4 | (nc << 3), used);
              emit(base + 1 + nc);
            }
          }
        }
        const k = cost(c);
        if (online === 1 && pressure < MAX && nC < C && (!demoteBudget || used + k <= P)) {
          put(next, w0, w1, f, CRAM | (demoteWr << 2) | (c << 3), used + k);
          emit(base + 5);
        }
        put(next, w0, w1, f, FREE, used);
        emit(base + 8);
      } else if (l === CRAM) {
        const k = cost(c);
        if (nD < D) {
          put(next, w0, w1, f, DRAM | 4 | (c << 3), promoteUncharges ? used - k : used);
          emit(base + 4);
        }
        put(next, w0, w1, f, SWAP | (wr << 2) | (c << 3), used - k);
        emit(base + 6);
        put(next, w0, w1, f, FREE, used - k);
        emit(base + 8);
      } else {
        if (nD < D) {
          put(next, w0, w1, f, DRAM | 4 | (c << 3), used);
          emit(base + 7);
        }
        put(next, w0, w1, f, FREE, used);
        emit(base + 8);
      }
    }
    const lv = level(used, P);
    if (pressure !== lv) {
      next[0] = w0;
      next[1] = (w1 & ~(3 << SH_PRES)) | (lv << SH_PRES);
      emit(REPORT);
    }
    if (online === 0) {
      next[0] = w0;
      next[1] = w1 | (1 << SH_ON);
      emit(ONLINE);
    } else if (nC === 0 || !offlineNeedsEmpty) {
      next[0] = w0;
      next[1] = w1 & ~(1 << SH_ON);
      emit(OFFLINE);
    }
  }

  // step(): one guard+effect closure per action id, built once here (the
  // match over the action union runs at construction, not per call), reading
  // the packed words directly so DFS, replay and MBT pay no decoding.
  type StepFn = (w0: number, w1: number, next: Uint32Array) => boolean;
  const counts = (w0: number, w1: number, want: number): number => {
    let n = 0;
    for (let f = 0; f < F; f++) if ((folioField(w0, w1, f) & 3) === want) n++;
    return n;
  };
  const usedOf = (w1: number): number => (w1 >>> SH_USED) & 15;
  const stepFor = (act: Bm1Action): StepFn =>
    match(act)
      .with({ kind: 'Report' }, (): StepFn => (w0, w1, next) => {
        const lv = level(usedOf(w1), P);
        if (((w1 >>> SH_PRES) & 3) === lv) return false;
        next[0] = w0;
        next[1] = (w1 & ~(3 << SH_PRES)) | (lv << SH_PRES);
        return true;
      })
      .with({ kind: 'Online' }, (): StepFn => (w0, w1, next) => {
        if ((w1 >>> SH_ON) & 1) return false;
        next[0] = w0;
        next[1] = w1 | (1 << SH_ON);
        return true;
      })
      .with({ kind: 'Offline' }, (): StepFn => (w0, w1, next) => {
        if (((w1 >>> SH_ON) & 1) === 0 || (offlineNeedsEmpty && counts(w0, w1, CRAM) !== 0)) return false;
        next[0] = w0;
        next[1] = w1 & ~(1 << SH_ON);
        return true;
      })
      .with({ kind: 'Alloc' }, ({ f }): StepFn => (w0, w1, next) => {
        if ((folioField(w0, w1, f) & 3) !== FREE || counts(w0, w1, DRAM) >= allocLimit) return false;
        put(next, w0, w1, f, DRAM | 4, usedOf(w1));
        return true;
      })
      .with({ kind: 'Write' }, ({ f, c }): StepFn => (w0, w1, next) => {
        const v = folioField(w0, w1, f);
        if ((v & 3) !== DRAM || (v & 4) === 0 || v >>> 3 === c) return false;
        put(next, w0, w1, f, DRAM | 4 | (c << 3), usedOf(w1));
        return true;
      })
      .with({ kind: 'Promote' }, ({ f }): StepFn => (w0, w1, next) => {
        const v = folioField(w0, w1, f);
        if ((v & 3) !== CRAM || counts(w0, w1, DRAM) >= D) return false;
        const c = v >>> 3, used = usedOf(w1);
        put(next, w0, w1, f, DRAM | 4 | (c << 3), promoteUncharges ? used - cost(c) : used);
        return true;
      })
      .with({ kind: 'Demote' }, ({ f }): StepFn => (w0, w1, next) => {
        const v = folioField(w0, w1, f);
        const c = v >>> 3, used = usedOf(w1);
        if ((v & 3) !== DRAM || ((w1 >>> SH_ON) & 1) !== 1 || ((w1 >>> SH_PRES) & 3) >= MAX) return false;
        if (counts(w0, w1, CRAM) >= C || (demoteBudget && used + cost(c) > P)) return false;
        put(next, w0, w1, f, CRAM | (demoteWr << 2) | (c << 3), used + cost(c));
        return true;
      })
      .with({ kind: 'SwapOut' }, ({ f }): StepFn => (w0, w1, next) => {
        const v = folioField(w0, w1, f);
        if ((v & 3) !== CRAM) return false;
        put(next, w0, w1, f, SWAP | (v & 4) | (v & 24), usedOf(w1) - cost(v >>> 3));
        return true;
      })
      .with({ kind: 'SwapIn' }, ({ f }): StepFn => (w0, w1, next) => {
        const v = folioField(w0, w1, f);
        if ((v & 3) !== SWAP || counts(w0, w1, DRAM) >= D) return false;
        put(next, w0, w1, f, DRAM | 4 | (v & 24), usedOf(w1));
        return true;
      })
      .with({ kind: 'Free' }, ({ f }): StepFn => (w0, w1, next) => {
        const v = folioField(w0, w1, f);
        if ((v & 3) === FREE) return false;
        const used = usedOf(w1);
        put(next, w0, w1, f, FREE, (v & 3) === CRAM ? used - cost(v >>> 3) : used);
        return true;
      })
      .exhaustive();
  const stepTable: StepFn[] = [];
  for (let a = 0; a < F * PER_FOLIO + 3; a++) stepTable.push(stepFor(bm1ActionOf(params, a)!));

  function step(state: Uint32Array, a: number, next: Uint32Array): boolean {
    const fn = stepTable[a];
    return fn !== undefined && fn(state[0]!, state[1]!, next);
  }

  function describe(a: number): ActionInfo {
    const act = bm1ActionOf(params, a);
    if (act === null) return { actor: '?', name: `action#${a}` };
    return match(act)
      .with({ kind: 'Write' }, ({ f, c }) => ({ actor: 'cpu', name: `Write(f${f},c${c})` }))
      .with({ kind: 'Alloc' }, { kind: 'Promote' }, { kind: 'SwapIn' }, { kind: 'Free' }, ({ kind, f }) => ({ actor: 'cpu', name: `${kind}(f${f})` }))
      .with({ kind: 'Demote' }, { kind: 'SwapOut' }, ({ kind, f }) => ({ actor: 'kswapd', name: `${kind}(f${f})` }))
      .with({ kind: 'Report' }, () => ({ actor: 'device', name: 'Report' }))
      .with({ kind: 'Online' }, { kind: 'Offline' }, ({ kind }) => ({ actor: 'driver', name: kind }))
      .exhaustive();
  }

  function renderView(v: Bm1View): string[] {
    const lines: string[] = [];
    for (let f = 0; f < F; f++) lines.push(`f${f}: ${LOC_NAMES[v.loc[f]!]} ${v.wr[f] ? 'rw' : 'ro'} cls=${v.cls[f]}`);
    lines.push(`used=${v.used}/${P} pressure=${v.pressure} online=${v.online} nD=${v.nD}/${D} nC=${v.nC}/${C}`);
    return lines;
  }

  function explain(state: Uint32Array, a: number): string[] {
    const name = describe(a).name;
    const next = new Uint32Array(2);
    if (!step(state, a, next)) return [`${name}: not enabled`];
    const before = decodeBm1(params, state), after = decodeBm1(params, next);
    const changes: string[] = [];
    for (let f = 0; f < F; f++) {
      if (before.loc[f] !== after.loc[f]) changes.push(`f${f} ${LOC_NAMES[before.loc[f]!]}->${LOC_NAMES[after.loc[f]!]}`);
      if (before.wr[f] !== after.wr[f]) changes.push(`f${f} wr ${before.wr[f]}->${after.wr[f]}`);
      if (before.cls[f] !== after.cls[f]) changes.push(`f${f} cls ${before.cls[f]}->${after.cls[f]}`);
    }
    if (before.used !== after.used) changes.push(`used ${before.used}->${after.used}`);
    if (before.pressure !== after.pressure) changes.push(`pressure ${before.pressure}->${after.pressure}`);
    if (before.online !== after.online) changes.push(`online ${before.online}->${after.online}`);
    return [`${name}: ${changes.join(', ')}`];
  }

  const suffix = mutant ? ` mutant=${mutant}` : '';
  return {
    name: `bm1(F=${F},D=${D},C=${C},P=${P})${suffix}`,
    words: 2,
    actionCount: F * PER_FOLIO + 3,
    params,
    mutant,
    initial(out) {
      out[0] = 0;
      out[1] = 0;
    },
    step,
    expand,
    describe,
    explain,
    properties: bm1Properties(params),
    render: (state) => renderView(decodeBm1(params, state)),
  };
}

export type ParseBm1Result =
  | { readonly ok: true; readonly params: Bm1Params; readonly name: string }
  | { readonly ok: false; readonly error: string };

/**
 * Parse 'small' | 'medium' | 'large' | 'xlarge', 'F=6,D=3,C=3,P=8' (any order)
 * or '6,3,3,8'. Bad input gives one line saying what is wrong.
 */
export function parseBm1Params(text: string): ParseBm1Result {
  const t = text.trim();
  if (Object.hasOwn(BM1_CONFIGS, t)) return { ok: true, params: BM1_CONFIGS[t as Bm1ConfigName], name: t };
  const usage = `expected small|medium|large|xlarge, F=<n>,D=<n>,C=<n>,P=<n> or F,D,C,P`;
  let vals: Partial<Record<'F' | 'D' | 'C' | 'P', number>> = {};
  const pos = /^(\d+),(\d+),(\d+),(\d+)$/.exec(t);
  if (pos) {
    vals = { F: Number(pos[1]), D: Number(pos[2]), C: Number(pos[3]), P: Number(pos[4]) };
  } else {
    if (t === '') return { ok: false, error: `BM1 parameters: empty; ${usage}` };
    for (const part of t.split(',')) {
      const m = /^\s*([A-Za-z]+)\s*=\s*(\S*)\s*$/.exec(part);
      if (!m) return { ok: false, error: `BM1 parameters: cannot read '${part}' in '${t}'; ${usage}` };
      const key = m[1]!.toUpperCase();
      if (key !== 'F' && key !== 'D' && key !== 'C' && key !== 'P') return { ok: false, error: `BM1 parameters: unknown parameter '${m[1]}' (known: F, D, C, P)` };
      if (!/^\d+$/.test(m[2]!)) return { ok: false, error: `BM1 parameters: ${key} must be a non-negative integer, got '${m[2]}'` };
      if (vals[key] !== undefined) return { ok: false, error: `BM1 parameters: ${key} given twice` };
      vals[key] = Number(m[2]);
    }
  }
  const missing = (['F', 'D', 'C', 'P'] as const).filter((k) => vals[k] === undefined);
  if (missing.length > 0) return { ok: false, error: `BM1 parameters: missing ${missing.join(', ')}; ${usage}` };
  const params: Bm1Params = { F: vals.F!, D: vals.D!, C: vals.C!, P: vals.P! };
  const err = validateBm1Params(params);
  if (err) return { ok: false, error: err };
  return { ok: true, params, name: `F=${params.F},D=${params.D},C=${params.C},P=${params.P}` };
}

export function isBm1Mutant(s: string): s is Bm1Mutant {
  return (BM1_MUTANTS as readonly string[]).includes(s);
}
