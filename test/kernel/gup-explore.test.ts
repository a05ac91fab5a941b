// The GUP configurations explored (issue 12 item 8): the new checks are each
// shown against their seeded bug (escapes without the check, caught with it),
// faithful v4 breaks INV-FAULT-LOCK and INV-WRITE-PATH on `gup` (findings
// cram-fault-retry-contract, gup-force-respects-protect-write), and every fix
// on makes the GUP configs hold.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const ALL = FIXES.map((f) => f.name);

function run(config: string, o: { mutant?: string; fixes?: readonly string[]; keep?: (id: string) => boolean }) {
  const sys = kernelSystem(configByName(config, { mutant: o.mutant ?? null, fixes: o.fixes ?? ALL }));
  const r = explore(withProperties(sys, o.keep ?? (() => true)), { strategy: 'bfs', maxStates: 200_000, stopAtFirstViolation: false });
  return { complete: r.complete, violated: [...new Set(r.violations.map((v) => v.property))], messages: r.violations.map((v) => `${v.property}: ${v.message}`) };
}

// INV-PIN-STAYS-EXCL (the state a pin must keep: its page exclusive) also sees this
// mutant's pin on a shared page; INV-GUP-PIN-EXCL is the kernel's own check at the pin.
test('gup-pin-skips-unshare escapes every other invariant (complete) and INV-GUP-PIN-EXCL catches it (gupfork); so does INV-PIN-STAYS-EXCL', (t) => {
  const pinIds = ['INV-GUP-PIN-EXCL', 'INV-PIN-STAYS-EXCL'];
  const without = run('gupfork', { mutant: 'gup-pin-skips-unshare', keep: (id) => !pinIds.includes(id) });
  t.true(without.complete);
  t.deepEqual(without.violated, []);
  t.deepEqual(run('gupfork', { mutant: 'gup-pin-skips-unshare', keep: (id) => id !== 'INV-PIN-STAYS-EXCL' }).violated, ['INV-GUP-PIN-EXCL']);
  t.deepEqual(run('gupfork', { mutant: 'gup-pin-skips-unshare' }).violated.sort(), pinIds);
});

test('cram-fault-nowait-unlocks is caught only by the RETRY_NOWAIT clause of INV-FAULT-LOCK (gupnowait; no other invariant, no ALLOW_RETRY clause)', (t) => {
  const without = run('gupnowait', { mutant: 'cram-fault-nowait-unlocks', keep: (id) => id !== 'INV-FAULT-LOCK' });
  t.true(without.complete);
  t.deepEqual(without.violated, []);
  const caught = run('gupnowait', { mutant: 'cram-fault-nowait-unlocks' });
  t.deepEqual(caught.violated, ['INV-FAULT-LOCK']);
  t.true(caught.messages.every((m) => /RETRY_NOWAIT/.test(m)), caught.messages.join('\n'));
});

test('faithful v4 on gup: INV-FAULT-LOCK (VM_FAULT_RETRY without ALLOW_RETRY) and INV-WRITE-PATH (FOLL_FORCE store on P); each mended by its fix', (t) => {
  const v4 = run('gup', { fixes: [], keep: (id) => id === 'INV-FAULT-LOCK' || id === 'INV-WRITE-PATH' });
  t.deepEqual(v4.violated.sort(), ['INV-FAULT-LOCK', 'INV-WRITE-PATH']);
  t.true(v4.messages.some((m) => /without FAULT_FLAG_ALLOW_RETRY/.test(m)));
  for (const [fix, inv] of [['cram-fault-retry-contract', 'INV-FAULT-LOCK'], ['gup-force-respects-protect-write', 'INV-WRITE-PATH']] as const) {
    t.deepEqual(run('gup', { fixes: ALL.filter((f) => f !== fix), keep: (id) => id === inv }).violated, [inv], fix);
  }
});

test('every fix on: gup, gupnowait and gupfork hold every invariant, exhaustively', (t) => {
  for (const c of ['gup', 'gupnowait', 'gupfork']) {
    const r = run(c, {});
    t.true(r.complete, c);
    t.deepEqual(r.violated, [], c);
  }
});
