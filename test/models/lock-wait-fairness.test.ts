// A kernel thread inside a staged migrate_pages batch waits only for a PTL (a
// queued spinlock: FIFO), so its steps are strongly fair
// (models/kernel.fairness.ts lockWaitFairness). Before, `cpusets` as posted
// showed a lasso (stem 16, cycle 6): the sysfs hotplug offline isolated the
// CRAM folio for do_migrate_range, and cpu0 refaulted into cram_fault on it
// for ever (folio_isolate_lru fails on the isolated folio, handle_fault
// returns 0), taking and dropping mm0's PTL each time; the driver's
// try_to_migrate, enabled whenever the PTL was free, was never scheduled. On
// the kernel the waiter gets the lock at the next release
// (kernel/locking/qspinlock.c), migrates the folio, and the write completes.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseTrace } from '../../src/trace/format.ts';
import { resolveTraceSystem } from '../../src/cli/systems.ts';
import { replayLasso } from '../../src/trace/lasso.ts';

test('the old cpusets lasso (offline waiting for mm0\'s PTL while cpu0 refaults) is no longer a fair cycle', (t) => {
  const parsed = parseTrace(readFileSync(new URL('../fixtures/liveness/cpusets-v4-offline-ptl-wait.json', import.meta.url), 'utf8'));
  if (!parsed.ok) return t.fail(parsed.error);
  const { sys } = resolveTraceSystem(parsed.trace);
  const o = replayLasso(sys, parsed.trace.property, parsed.trace.steps, parsed.trace.cycle!);
  t.is(o.kind, 'unfair', JSON.stringify(o));
  if (o.kind === 'unfair') {
    t.regex(o.actor, /driver offline_pages \(waits for a PTL/);
    t.is(o.fairness, 'strong');
  }
});
