// The Kernel value: static machine description (cfg, geometry, layout) plus the
// one mutable state vector. Kernel functions take a Kernel and mutate k.s in
// place; the explorer gives each successor its own copy of the vector.

import type { KernelConfig } from './config.ts';
import { buildGeometry, type Geometry } from './geometry.ts';
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

export function buildMachine(cfg: KernelConfig): Machine {
  const g = buildGeometry(cfg);
  return { cfg, g, L: buildLayout(cfg, g), ran: newRanRecord() };
}

export class Kernel {
  readonly cfg: KernelConfig;
  readonly g: Geometry;
  readonly L: KernelLayout;
  /** Lines describing kernel calls, collected only when a trace is being rendered. */
  log: string[] | null = null;

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
    return this.s[f.off + i]!;
  }

  set(f: Field, i: number, v: number): void {
    this.s[f.off + i] = v;
  }

  add(f: Field, i: number, d: number): void {
    this.s[f.off + i] = this.s[f.off + i]! + d;
  }

  has(f: Field, i: number, bits: number): boolean {
    return (this.s[f.off + i]! & bits) !== 0;
  }

  setBits(f: Field, i: number, bits: number): void {
    this.s[f.off + i] = this.s[f.off + i]! | bits;
  }

  clearBits(f: Field, i: number, bits: number): void {
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
