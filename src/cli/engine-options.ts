// The exploration-engine flags of `cramcheck explore` (how to search, not what
// to check), parsed in one place so the command only spreads them into its
// option table and its explore() call.

import type { ExploreOptions } from '../explore/explorer.ts';
import { PROGRESS_MODES } from '../explore/progress.ts';
import { oneOf, type Parsed } from './args.ts';

export const ENGINE_OPTIONS = {
  progress: { type: 'string' },
} as const;

export const ENGINE_USAGE = ['--progress auto|tty|lines|off: live line on a terminal, one line a minute in a log (auto: by stderr).'];

/** The engine options selected by the flags (bad values: UsageError). */
export function engineOptions(p: Parsed): Pick<ExploreOptions, 'progress'> {
  return { progress: oneOf(p, 'progress', PROGRESS_MODES, 'auto') };
}
