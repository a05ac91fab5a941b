// `cramcheck view TRACE --out FILE.html`: the trace viewer page of a kernel
// trace (src/report/kernel/viewer-page.ts), one self-contained HTML file.

import { readFileSync } from 'node:fs';
import { kernelMachineOf } from '../mbt/machines.ts';
import { kernelViewerData } from '../report/kernel/viewer-data.ts';
import { viewerHtml } from '../report/kernel/viewer-page.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';
import { parseTrace } from '../trace/format.ts';
import { describeSystem } from '../trace/render.ts';
import { parseCommandArgs, str, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { resolveTraceSystem } from './systems.ts';

export const viewCommand: Command = {
  name: 'view',
  summary: 'write a self-contained HTML page that steps through a kernel trace and draws each state',
  usage: ['cramcheck view TRACE [--out FILE.html]', 'Default FILE: TRACE with .html for .json. Open it in any browser (no server, no network).'],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { out: { type: 'string' } }, 1);
    const file = p.positionals[0];
    if (file === undefined) throw new UsageError('view: missing TRACE file');
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
    if (!m) throw new UsageError(`${file}: the viewer draws kernel traces only (this one is ${t.system})`);
    const out = str(p, 'out') ?? file.replace(/\.json$/, '') + '.html';
    const n = t.steps.length;
    const title = `${t.property} fails after ${n} step${n === 1 ? '' : 's'} (${describeSystem(descriptor)})`;
    const html = viewerHtml(kernelViewerData(sys, m, title, t.property, t.steps.map((s) => s.action)));
    try {
      writeFileAtomic(out, html);
    } catch (e) {
      throw new UsageError(`--out: cannot write '${out}' (${(e as { code?: string }).code ?? 'error'})`);
    }
    io.out(`cramcheck view: ${out} (${n} steps)\n`);
    return EXIT_OK;
  },
};
