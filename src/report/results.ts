// The recorded exploration results a review quotes (docs/
// exploration-results.json): per configuration, the run with every fix on, how many
// states it saw, whether it was exhaustive and which properties failed.
// Written by `cramcheck report --run`; no timings, so the file is
// byte-stable for the same model and bound.

import { z } from 'zod';

export const RESULTS_FORMAT = 'cramcheck-results';

export const ConfigRunSchema = z
  .object({
    config: z.string().min(1),
    /** 'all': every fix of the catalogue on. */
    fixes: z.literal('all'),
    conformance: z.boolean(),
    states: z.int().min(0),
    transitions: z.int().min(0),
    depth: z.int().min(0),
    /** Every reachable state expanded: no bound hit (violations are recorded and the search goes on). */
    exhaustive: z.boolean(),
    /** First violation of each property (BFS: shortest). */
    violations: z.array(z.object({ property: z.string(), step: z.int().min(0) }).strict()),
  })
  .strict();

export const ResultsFileSchema = z
  .object({
    format: z.literal(RESULTS_FORMAT),
    version: z.literal(1),
    maxStates: z.int().min(1),
    runs: z.array(ConfigRunSchema),
  })
  .strict();

export type ConfigRun = z.infer<typeof ConfigRunSchema>;
export type ResultsFile = z.infer<typeof ResultsFileSchema>;

export function serializeResults(r: ResultsFile): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
