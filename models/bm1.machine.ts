// The BM1 folio protocol (../shared/bench/BM1.md) as a machine: where one
// folio may go in one step. It lets the generic conformance / coverage / MBT
// machinery run on BM1 as well as on the kernel, and BM1's I1 mutant
// (demote-keeps-write) shows up as a state the machine does not have.

import { setup } from 'xstate';
import { decodeBm1, type Bm1Params } from './bm1.ts';
import type { MachineSpec, StateAbstraction } from './machine_graph.ts';

export type Bm1FolioEvent =
  | { type: 'Alloc'; ret?: number }
  | { type: 'Demote'; ret?: number }
  | { type: 'Promote'; ret?: number }
  | { type: 'SwapOut'; ret?: number }
  | { type: 'SwapIn'; ret?: number }
  | { type: 'Free'; ret?: number };

export const bm1FolioMachine = setup({ types: { events: {} as Bm1FolioEvent } }).createMachine({
  id: 'bm1-folio',
  initial: 'free',
  states: {
    free: { on: { Alloc: 'dram' } },
    dram: { on: { Demote: 'cram', Free: 'free' } },
    cram: { on: { Promote: 'dram', SwapOut: 'swap', Free: 'free' } },
    swap: { on: { SwapIn: 'dram', Free: 'free' } },
  },
});

export const bm1FolioSpec: MachineSpec = {
  name: 'bm1-folio',
  machine: bm1FolioMachine,
  events: (['Alloc', 'Demote', 'Promote', 'SwapOut', 'SwapIn', 'Free'] as const).map((type) => ({ type })),
  traceFns: { Alloc: ['Alloc'], Demote: ['Demote'], Promote: ['Promote'], SwapOut: ['SwapOut'], SwapIn: ['SwapIn'], Free: ['Free'] },
};

const LOC = ['free', 'dram', 'cram', 'swap'] as const;

/** Per folio f: its location; a writable CRAM folio is 'cram_writable' (no such machine state). */
export function bm1FolioAbstraction(p: Bm1Params): StateAbstraction {
  const entities = Array.from({ length: p.F }, (_, f) => f);
  return {
    spec: bm1FolioSpec,
    entities,
    label: (f) => `f${f}`,
    abstractState(state, out) {
      const v = decodeBm1(p, state);
      for (let f = 0; f < p.F; f++) {
        const loc = LOC[v.loc[f]!]!;
        out[f] = loc === 'cram' && v.wr[f] ? 'cram_writable' : loc;
      }
    },
  };
}
