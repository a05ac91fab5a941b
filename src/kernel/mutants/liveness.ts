// Seeded bugs that break a liveness promise and no safety invariant: each
// leaves every state the model reaches legal, but some fair run never gets
// where the RFC says it will (a handler that never acks its edge, a timer that
// never fires, a work item never queued, a fault that spins instead of
// refaulting, a drain that waits for its own reference). `catches` names the
// temporal property (or DEADLOCK, or a property family such as
// LIVE-DEFERRED-FREE) that `cramcheck mutants` runs the liveness checker for.
import type { Mutant } from './types.ts';

export const LIVENESS_MUTANTS: readonly Mutant[] = [
  {
    name: 'hthresh-irq-no-ack',
    site: 'compression.c: cxl_compression_hthresh_irq',
    catches: 'LIVE-IRQ-HANDLED(hthresh)',
    description: 'the hthresh thread returns without calling cram_set_pressure(nid, 0) and without acknowledging the edge: it is re-run for ever and pressure never clears.',
    config: 'tiny',
  },
  {
    name: 'cram-fault-spins-on-isolate',
    site: 'mm/cram.c: cram_fault (F2)',
    catches: 'LIVE-FAULT-RETURNS(cpu1)',
    description: 'when folio_isolate_lru fails, cram_fault retries it in place (holding the PTL) instead of returning 0 for a refault: it spins while another fault holds the folio isolated and waits for that PTL.',
    config: 'shared',
  },
  {
    name: 'flush-timer-never-fires',
    site: 'compression.c: cxl_flush_kthread_fn',
    catches: 'LIVE-DEFERRED-FREE(pfn 2)',
    description: 'the flush kthread\'s interval timer is never armed: it sleeps for good, and folios deferred in an active buffer are never sent nor freed (unless an overflow pushes them out).',
    config: 'flush',
  },
  {
    name: 'overflow-work-never-queued',
    site: 'compression.c: cxl_compression_flush_cb (schedule_work_on)',
    catches: 'LIVE-OVERFLOW-WORK-RUNS(cpu0)',
    description: 'a full active buffer marks the overflow work pending but never queues it: the work never runs and the buffer is only swapped by the kthread.',
    config: 'flush',
  },
  {
    name: 'cram-unregister-drain-to-zero',
    site: 'mm/cram.c: cram_unregister_private_node',
    catches: 'DEADLOCK',
    description: 'the drain waits for the cram_node refcount to reach 0 (refcount_read) instead of refcount_dec_if_one: its own initial reference never goes, teardown waits for ever.',
    config: 'driver',
  },
];
