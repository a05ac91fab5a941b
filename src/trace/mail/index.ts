// The mail form of a counterexample, in one call: narrate, then lay out.

import type { System } from '../../explore/system.ts';
import type { SystemDescriptor } from '../format.ts';
import { describeSystem } from '../render.ts';
import { layoutMail } from './layout.ts';
import { narrateTrace, type Narrator } from './narrate.ts';

export function renderMail(sys: System, narrator: Narrator, d: SystemDescriptor, property: string, actions: readonly number[]): string[] {
  const m = narrateTrace(sys, narrator, property, actions);
  const n = actions.length;
  const title = `${property} fails after ${n} step${n === 1 ? '' : 's'} (${describeSystem(d)})`;
  return layoutMail(m, { title, titleOf: narrator.actorTitle });
}
