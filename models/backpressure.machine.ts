// Back-pressure protocol of one CRAM node (SEMANTICS §6.5, §7.1, §7.4, §8.2 R3).
//
// cram_set_pressure(nid, p) is four separate steps with no lock (S1 get cn,
// S2 cn->pressure := min(p,1000), S3 np->migration_blocked := p >= 1000,
// S4 zone0 watermark_boost := managed*p/1000 [+ wakeup_kswapd]); the two IRQ
// threads (lthresh -> 1000, hthresh -> 0) interleave them freely. So each fact
// is its own region and each step changes exactly one region — except S4,
// which in one call writes the boost and wakes kswapd(P), and the CRAM
// register/free calls which start kswapd / reset the cn's pressure.
//
//   pressure  zero | mid (1..999, API only) | max (1000)
//   blocked   open | blocked                                  (np->migration_blocked)
//   boost     none | partial | full (= managed pages)         (zone0 watermark_boost)
//   kswapd    none | sleeping | woken (evicting)              (kswapd(P))
//
// Demotion into P is "allowed" in (zero, open), "throttled" in (mid, open)
// (watermark-checked allocations fail, reclaim-context ones fall back to
// ALLOC_NO_WATERMARKS) and "denied" when blocked or at max: see demotionMode().

import { setup } from 'xstate';
import type { MachineSpec } from './machine_graph.ts';

export type BackpressureEvent =
  | { type: 'S2_pressure_zero'; ret?: number }
  | { type: 'S2_pressure_mid'; ret?: number }
  | { type: 'S2_pressure_max'; ret?: number }
  | { type: 'S3_migration_unblock'; ret?: number }
  | { type: 'S3_migration_block'; ret?: number }
  | { type: 'S4_boost_none'; ret?: number }
  | { type: 'S4_boost_partial'; ret?: number }
  | { type: 'S4_boost_full'; ret?: number }
  | { type: 'S4_boost_partial_wakeup_kswapd'; ret?: number }
  | { type: 'S4_boost_full_wakeup_kswapd'; ret?: number }
  | { type: 'wakeup_kswapd'; ret?: number }
  | { type: 'kswapd_sleep'; ret?: number }
  | { type: 'kswapd_sleep_unboost'; ret?: number }
  | { type: 'kswapd_stop'; ret?: number }
  | { type: 'cram_register_private_node'; ret?: number }
  | { type: 'cram_node_freed'; ret?: number }
  | { type: 'CRAM_UNREGISTER_CLEAR_BACKPRESSURE'; ret?: number }
  | { type: 'CRAM_FREED_CLEAR_BACKPRESSURE'; ret?: number };

const pressureTargets = {
  S2_pressure_zero: '.zero',
  S2_pressure_mid: '.mid',
  S2_pressure_max: '.max',
  // a new cram_node starts at pressure 0 (SEMANTICS 6.2 cram_unregister row)
  cram_register_private_node: '.zero',
  cram_node_freed: '.zero',
  // fix cram-unregister-clears-backpressure, second half: the drain frees the cn
  // (pressure 0) and resets blocked and the boost again in the same call
  CRAM_FREED_CLEAR_BACKPRESSURE: '.zero',
} as const;

const boostTargets = {
  S4_boost_none: '.none',
  S4_boost_partial: '.partial',
  S4_boost_full: '.full',
  S4_boost_partial_wakeup_kswapd: '.partial',
  S4_boost_full_wakeup_kswapd: '.full',
  CRAM_UNREGISTER_CLEAR_BACKPRESSURE: '.none',
  CRAM_FREED_CLEAR_BACKPRESSURE: '.none',
  // balance_pgdat ends and clears the boost itself: the node's ops have no
  // reclaim_policy with managed_watermarks (another service's set_ops
  // overwrote cram_ops, SEMANTICS 4.5); kswapd goes to sleep in the same step
  kswapd_sleep_unboost: '.none',
} as const;

