// A seeded bug: one deliberate deviation at one kernel site, switched on by
// cfg.mutant, naming the invariant (SEMANTICS 9) that must catch it.
export interface Mutant {
  readonly name: string;
  /** The kernel function it breaks, e.g. 'mm/page_alloc.c: numa_zone_alloc_allowed'. */
  readonly site: string;
  /** Invariant id expected to catch it, e.g. 'INV-ISOLATION-ALLOC'. */
  readonly catches: string;
  readonly description: string;
  /** Named config (src/kernel/configs.ts) where the site is reachable in few steps; default canonical. */
  readonly config?: string;
  /**
   * Fixes left off when the mutant is run with every fix on: a second brake
   * that stops the same harm by another route and would hide the mutated one
   * (e.g. the design fix cram-alloc-checks-device under a broken pressure check).
   */
  readonly fixesOff?: readonly string[];
}

/** A fix of a real v4 finding: the smallest kernel change that mends it, switched on by cfg.fixes. */
export interface Fix {
  readonly name: string;
  readonly site: string;
  /** Invariant the unfixed v4 breaks. */
  readonly mends: string;
  readonly description: string;
  /** Named config where `cramcheck findings` reproduces the finding (default canonical). */
  readonly config?: string;
  /**
   * Fixes `cramcheck findings` also turns off to reproduce it: alternatives that
   * mend the same finding another way, or another v4 bug the finding needs.
   */
  readonly alsoOff?: readonly string[];
  /**
   * States the reproducing BFS may need beyond `cramcheck findings`' bound (a
   * deep trace: the bound is raised to this for this finding's own search).
   */
  readonly findingMaxStates?: number;
}
