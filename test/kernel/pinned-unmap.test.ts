// try_to_unmap leaves a pinned PageAnonExclusive page mapped: mm/rmap.c
// try_to_unmap_one -> folio_try_share_anon_rmap_pte -> __folio_try_share_anon_rmap
// returns -EBUSY when folio_maybe_dma_pinned, the walk restores the PTE and aborts,
// and v4's shrink_folio_list (mm/vmscan.c) sends the still-mapped folio to
// activate_locked. Before, the model unmapped a pinned page to swap, and the
// liveness table found a long-term pin livelocked by it (longpincram:
// LIVE-PROGRAM-FINISHES, the lasso kept in test/fixtures/liveness/).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseTrace } from '../../src/trace/format.ts';
import { resolveTraceSystem } from '../../src/cli/systems.ts';
import { replayLasso } from '../../src/trace/lasso.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { runLiveness } from '../../src/cli/liveness-cmd.ts';

// Step 54 until kswapd's putback became a step of its own (move_folios_to_lru after a keep): the
// lasso's back-to-back kswapd(N1) scans of the kept folio now stop replaying at step 32.
test('the old longpincram lasso no longer replays: kswapd(N1) cannot rescan the page it keeps before its putback step (step 32)', (t) => {
  const parsed = parseTrace(readFileSync(new URL('../fixtures/liveness/longpincram-program-finishes.json', import.meta.url), 'utf8'));
  if (!parsed.ok) return t.fail(parsed.error);
  const { sys } = resolveTraceSystem(parsed.trace);
  const o = replayLasso(sys, parsed.trace.property, parsed.trace.steps, parsed.trace.cycle!);
  t.is(o.kind, 'step');
  if (o.kind === 'step') {
    t.is(o.step, 32);
    t.regex(o.message, /kswapd\(N1\)/);
  }
});

// KNOWN FAILURE since kswapd's putback became a step of its own (issue 12): a lasso in which
// kswapd(P), hopeless (kswapd_failures 3) yet run again by the model's below-low self-run (which,
// unlike wakeup_kswapd, ignores the bound), rescans the pinned folio and holds it on its ret list
// whenever pin_user_pages(FOLL_LONGTERM)'s check_and_migrate_movable_folios tries to isolate it
// (-EAGAIN, GUP again), for ever. Making the self-run leave a hopeless node alone removes this
// lasso but breaks LIVE-PRESSURE-RELIEF on tiny with every fix on (finding irq-applies-device-level
// "STILL FAILS"): open, see the s8-putback report. test.failing flags when it passes again.
test.failing('longpincram with every fix: the long-term pin finishes (LIVE-PROGRAM-FINISHES holds)', (t) => {
  const sys = kernelSystem(configByName('longpincram', { fixes: FIXES.map((f) => f.name) }));
  const run = runLiveness(sys, { only: ['LIVE-PROGRAM-FINISHES(cpu0)'], deadlock: false });
  t.is(run.verdicts.length, 1);
  t.is(run.verdicts[0]!.status, 'holds', run.verdicts[0]!.message);
});
