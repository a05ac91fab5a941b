// `cramcheck export TRACE [--format itf] [--out FILE]`: a trace in a format
// other tools read. itf: the Informal Trace Format of Apalache and Quint
// (src/trace/itf.ts), which the ITF trace viewer opens.

import { readFileSync } from 'node:fs';
import { kernelMachineOf } from '../mbt/machines.ts';
import { kernelItfSources } from '../report/kernel/itf-sources.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { parseTrace } from '../trace/format.ts';
import { serializeItf, toItf, type ItfSources } from '../trace/itf.ts';
import { parseCommandArgs, str, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { narratorFor } from './narrators.ts';
import { resolveTraceSystem } from './systems.ts';

const FORMATS = ['itf'] as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a trace in another tool\'s format (itf: the Informal Trace Format of Apalache/Quint)',
  usage: ['cramcheck export TRACE [--format itf] [--out FILE|-]', 'Default FILE: TRACE with .itf.json for .json; - for stdout.'],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { format: { type: 'string' }, out: { type: 'string' } }, 1);
    const file = p.positionals[0];
    if (file === undefined) throw new UsageError('export: missing TRACE file');
    const format = str(p, 'format') ?? 'itf';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: unknown format '${format}' (known: ${FORMATS.join(', ')})`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: cannot read trace (${(e as { code?: string }).code ?? 'error'})`);
    }
    const parsed = parseTrace(text);
    if (!parsed.ok) throw new UsageError(`${file}: invalid trace: ${parsed.error}`);
    const t = parsed.trace;
    const { sys, descriptor } = resolveTraceSystem(t);
    const m = kernelMachineOf(sys);
    const sources: ItfSources = m ? kernelItfSources(m) : { facts: (s) => narratorFor(sys, descriptor).facts(s) };
    let itf: string;
    try {
      itf = serializeItf(toItf(sys, t, sources, file));
    } catch (e) {
      throw new UsageError(`${file}: does not replay: ${e instanceof Error ? e.message : String(e)}`);
    }
    const out = str(p, 'out') ?? `${file.replace(/\.json$/, '')}.itf.json`;
    if (out === '-') io.out(itf);
    else {
      try {
        writeFileAtomic(out, itf);
      } catch (e) {
        throw new UsageError(`--out: cannot write '${out}' (${(e as { code?: string }).code ?? 'error'})`);
      }
      io.out(`cramcheck export: ${out} (ITF, ${t.steps.length + 1} states)\n`);
    }
    return EXIT_OK;
  },
};