export const backpressureMachine = setup({
  types: { events: {} as BackpressureEvent },
}).createMachine({
  id: 'backpressure',
  type: 'parallel',
  states: {
    pressure: {
      initial: 'zero',
      on: pressureTargets,
      states: { zero: {}, mid: {}, max: {} },
    },
    blocked: {
      initial: 'open',
      // fix cram-unregister-clears-backpressure (src/kernel/fixes.ts; mm/cram.c
      // cram_unregister_private_node, under cram_mutex): kswapd_stop, then
      // migration_blocked := false and watermark_boost := 0 in the same call, so
      // the blocked, boost and kswapd regions change in one step. Not taken by v4.
      on: { CRAM_UNREGISTER_CLEAR_BACKPRESSURE: '.open', CRAM_FREED_CLEAR_BACKPRESSURE: '.open' },
      states: {
        open: { on: { S3_migration_block: 'blocked' } },
        blocked: { on: { S3_migration_unblock: 'open' } },
      },
    },
    boost: {
      initial: 'none',
      on: boostTargets,
      states: { none: {}, partial: {}, full: {} },
    },
    kswapd: {
      initial: 'none',
      states: {
        none: { on: { cram_register_private_node: 'sleeping' } },
        sleeping: {
          on: {
            S4_boost_partial_wakeup_kswapd: 'woken',
            S4_boost_full_wakeup_kswapd: 'woken',
            wakeup_kswapd: 'woken',
            kswapd_stop: 'none',
            CRAM_UNREGISTER_CLEAR_BACKPRESSURE: 'none',
          },
        },
        woken: {
          on: {
            kswapd_sleep: 'sleeping',
            kswapd_sleep_unboost: 'sleeping',
            kswapd_stop: 'none',
            CRAM_UNREGISTER_CLEAR_BACKPRESSURE: 'none',
          },
        },
      },
    },
  },
});

export type DemotionMode = 'allowed' | 'throttled' | 'denied';

/** What a demotion into P meets in an abstract back-pressure state (SEMANTICS 6.5 table). */
export function demotionMode(pressure: string, blocked: string): DemotionMode {
  if (blocked === 'blocked' || pressure === 'max') return 'denied';
  return pressure === 'mid' ? 'throttled' : 'allowed';
}

const EVENT_TYPES: readonly BackpressureEvent['type'][] = [
  'S2_pressure_zero', 'S2_pressure_mid', 'S2_pressure_max', 'S3_migration_unblock', 'S3_migration_block',
  'S4_boost_none', 'S4_boost_partial', 'S4_boost_full', 'S4_boost_partial_wakeup_kswapd',
  'S4_boost_full_wakeup_kswapd', 'wakeup_kswapd', 'kswapd_sleep', 'kswapd_sleep_unboost', 'kswapd_stop',
  'cram_register_private_node', 'cram_node_freed', 'CRAM_UNREGISTER_CLEAR_BACKPRESSURE', 'CRAM_FREED_CLEAR_BACKPRESSURE',
];

export const backpressureSpec: MachineSpec = {
  name: 'backpressure',
  machine: backpressureMachine,
  events: EVENT_TYPES.map((type) => ({ type })),
  traceFns: {
    S2_pressure_zero: ['cram_set_pressure'],
    S2_pressure_mid: ['cram_set_pressure'],
    S2_pressure_max: ['cram_set_pressure'],
    S3_migration_unblock: ['cram_set_pressure'],
    S3_migration_block: ['cram_set_pressure'],
    S4_boost_none: ['cram_set_pressure'],
    S4_boost_partial: ['cram_set_pressure'],
    S4_boost_full: ['cram_set_pressure'],
    S4_boost_partial_wakeup_kswapd: ['wakeup_kswapd'],
    S4_boost_full_wakeup_kswapd: ['wakeup_kswapd'],
    wakeup_kswapd: ['wakeup_kswapd'],
    kswapd_sleep: ['balance_pgdat', 'kswapd'],
    kswapd_sleep_unboost: ['balance_pgdat'],
    kswapd_stop: ['kswapd_stop'],
    cram_register_private_node: ['cram_register_private_node', 'kswapd_run'],
    cram_node_freed: ['cram_unregister_private_node'],
    // fix-only events: the fix's clear_backpressure line, never printed by v4
    CRAM_UNREGISTER_CLEAR_BACKPRESSURE: ['clear_backpressure'],
    CRAM_FREED_CLEAR_BACKPRESSURE: ['clear_backpressure'],
  },
};
