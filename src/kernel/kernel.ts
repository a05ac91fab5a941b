// The Kernel value: static machine description (cfg, geometry, layout) plus the
// one mutable state vector. Kernel functions take a Kernel and mutate k.s in
// place; the explorer gives each successor its own copy of the vector.

import type { KernelConfig } from './config.ts';
import { buildGeometry, type Geometry } from './geometry.ts';
import { checkCountsFit, checkLayoutFits } from './fit.ts';
import { buildLayout, type Field, type KernelLayout } from './layout.ts';
import { newRanRecord } from './ran.ts';

/** Everything that is fixed for a configuration, shared by all its states. */
export interface Machine {
  readonly cfg: KernelConfig;
  readonly g: Geometry;
  readonly L: KernelLayout;
  /** Kernel functions that ran on this machine (src/kernel/ran.ts); outside the state, never part of a key. */
  readonly ran: Uint8Array;
}

/** Throws ConfigFitError (fit.ts) when the configuration does not fit the state layout. */
export function buildMachine(cfg: KernelConfig): Machine {
  checkCountsFit(cfg);
  const g = buildGeometry(cfg);
  const L = buildLayout(cfg, g);
  checkLayoutFits(L);
  return { cfg, g, L, ran: newRanRecord() };
}

/**
 * Check every state write against its field (index in range, an integer in
 * 0..max). On under test (NODE_ENV=test, set by the ava config) and with
 * CRAMCHECK_CHECK_WRITES=1: a value stored truncated, or into a neighbouring
 * field, would silently merge different kernels, so a test run must fail the
 * moment a future field or config overflows its declared width.
 */
export const CHECK_WRITES: boolean = process.env['NODE_ENV'] === 'test' || process.env['CRAMCHECK_CHECK_WRITES'] === '1';

/** A write outside a field's declared range (a model bug, never bad input). */
export class FieldOverflowError extends Error {
  override readonly name = 'FieldOverflowError';
}

function checkWrite(f: Field, i: number, v: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= f.len) throw new FieldOverflowError(`${f.name}[${i}]: index out of range 0..${f.len - 1}`);
  if (!Number.isInteger(v) || v < 0 || v > f.max) throw new FieldOverflowError(`${f.name}[${i}] = ${v}: outside 0..${f.max}`);
}

/**
 * Access instrumentation for partial-order reduction (src/explore/footprint.ts):
 * while a recorder is installed, every state word a Kernel reads or writes is
 * reported by its 16-bit index. One module-level slot, so the hot path pays a
 * single null test when nobody records.
 */
export interface WordRecorder {
  read(w: number): void;
  write(w: number): void;
}
let recorder: WordRecorder | null = null;
export function setWordRecorder(r: WordRecorder | null): void {
  recorder = r;
}

function rw(r: WordRecorder, w: number): void {
  r.read(w);
  r.write(w);
}

/** See Kernel.freeWindow. */
export interface FreeWindowProbe {
  hook(k: Kernel, tid: number, pfn: number): void;
}

export class Kernel {
  readonly cfg: KernelConfig;
  readonly g: Geometry;
  readonly L: KernelLayout;
  /** Lines describing kernel calls, collected only when a trace is being rendered. */
  log: string[] | null = null;
  /**
   * `current`: the thread whose step is running (set by runThread), -1 for an
   * administrator's action or a direct call. Not state: a step's context.
   */
  current = -1;
  /**
   * The CPU a kernel thread's step runs on (src/kernel/kthread_cpu.ts; set by
   * runThread), and whether the step asked for it. Not state: a step's context.
   */
  kthreadCpu = 0;
  kthreadCpuUsed = false;
  /**
   * Folios the kernel thread's step put in kthreadCpu's lru_add batch
   * (folio.ts: lruAdd): the step asked for its CPU if one is still there when
   * the step ends (a drain_all later in the same step makes the CPU invisible).
   */
  readonly kthreadBatched: number[] = [];
  /**
   * The free path's ops window (src/kernel/free_window.ts): a probe that
   * folio_managed_on_free calls between its ops read and the free_folio call.
   * Not state: installed for one step by whoever runs it, null otherwise.
   */
  freeWindow: FreeWindowProbe | null = null;

  constructor(
    readonly m: Machine,
    public s: Uint16Array,
  ) {
    this.cfg = m.cfg;
    this.g = m.g;
    this.L = m.L;
  }

  /** A zeroed state vector for machine m (boot state is built by boot()). */
  static blank(m: Machine): Kernel {
    return new Kernel(m, new Uint16Array(m.L.words16));
  }

  get(f: Field, i = 0): number {
    if (recorder !== null) recorder.read(f.off + i);
    return this.s[f.off + i]!;
  }

  set(f: Field, i: number, v: number): void {
    if (CHECK_WRITES) checkWrite(f, i, v);
    if (recorder !== null) recorder.write(f.off + i);
    this.s[f.off + i] = v;
  }

  add(f: Field, i: number, d: number): void {
    if (CHECK_WRITES) checkWrite(f, i, this.s[f.off + i]! + d);
    if (recorder !== null) rw(recorder, f.off + i);
    this.s[f.off + i] = this.s[f.off + i]! + d;
  }

  has(f: Field, i: number, bits: number): boolean {
    if (recorder !== null) recorder.read(f.off + i);
    return (this.s[f.off + i]! & bits) !== 0;
  }

  setBits(f: Field, i: number, bits: number): void {
    if (CHECK_WRITES) checkWrite(f, i, this.s[f.off + i]! | bits);
    if (recorder !== null) rw(recorder, f.off + i);
    this.s[f.off + i] = this.s[f.off + i]! | bits;
  }

  clearBits(f: Field, i: number, bits: number): void {
    if (CHECK_WRITES) checkWrite(f, i, this.s[f.off + i]! & ~bits);
    if (recorder !== null) rw(recorder, f.off + i);
    this.s[f.off + i] = this.s[f.off + i]! & ~bits;
  }

  clone(): Kernel {
    return new Kernel(this.m, this.s.slice());
  }

  /** Record one kernel call for the human-readable trace (no-op while exploring). */
  trace(line: string): void {
    if (this.log) this.log.push(line);
  }

  /** Record ghost history for the invariants; the model never judges it. */
  event(bits: number): void {
    this.setBits(this.L.GH_EVENTS, 0, bits);
  }
}
