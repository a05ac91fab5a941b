// cramcheck's version, read once from package.json: printed by --version and
// recorded in every JSON result and trace file, so a verdict names the tool
// that reached it.

import { readFileSync } from 'node:fs';

function readVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const v = pkg !== null && typeof pkg === 'object' && 'version' in pkg ? pkg.version : undefined;
  return typeof v === 'string' ? v : '0.0.0';
}

export const CRAMCHECK_VERSION: string = readVersion();
/** What a trace or JSON result records as its generator. */
export const GENERATOR = `cramcheck ${CRAMCHECK_VERSION}`;
