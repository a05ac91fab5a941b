// Which protocol machines judge a resolved system in MBT and coverage: the
// kernel's three machines (hotplug, folio, back-pressure) for a kernel system,
// the BM1 folio machine for BM1.
//
// A kernel System must say which kernel Machine its states belong to; the
// contract (src/explore/system.ts) has no field for it, so we accept the
// names a kernel system is likely to expose: `machine` or `m` (a Machine with
// cfg, g and L). Without one there are no kernel machines to judge by.

import type { System } from '../explore/system.ts';
import { buildMachine, type Machine } from '../kernel/kernel.ts';
import { configByName } from '../kernel/configs.ts';
import type { SystemDescriptor } from '../trace/format.ts';
import { kernelAbstractions } from '../../models/abstraction.ts';
import { bm1FolioAbstraction } from '../../models/bm1.machine.ts';
import type { StateAbstraction } from '../../models/machine_graph.ts';

function isMachine(x: unknown): x is Machine {
  return typeof x === 'object' && x !== null && 'cfg' in x && 'g' in x && 'L' in x;
}

/** The kernel Machine behind a kernel System, if it exposes one. */
export function kernelMachineOf(sys: System): Machine | null {
  const o = sys as unknown as Record<string, unknown>;
  for (const k of ['machine', 'm', 'kernelMachine']) if (isMachine(o[k])) return o[k];
  return null;
}

/** The abstractions (one per machine) that judge this system, or [] if none apply. */
export function abstractionsFor(sys: System, d: SystemDescriptor): StateAbstraction[] {
  if (d.system === 'bm1') {
    const p = d.params;
    if (!p) return [];
    return [bm1FolioAbstraction({ F: p['F'] ?? 0, D: p['D'] ?? 0, C: p['C'] ?? 0, P: p['P'] ?? 0 })];
  }
  const m = kernelMachineOf(sys) ?? machineFromDescriptor(d);
  return m ? kernelAbstractions(m) : [];
}

/**
 * The kernel Machine a descriptor names: buildMachine is a pure function of
 * the configuration, so rebuilding it gives the layout the system's states use.
 * Inline (file) configurations are not rebuilt here: null.
 */
function machineFromDescriptor(d: SystemDescriptor): Machine | null {
  if (typeof d.config !== 'string') return null;
  try {
    return buildMachine(configByName(d.config, { mutant: d.mutant, fixes: d.fixes }));
  } catch {
    return null;
  }
}
