#!/usr/bin/env node
// The package bin: run src/cli/main.ts under tsx, with every path resolved from
// the package root so `npx cramcheck ...` works from any directory.
import { spawnSync } from 'node:child_process';
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
const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (r.error) {
  process.stderr.write(`cramcheck: ${r.error.message}\n`);
  process.exit(2);
}
// Killed by a signal: the shell convention 128 + signal number.
process.exit(r.status ?? (r.signal ? 128 + (constants.signals[r.signal] ?? 0) : 1));
