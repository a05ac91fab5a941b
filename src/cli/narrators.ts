// Which Narrator tells a resolved system's traces as mail: the kernel's
// (src/report/kernel) for kernel systems, the generic one otherwise. The CLI
// chooses; the engines and src/trace never import the kernel.

import type { System } from '../explore/system.ts';
import { kernelMachineOf } from '../mbt/machines.ts';
import { kernelNarrator } from '../report/kernel/narrator.ts';
import type { SystemDescriptor } from '../trace/format.ts';
import { renderMail } from '../trace/mail/index.ts';
import { genericNarrator, type Narrator } from '../trace/mail/narrate.ts';

export function narratorFor(sys: System, d: SystemDescriptor): Narrator {
  const m = kernelMachineOf(sys);
  return m ? kernelNarrator(sys, m) : genericNarrator(sys, d);
}

/** The mail text of a counterexample on a resolved system. */
export function mailLines(sys: System, d: SystemDescriptor, property: string, actions: readonly number[]): string[] {
  return renderMail(sys, narratorFor(sys, d), d, property, actions);
}
