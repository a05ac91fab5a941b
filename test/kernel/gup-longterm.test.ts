// Long-term pinning with v4's NP_OPS_LONGTERM_PIN gate (issue 12 item 9,
// src/kernel/gup_longterm.ts), on the scenario machine (D0 = N0, D1 = N1,
// P = N2). v4 patch 20 ("mm/gup: NP_OPS_LONGTERM_PIN - private node longterm
// pin support"): include/linux/mm.h folio_is_longterm_pinnable gains
//   if (node_state(folio_nid(folio), N_MEMORY_PRIVATE))
//       return node_private_allows_longterm_pin(folio_nid(folio));
// before the `return !folio_is_zone_movable(folio)` rule, and
// drivers/base/node.c node_private_allows_longterm_pin returns
// node_private_has_flag(nid, NP_OPS_LONGTERM_PIN). mm/gup.c (mainline) does
// the rest: __gup_longterm_locked pins, then check_and_migrate_movable_folios
// migrates an unpinnable folio with alloc_migration_target (GFP_USER) and
// retries (-EAGAIN), or fails with -ENOMEM when migrate_pages fails.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { EBUSY } from '../../src/kernel/defs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { PIN_CHECK, PIN_HELD, PIN_NONE, folioIsLongtermPinnable } from '../../src/kernel/gup_longterm.ts';
import { doPagesMove } from '../../src/kernel/migrate.ts';
import { nodePrivateClearOps, nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { D0, P, nodeOf, ptePfn, runCpu, scenario, step } from '../helpers/scenario.ts';

const ALL_FIXES = FIXES.map((f) => f.name);

/** v0 written with 5 and moved to P by move_pages (the service's migrate_to), then pinned. */
const onPThenPin: ProgramOp[] = [
  { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
  { op: 'write', vaddr: 0, value: 5 },
  { op: 'move_pages', vaddr: 0, node: P },
  { op: 'pin_user_pages', vaddr: 0 },
];

/** Step cpu0 until its program counter reaches op `pc`. */
function runTo(k: ReturnType<typeof scenario>, pc: number): void {
  const t = k.g.cpuThread(0);
  for (let i = 0; i < 50 && k.get(k.L.THR_PC, t) < pc; i++) if (!step(k, 'cpu0')) throw new Error('cpu0 blocked');
}

function pinState(k: ReturnType<typeof scenario>): { stage: number; pfn: number } {
  const t = k.g.cpuThread(0);
  return { stage: k.get(k.L.THR_LT_PIN_STAGE, t), pfn: k.get(k.L.THR_LT_PIN, t) - 1 };
}

test('without NP_OPS_LONGTERM_PIN a P folio is not pinnable: GUP migrates it to DRAM and pins the new folio (v4 folio_is_longterm_pinnable; mm/gup.c migrate_longterm_unpinnable_folios)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [onPThenPin, []] });
  runTo(k, 3);
  const onP = ptePfn(k, 0, 0);
  t.is(nodeOf(k, onP), P);
  t.false(folioIsLongtermPinnable(k, onP));
  runCpu(k, 0);
  const { stage, pfn } = pinState(k);
  t.is(stage, PIN_HELD);
  t.is(pfn, ptePfn(k, 0, 0), 'the pin is on the folio the PTE maps now');
  t.is(nodeOf(k, pfn), D0, 'alloc_migration_target(GFP_USER) from P\'s fallback list lands on D0');
  t.is(k.get(k.L.PG_CONTENT, pfn), 5);
  t.is(k.get(k.L.PG_REF, pfn), 2, 'mapping + pin');
  t.is(k.get(k.L.PG_REF, onP), 0, 'the P folio was freed');
});

test('without NP_OPS_MIGRATION either, the migration fails and pin_user_pages fails with -ENOMEM holding nothing (patch 20: "pin_user_pages(FOLL_LONGTERM) returns -ENOMEM")', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [onPThenPin, []] });
  runTo(k, 3);
  const onP = ptePfn(k, 0, 0);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'bare')), 0); // set_ops overwrites (SEMANTICS 4.4)
  runCpu(k, 0);
  t.is(k.get(k.L.THR_PC, k.g.cpuThread(0)), onPThenPin.length, 'the op ended');
  t.is(pinState(k).stage, PIN_NONE);
  t.is(ptePfn(k, 0, 0), onP, 'the folio stays on P');
  t.is(k.get(k.L.PG_REF, onP), 1, 'only the mapping: the pin was dropped');
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, P), 0, 'putback_movable_pages undid the isolation');
});

