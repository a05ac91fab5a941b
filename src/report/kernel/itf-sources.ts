// What a kernel state contributes to an ITF export (src/trace/itf.ts): its
// kernel facts, and the protocol machines' states (models/abstraction.ts) as
// one more variable, `machines`: "<machine> <entity>" -> state.

import { kernelAbstractions } from '../../../models/abstraction.ts';
import type { Machine } from '../../kernel/kernel.ts';
import type { ItfSources, ItfValue } from '../../trace/itf.ts';
import { kernelFacts } from './facts.ts';

export function kernelItfSources(m: Machine): ItfSources {
  const abs = kernelAbstractions(m);
  return {
    facts: (state) => kernelFacts(m, state),
    extra(state) {
      const pairs: [ItfValue, ItfValue][] = [];
      for (const a of abs) {
        const out: string[] = [];
        a.abstractState(state, out);
        a.entities.forEach((e, i) => pairs.push([`${a.spec.name} ${a.label(e)}`, out[i] ?? '?']));
      }
      return { machines: { '#map': pairs } };
    },
  };
}
