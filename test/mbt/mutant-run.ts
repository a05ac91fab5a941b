// Shared by the MBT tests: a kernel mutant run as `mbt --all-mutants` runs it.
import { mutantCatalogue, mutantFixes, resolveSystem } from '../../src/cli/systems.ts';
import { kernelCatalog } from '../../src/cli/kernel-systems.ts';
import { ConformanceChecker } from '../../models/conformance.ts';
import { runMbt, type MbtOptions } from '../../src/mbt/engine.ts';
import { abstractionsFor } from '../../src/mbt/machines.ts';

/** Its catalogue config, every fix on less the mutant's fixesOff (as `cramcheck mutants`), machines, judged on one invariant. */
export function mutantRun(mutant: string, config: string, property: string, opts: MbtOptions) {
  const info = mutantCatalogue('kernel').find((m) => m.name === mutant)!;
  const fixes = mutantFixes(info, ['all'], kernelCatalog().fixes);
  const { sys, descriptor } = resolveSystem({ system: 'kernel', config, mutant, fixes, conformance: true });
  const machines = new ConformanceChecker(abstractionsFor(sys, descriptor));
  return { sys, r: runMbt(sys, { ...opts, machines, property }) };
}
