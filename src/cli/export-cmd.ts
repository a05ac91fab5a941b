// `cramcheck export TRACE [--format itf] [--out FILE]`: a trace in a format
// other tools read. itf: the Informal Trace Format of Apalache and Quint
// (src/trace/itf.ts), which the ITF trace viewer opens.

import { kernelMachineOf } from '../mbt/machines.ts';
import { kernelItfSources } from '../report/kernel/itf-sources.ts';
import { serializeItf, toItf, type ItfSources } from '../trace/itf.ts';
import { parseCommandArgs, str, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { narratorFor } from './narrators.ts';
import { checkOutFile, writeOut } from './out-path.ts';
import { resolveTraceSystem } from './systems.ts';
import { readTraceArg } from './trace-file.ts';

const FORMATS = ['itf'] as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a trace in another tool\'s format (itf: the Informal Trace Format of Apalache/Quint)',
  usage: ['cramcheck export TRACE [--format itf] [--out FILE|-]', 'Default FILE: TRACE with .itf.json for .json; - for stdout.'],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { format: { type: 'string' }, out: { type: 'string' } }, 1);
    const { file, trace: t } = readTraceArg('export', p.positionals[0]);
    const format = str(p, 'format') ?? 'itf';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: unknown format '${format}' (known: ${FORMATS.join(', ')})`);
    const target = checkOutFile('--out', str(p, 'out') ?? `${file.replace(/\.json$/, '')}.itf.json`);
    const { sys, descriptor } = resolveTraceSystem(t);
    const m = kernelMachineOf(sys);
    const sources: ItfSources = m ? kernelItfSources(m) : { facts: (s) => narratorFor(sys, descriptor).facts(s) };
    let itf: string;
    try {
      itf = serializeItf(toItf(sys, t, sources, file));
    } catch (e) {
      throw new UsageError(`${file}: does not replay: ${e instanceof Error ? e.message : String(e)}`);
    }
    writeOut(target, itf, io.out);
    if (target.kind === 'file') io.out(`cramcheck export: ${target.path} (ITF, ${t.steps.length + 1} states)\n`);
    return EXIT_OK;
  },
};
