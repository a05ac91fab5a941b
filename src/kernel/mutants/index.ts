// The mutant catalogue: every seeded bug of the kernel model, by site area.
// A mutant is switched on by cfg.mutant = name; each names the invariant that
// must catch it (the regression corpus holds one counterexample per mutant):
// an invariant id, or CONFORMANCE-<machine> for the conformance-only mutants.

import { ALLOC_MUTANTS } from './alloc.ts';
import { CONFORMANCE_MUTANTS } from './conformance.ts';
import { CRAM_MUTANTS } from './cram.ts';
import { LIVENESS_MUTANTS } from './liveness.ts';
import { MM_MUTANTS } from './mm.ts';
import { SAFETY_MUTANTS } from './safety.ts';
import { CONTRACT_MUTANTS } from './contracts.ts';
import { INPUT_MUTANTS } from './input.ts';
import { NODE_STATE_MUTANTS } from './node_state.ts';
import { FOLIO_REF_MUTANTS } from './folio_refs.ts';
import { VACUITY_MUTANTS } from './vacuity.ts';
import { CLAIM_MUTANTS } from './claims.ts';
import { GUP_MUTANTS } from './gup.ts';
import { CPUSET_MUTANTS } from './cpuset.ts';
import { THP_MUTANTS } from './thp.ts';
import { MEMCG_MUTANTS } from './memcg.ts';
import { REGION_MUTANTS } from './regions.ts';
import { MEMPOLICY_TASK_MUTANTS } from './mempolicy_task.ts';
import type { Mutant } from './types.ts';

export type { Mutant } from './types.ts';

export const MUTANTS: readonly Mutant[] = [] = [...ALLOC_MUTANTS, ...MM_MUTANTS, ...CRAM_MUTANTS, ...CONFORMANCE_MUTANTS, ...LIVENESS_MUTANTS, ...SAFETY_MUTANTS, ...CONTRACT_MUTANTS, ...INPUT_MUTANTS, ...NODE_STATE_MUTANTS, ...FOLIO_REF_MUTANTS, ...VACUITY_MUTANTS, ...CLAIM_MUTANTS, ...GUP_MUTANTS, ...CPUSET_MUTANTS, ...THP_MUTANTS, ...MEMCG_MUTANTS, ...REGION_MUTANTS, ...MEMPOLICY_TASK_MUTANTS];

export const MUTANT_NAMES: readonly string[] = MUTANTS.map((m) => m.name);

/** The mutant called `name`, or undefined. */
export function mutantByName(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}
