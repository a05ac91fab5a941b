// Conformance-only mutants: seeded deviations that keep every state invariant
// (SEMANTICS 9) true but take a step the protocol machines do not allow, so
// only conformance (models/conformance.ts, CONFORMANCE-<machine>) catches them.
// They show that the machines add checking power beyond the invariants.
//
// Each site is wired in the kernel model behind `k.cfg.mutant === name`; the
// ones a named config reaches are in the catalogue (src/kernel/mutants/index.ts)
// with that config, and `cramcheck mutants` finds each only by conformance.
// test/machines/conformance_mutants.test.ts also applies the same change to
// real kernel states by hand and checks the verdicts.
import type { Mutant } from './types.ts';

export const CONFORMANCE_MUTANTS: readonly Mutant[] = [
  {
    name: 'set-pressure-s2-s3-fused',
    site: 'mm/cram.c: cram_set_pressure S2 (src/cram/pressure.ts, cramSetPressureStep, stage 2)',
    catches: 'CONFORMANCE-backpressure',
    config: 'tiny',
    description:
      'S2 also performs S3: after writing cn->pressure it writes np->migration_blocked = (pressure >= 1000) and goes to stage 4. ' +
      'Change: at the end of the stage-2 branch, if mutant, run the stage-3 body (set NP_MIGRATION_BLOCKED of nodePrivateNp(k, nid)) and set THR_STAGE to 4. ' +
      'Pressure and migration_blocked then flip in one step (0 -> 1000 "without S3"); quiescent states are unchanged, so INV-BACKPRESSURE-COHERENT holds.',
  },
  {
    name: 'set-pressure-zero-wakes-kswapd',
    site: 'mm/cram.c: cram_set_pressure S4 (src/cram/pressure.ts, cramSetPressureStep, S4 branch)',
    catches: 'CONFORMANCE-backpressure',
    config: 'tiny',
    description:
      'S4 wakes a sleeping kswapd(P) even when the new boost is 0 (v4 wakes only for a non-zero boost, through wakeup_kswapd). ' +
      'Change: `if (boost) { ... } else if (mutant && k.get(L.NODE_KSWAPD, nid) === 1) k.set(L.NODE_KSWAPD, nid, 2);` ' +
      '(a bare wake_up_interruptible(&pgdat->kswapd_wait)). Clearing the pressure drops the boost and wakes kswapd(P) in one step; ' +
      'a spurious wakeup breaks no invariant (kswapd(P) finds the node balanced and sleeps; it still runs only while CRAM is registered).',
  },
  {
    name: 'cram-unregister-fused-free',
    site: 'mm/cram.c: cram_unregister_private_node (src/cram/cram.ts, cramUnregisterBegin)',
    catches: 'CONFORMANCE-hotplug',
    config: 'driver',
    description:
      'When the unpublished cn is provably unused (CN_REFCOUNT == 1 and no thread holds LK_RCU), cram_unregister frees it in the same step ' +
      'instead of going through synchronize_rcu and the refcount drain. Change: at the end of cramUnregisterBegin, if mutant and ' +
      'cramUnregisterSyncRcu(k, tid) and CN_REFCOUNT == 1, call cramUnregisterDrain(k, nid); the driver\'s later sync/drain stages must then ' +
      'return done when CN_STATE is already FREED. No thread can reach the cn, so INV-NO-CRAM-AFTER-FREE holds; the service skips cram_draining.',
  },
];

/**
 * Wired, but no named config reaches the site with a visible effect: the CXL
 * driver clears its ops (cram_unregister) before node_private_unregister, so
 * only a service that keeps its ops while the node goes offline shows it.
 * Not in the catalogue (it would escape); the hand-applied test covers it.
 */
export const CONFORMANCE_MUTANTS_UNREACHED: readonly Mutant[] = [
  {
    name: 'unregister-clears-ops',
    site: 'drivers/base/node.c: node_private_unregister (src/kernel/node_private.ts, nodePrivateUnregisterBegin)',
    catches: 'CONFORMANCE-hotplug',
    description:
      'node_private_unregister also resets np->ops to NULL when it clears the pointer (v4 leaves ops as they were: drivers/base/node.c: node_private_unregister). ' +
      'Change: in the success branch, if mutant, k.set(k.L.NP_OPS, slot, 0). Fewer callbacks can run, so no invariant breaks; the node ' +
      'leaves "registered with ops" for "unregistered without ops" in one step, which no machine event does (only reachable with a service ' +
      'that did not clear its ops, e.g. a cfg.opsTables service; the CRAM driver clears them first).',
  },
];
