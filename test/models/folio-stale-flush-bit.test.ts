// The folio abstraction (models/abstraction.ts) and a flush_record bit that
// outlives its folio. drivers/cxl/type3_drivers/cxl_compression/compression.c:
// only cxl_compression_flush_cb's test_and_clear (case a) clears a bit, and
// flush_cb runs only from mm/cram.c: cram_free_folio_cb while CRAM is
// registered. cxl_compression_pre_teardown unregisters CRAM (ops cleared)
// before the flush kthread's last send, whose folio_put then frees the folio
// without flush_cb: the bit stays set (SEMANTICS 8.2 R6) until
// cxl_compression_post_teardown's flush_record_free. Nothing reads it again,
// but the page can be allocated again meanwhile (a demotion that held its
// cram_node reference across the unregister, R5). That folio is a fresh
// demotion target, not a deferred free.
import test from 'ava';
import { abstractionFor, kernelOf } from '../../models/abstraction.ts';
import { kernelMachineOf } from '../../src/mbt/machines.ts';
import { resolveSystem } from '../../src/cli/systems.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { replaySteps } from '../../src/trace/replay.ts';
import { GA_OVER_FLUSH_BIT } from '../../src/kernel/layout.ts';

// `cramcheck explore --config driverflush --fix all` (before the abstraction
// change, CONFORMANCE-folio after 27 steps): probe, demote v0 to P (pfn 2),
// promote it back (the old P folio deferred by flush_cb), kswapd(N0) starts a
// second demotion and takes its cram_node reference, the kthread swaps the
// buffer, the teardown unregisters CRAM, the kthread's send frees pfn 2 with
// no flush_cb (bit left set), and the demotion allocates pfn 2 again.
const K = 'kswapd(N0)';
const KS = 'sleep|demote|scan(pfn 0)';
const DRV = 'probe/teardown step';
const STEPS: readonly (readonly [string, number, string])[] = [
  ['cpu0', 0, 'step'], ['cpu0', 0, 'step'], ['cpu0', 1, 'lru_add_drain'],
  ['driver', 8, DRV], ['driver', 8, DRV], ['driver', 8, DRV],
  [K, 2, KS], [K, 2, KS], [K, 2, KS], [K, 2, KS], [K, 2, KS],
  ['cpu0', 0, 'step'], ['cpu0', 0, 'step'], ['cpu0', 0, 'step'], ['cpu0', 0, 'step'], ['cpu0', 0, 'step'], ['cpu0', 1, 'lru_add_drain'],
  [K, 2, KS], [K, 2, KS], [K, 2, KS], [K, 2, KS],
  ['cxl-flush', 6, 'step#0'], ['cxl-flush', 6, 'step#0'],
  ['driver', 8, DRV], ['driver', 8, DRV],
  ['cxl-flush', 6, 'step#0'],
  [K, 2, KS],
];

test('a page allocated over a stale flush_record bit is a fresh folio: driverflush --fix all conforms along the old counterexample', (t) => {
  const { sys } = resolveSystem({ system: 'kernel', config: 'driverflush', fixes: FIXES.map((f) => f.name), mutant: null });
  const steps = STEPS.map(([actor, action, name]) => ({ actor, action, name }));
  const rep = replaySteps(sys, steps, { property: 'CONFORMANCE-folio', step: STEPS.length });
  // Every step still runs (the path exists) and the folio machine accepts each one.
  t.is(rep.states.length, STEPS.length + 1);
  t.is(rep.outcome.kind, 'absent');
  const m = kernelMachineOf(sys)!;
  const folio = abstractionFor(m, 'folio');
  const at = (i: number): string => {
    const out: string[] = [];
    folio.abstract(kernelOf(m, rep.states[i]!), out);
    return out[2]!;
  };
  const k26 = kernelOf(m, rep.states[26]!);
  const k27 = kernelOf(m, rep.states[27]!);
  // After the send: pfn 2 free in the buddy with its bit still set, as in v4.
  t.is(at(26), 'free');
  t.is(k26.get(k26.L.PG_FLUSH_BIT, 2), 1);
  // The demotion's alloc_cram_folio takes it: the model keeps v4's stale bit, the ghost records it.
  t.is(k27.get(k27.L.PG_FLUSH_BIT, 2), 1);
  t.not(k27.get(k27.L.GH_ALLOC, 2) & GA_OVER_FLUSH_BIT, 0);
  t.is(at(27), 'cram_migrating');
});

test('a bit set by flush_cb on the folio itself still reads as a deferred free (the ghost is set only by an allocation over a set bit)', (t) => {
  const { sys } = resolveSystem({ system: 'kernel', config: 'driverflush', fixes: FIXES.map((f) => f.name), mutant: null });
  const steps = STEPS.slice(0, 16).map(([actor, action, name]) => ({ actor, action, name }));
  const rep = replaySteps(sys, steps, { property: 'CONFORMANCE-folio', step: steps.length });
  t.is(rep.outcome.kind, 'absent');
  const m = kernelMachineOf(sys)!;
  const k = kernelOf(m, rep.states[16]!);
  // Step 16: cram_fault's promotion freed pfn 2; flush_cb deferred it (case b) and set its bit.
  t.is(k.get(k.L.PG_FLUSH_BIT, 2), 1);
  t.is(k.get(k.L.GH_ALLOC, 2) & GA_OVER_FLUSH_BIT, 0);
  const out: string[] = [];
  abstractionFor(m, 'folio').abstract(k, out);
  t.is(out[2], 'cram_deferred');
});
