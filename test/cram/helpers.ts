// CRAM test machines: the SEMANTICS 3.3 worked example (test/helpers) with the
// compression driver probed at boot (P = N2 hot-added MOVABLE, CRAM
// registered with the driver's flush_cb, IRQs requested).
import type { DriverConfig, KernelConfig, ProgramOp } from '../../src/kernel/config.ts';
import { boot } from '../../src/kernel/boot.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { driverProbeAtBoot } from '../../src/cxl/region_sysram.ts';
import { scenario, scenarioConfig, step, type ScenarioOpts } from '../helpers/scenario.ts';

export { D0, D1, P, nodeOf, ptePfn, runCpu, slotOf, step, steps, tidOf, traced } from '../helpers/scenario.ts';

export function cramMachine(o: ScenarioOpts = {}): Kernel {
  const k = scenario({ ...o, pOps: null });
  driverProbeAtBoot(k);
  return k;
}

/** As cramMachine, with the driver configuration replaced (bufMax, mediaOps). */
export function cramMachineDriver(o: ScenarioOpts, driver: DriverConfig): Kernel {
  return cramMachineWith(o, { driver });
}

/** As cramMachine, with top-level config fields replaced (device, driver, ...). */
export function cramMachineWith(o: ScenarioOpts, patch: Partial<KernelConfig>): Kernel {
  const k = boot(buildMachine({ ...scenarioConfig({ ...o, pOps: null }), ...patch }));
  driverProbeAtBoot(k);
  return k;
}

/** mmap anon rw at v, store value, move_pages to P (cram_migrate_to): the folio now lives on P. */
export function demoteProgram(v: number, value: number, pNode: number): ProgramOp[] {
  return [
    { op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' },
    { op: 'write', vaddr: v, value },
    { op: 'move_pages', vaddr: v, node: pNode },
  ];
}

/** Run cpu until its program counter reaches pc (or it blocks). */
export function runCpuTo(k: Kernel, cpu: number, pc: number, max = 50): void {
  let n = 0;
  while (n++ < max && k.get(k.L.THR_PC, k.g.cpuThread(cpu)) < pc && step(k, `cpu${cpu}`));
  step(k, `cpu${cpu}`, 1); // drain its lru_add batch (see runCpu in test/helpers/scenario.ts)
}
