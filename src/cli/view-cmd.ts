// `cramcheck view TRACE --out FILE.html`: the trace viewer page of a kernel
// trace (src/report/kernel/viewer-page.ts), one self-contained HTML file.

import { kernelMachineOf } from '../mbt/machines.ts';
import { kernelViewerData } from '../report/kernel/viewer-data.ts';
import { viewerHtml } from '../report/kernel/viewer-page.ts';
import { describeSystem } from '../trace/render.ts';
import { parseCommandArgs, str, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { checkOutFile, writeOut } from './out-path.ts';
import { resolveTraceSystem } from './systems.ts';
import { readTraceArg } from './trace-file.ts';

export const viewCommand: Command = {
  name: 'view',
  summary: 'write a self-contained HTML page that steps through a kernel trace and draws each state',
  usage: ['cramcheck view TRACE [--out FILE.html]', 'Default FILE: TRACE with .html for .json. Open it in any browser (no server, no network).'],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { out: { type: 'string' } }, 1);
    const { file, trace: t } = readTraceArg('view', p.positionals[0]);
    const { sys, descriptor } = resolveTraceSystem(t);
    const m = kernelMachineOf(sys);
    if (!m) throw new UsageError(`${file}: the viewer draws kernel traces only (this one is ${t.system})`);
    const outPath = str(p, 'out') ?? file.replace(/\.json$/, '') + '.html';
    const target = checkOutFile('--out', outPath);
    const n = t.steps.length;
    const title = `${t.property} fails after ${n} step${n === 1 ? '' : 's'} (${describeSystem(descriptor)})`;
    const html = viewerHtml(kernelViewerData(sys, m, title, t.property, t.steps.map((s) => s.action)));
    writeOut(target, html, io.out);
    if (target.kind === 'file') io.out(`cramcheck view: ${target.path} (${n} steps)\n`);
    return EXIT_OK;
  },
};