test('with NP_OPS_LONGTERM_PIN the pin succeeds and the folio stays on the private node, although P is ZONE_MOVABLE (patch 20: the private check comes first)', (t) => {
  const k = scenario({ pOps: 'pinlt', programs: [onPThenPin, []] });
  runCpu(k, 0);
  const { stage, pfn } = pinState(k);
  t.is(stage, PIN_HELD);
  t.is(nodeOf(k, pfn), P);
  t.is(k.get(k.L.PG_REF, pfn), 2);
  // A pinned folio is frozen in place: folio_migrate_mapping's refcount check refuses to move it.
  t.is(doPagesMove(k, k.g.cpuThread(0), 0, 0, D0).status, -EBUSY);
  t.is(ptePfn(k, 0, 0), pfn);
});

test('a DRAM folio outside ZONE_MOVABLE is pinned in place (mainline rule, unchanged by v4)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 }, { op: 'pin_user_pages', vaddr: 0 }, { op: 'unpin_user_pages' }], []] });
  runTo(k, 2);
  const pfn = ptePfn(k, 0, 0);
  t.true(folioIsLongtermPinnable(k, pfn));
  runTo(k, 3);
  t.deepEqual(pinState(k), { stage: PIN_HELD, pfn });
  runCpu(k, 0);
  t.is(pinState(k).stage, PIN_NONE);
  t.is(k.get(k.L.PG_REF, pfn), 1, 'unpin_user_page dropped the pin');
});

test('the flags are read after the pin is taken: a set_ops or clear_ops between __get_user_pages and the check decides (node_private_flags read live under RCU)', (t) => {
  // pinned under 'mpol' (no LONGTERM_PIN), then P's ops become 'pinlt' before the check: granted on P.
  const a = scenario({ pOps: 'mpol', programs: [onPThenPin, []] });
  runTo(a, 3);
  t.true(step(a, 'cpu0'));
  t.is(pinState(a).stage, PIN_CHECK);
  t.is(nodePrivateSetOps(a, P, opsIdByName(a, 'pinlt')), 0);
  t.true(step(a, 'cpu0'));
  t.is(pinState(a).stage, PIN_HELD);
  t.is(nodeOf(a, pinState(a).pfn), P);
  // pinned under 'pinlt', then clear_ops before the check: ops NULL, no MIGRATION -> -ENOMEM.
  const b = scenario({ pOps: 'pinlt', programs: [onPThenPin, []] });
  runTo(b, 3);
  t.true(step(b, 'cpu0'));
  t.is(pinState(b).stage, PIN_CHECK);
  t.is(nodePrivateClearOps(b, P, opsIdByName(b, 'pinlt')), 0);
  t.true(step(b, 'cpu0'));
  t.is(pinState(b).stage, PIN_NONE);
  t.is(nodeOf(b, ptePfn(b, 0, 0)), P);
});

test('longpin: v4 holds INV-LONGTERM-PIN exhaustively and reaches refusal, a pin on P and a pin that outlives its ops', (t) => {
  for (const fixes of [[], ALL_FIXES]) {
    const p = withReachProbe(kernelSystem(configByName('longpin', { fixes })));
    const r = explore(p.sys, { strategy: 'bfs', maxStates: 100_000 });
    t.true(r.complete);
    t.deepEqual(r.violations.map((v) => v.property), []);
    t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
  }
});

test('mutant longterm-pin-flag-ignored escapes every other invariant and is caught by INV-LONGTERM-PIN', (t) => {
  const sys = kernelSystem(configByName('longpin', { fixes: ALL_FIXES, mutant: 'longterm-pin-flag-ignored' }));
  const without = explore(withProperties(sys, (id) => id !== 'INV-LONGTERM-PIN'), { strategy: 'bfs', maxStates: 100_000 });
  t.true(without.complete);
  t.deepEqual(without.violations.map((v) => v.property), []);
  const withIt = explore(sys, { strategy: 'bfs', maxStates: 100_000 });
  t.deepEqual(withIt.violations.map((v) => v.property), ['INV-LONGTERM-PIN']);
});
