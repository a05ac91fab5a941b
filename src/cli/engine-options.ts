// The exploration-engine flags of `cramcheck explore` (how to search, not what
// to check), parsed in one place so the command only spreads them into its
// option table and its explore() call.

import type { ExploreOptions } from '../explore/explorer.ts';
import { PROGRESS_MODES } from '../explore/progress.ts';
import { oneOf, str, UsageError, type Parsed } from './args.ts';

export const ENGINE_OPTIONS = {
  progress: { type: 'string' },
  store: { type: 'string' },
} as const;

export const ENGINE_USAGE = [
  '--progress auto|tty|lines|off: live line on a terminal, one line a minute in a log (auto: by stderr).',
  '--store exact|fingerprint: exact (default) or 64-bit fingerprints (~15 B/state, probabilistic, bfs only).',
];

/** The engine options selected by the flags (bad values: UsageError). */
export function engineOptions(p: Parsed): Pick<ExploreOptions, 'progress' | 'store'> {
  const store = oneOf(p, 'store', ['exact', 'fingerprint'] as const, 'exact');
  if (store === 'fingerprint' && (str(p, 'strategy') ?? 'bfs') !== 'bfs') throw new UsageError('--store fingerprint: supported with --strategy bfs only');
  return { progress: oneOf(p, 'progress', PROGRESS_MODES, 'auto'), store };
}
