// Reading a trace file named on the command line, the same way for every
// command that takes one (replay, view, export): unreadable, not JSON or not
// a cramcheck trace is bad input, one line naming the file.

import { readFileSync } from 'node:fs';
import { parseTrace, type TraceFile } from '../trace/format.ts';
import { UsageError } from './args.ts';

/** The trace in FILE (the positional argument of `command`). Throws UsageError. */
export function readTraceArg(command: string, file: string | undefined): { file: string; trace: TraceFile } {
  if (file === undefined) throw new UsageError(`${command}: missing TRACE file`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read trace (${(e as { code?: string }).code ?? 'error'})`);
  }
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new UsageError(`${file}: invalid trace: ${parsed.error}`);
  return { file, trace: parsed.trace };
}
