#!/usr/bin/env node
// The package bin: run src/cli/main.ts under tsx, with every path resolved from
// the package root so `npx cramcheck ...` works from any directory.
//
// Signals: SIGINT, SIGTERM and SIGHUP are caught here and forwarded to the
// child as one byte on a pipe (fd 3, CRAMCHECK_STOP_FD; see src/cli/stop.ts),
// because the child's exploration loop is synchronous and could not run a
// signal handler. The child stops cleanly, prints its partial statistics and
// exits 3. A second signal kills the child outright. If this process dies,
// the pipe closes and the child stops too: no orphaned exploration.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
let tsx;
try {
  tsx = require.resolve('tsx');
} catch {
  process.stderr.write("cramcheck: cannot find the 'tsx' package; run 'npm ci' in the repository\n");
  process.exit(2);
}
const STOP_BYTES = { SIGINT: 1, SIGTERM: 2, SIGHUP: 3, PARENT_EXITED: 4 };
const child = spawn(process.execPath, ['--import', tsx, join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  env: { ...process.env, CRAMCHECK_STOP_FD: '3' },
});
const stopPipe = child.stdio[3];
// The child may exit before reading: a write to a closed pipe is not an error here.
stopPipe?.on('error', () => {});
let forwarded = 0;
function forward(sig) {
  forwarded++;
  if (forwarded === 1 && stopPipe && !stopPipe.destroyed) stopPipe.write(Buffer.from([STOP_BYTES[sig]]));
  else child.kill(sig === 'PARENT_EXITED' ? 'SIGTERM' : sig);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => forward(sig));
// `npx` runs this bin under `sh -c`; a SIGTERM to npx kills the shell without
// passing the signal on. Losing the parent is then the signal to stop.
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent && forwarded === 0) forward('PARENT_EXITED');
}, 500);
watch.unref();
child.on('error', (e) => {
  process.stderr.write(`cramcheck: ${e.message}\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  // Killed by a signal: the shell convention 128 + signal number.
  process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
});
