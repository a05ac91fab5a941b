// Where cramcheck writes files nobody named: under the repository's out/
// directory (git-ignored), never into whatever directory it was started from.
// Every command that writes there prints the path.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { SystemDescriptor } from '../trace/format.ts';

/** The repository root (this file is src/cli/paths.ts). */
export const REPO_ROOT: string = fileURLToPath(new URL('../..', import.meta.url));

/** A file-name-safe slug of what a run explored: config, mutant and fixes. */
export function runSlug(d: SystemDescriptor): string {
  const cfg = typeof d.config === 'string' ? d.config : typeof d.config['name'] === 'string' ? d.config['name'] : 'inline';
  const parts = [d.system === 'bm1' ? `bm1-${cfg}` : cfg];
  if (d.mutant) parts.push(`mutant-${d.mutant}`);
  parts.push(d.fixes.length === 0 ? 'v4' : `fixes${d.fixes.length}`);
  return parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_');
}

/** out/<command>/<slug>/ under the repository. */
export function defaultTraceDir(command: string, d: SystemDescriptor): string {
  return join(REPO_ROOT, 'out', command, runSlug(d));
}
