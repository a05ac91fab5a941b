// Conformance checker on synthetic transitions: real kernel calls for the
// allowed orders, hand-edited states for the ones a mutant would produce.
import test from 'ava';
import { ConformanceChecker, withConformance } from '../../models/conformance.ts';
import { stateOf } from '../../models/abstraction.ts';
import { bootExample, nodeBlocks, P } from '../helpers/machines.ts';
import { addPrivateMemoryDriverManaged, offlinePages } from '../../src/kernel/memory_hotplug.ts';
import { nodePrivateRegister, nodePrivateSetOps, nodePrivateUnregisterBegin } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { MMOP_ONLINE_MOVABLE, N_MEMORY_PRIVATE, BLOCK_ONLINE, EBUSY } from '../../src/kernel/defs.ts';
import { PG_head, PG_lru, PTE_PRESENT, PTE_WRITE, VMA_MAPPED } from '../../src/kernel/layout.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import type { System } from '../../src/explore/system.ts';
import { explore } from '../../src/explore/explorer.ts';

/** Run fn on a copy of k; return [before, after] as System states. */
function stepOf(k: Kernel, fn: (k: Kernel) => void): [Uint32Array, Uint32Array, Kernel] {
  const before = stateOf(k);
  const k2 = k.clone();
  fn(k2);
  return [before, stateOf(k2), k2];
}

test('hotplug: the v4 order register+online (add_private_memory_driver_managed) -> set_ops -> offline -> unregister conforms (SEMANTICS 5.1, 5.3, 4.7)', (t) => {
  let k = bootExample();
  const c = new ConformanceChecker(k.m, ['hotplug']);
  const { first, n } = nodeBlocks(k, P);
  const steps: ((k: Kernel) => void)[] = [
    (k) => t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0), 0),
    (k) => t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')), 0),
    // node.c: node_private_unregister -> -EBUSY while N_MEMORY_PRIVATE: a refusal is a stutter
    (k) => t.is(nodePrivateUnregisterBegin(k, P), -EBUSY),
    (k) => t.is(offlinePages(k, first, 0), 0),
    (k) => t.is(nodePrivateUnregisterBegin(k, P), 0),
  ];
  for (const s of steps) {
    const [a, b, k2] = stepOf(k, s);
    t.is(c.check(a, b), null);
    k = k2;
  }
  t.deepEqual(c.abstractAll(stateOf(k))[0], ['memory=offline,np=unregistered,service=ops']);
});

test('hotplug: memory going online as N_MEMORY_PRIVATE on an unregistered node is not a machine transition', (t) => {
  const k = bootExample();
  const c = new ConformanceChecker(k.m, ['hotplug']);
  const { first } = nodeBlocks(k, P);
  const [a, b] = stepOf(k, (k) => {
    k.set(k.L.BLOCK_STATE, first, BLOCK_ONLINE);
    k.setBits(k.L.NODE_STATES, P, N_MEMORY_PRIVATE);
  });
  const v = c.check(a, b);
  t.is(v?.id, 'CONFORMANCE-hotplug');
  t.regex(v!.message, /N2: memory=absent,np=unregistered,service=none -> memory=online,np=unregistered/);
});

test('hotplug: offline and unregister in ONE step (consistent end state) is refused: no event does both', (t) => {
  const k0 = bootExample();
  const c = new ConformanceChecker(k0.m, ['hotplug']);
  const { first, n } = nodeBlocks(k0, P);
  const k = k0.clone();
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0), 0);
  const [a, b] = stepOf(k, (k) => {
    t.is(offlinePages(k, first, 0), 0);
    t.is(nodePrivateUnregisterBegin(k, P), 0);
  });
  t.is(c.check(a, b)?.id, 'CONFORMANCE-hotplug');
  // The same two calls as two steps conform.
  const [a1, b1, k1] = stepOf(k, (k) => offlinePages(k, first, 0));
  t.is(c.check(a1, b1), null);
  const [a2, b2] = stepOf(k1, (k) => nodePrivateUnregisterBegin(k, P));
  t.is(c.check(a2, b2), null);
});

test('hotplug: set_ops before register is -ENODEV and a stutter (node.c: node_private_set_ops)', (t) => {
  const k = bootExample();
  const c = new ConformanceChecker(k.m, ['hotplug']);
  const [a, b] = stepOf(k, (k) => t.true(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')) < 0));
  t.is(c.check(a, b), null);
  const [a2, b2] = stepOf(k, (k) => t.is(nodePrivateRegister(k, P, 0), 0));
  t.is(c.check(a2, b2), null);
});

function withCram(): Kernel {
  const k = bootExample();
  const { first, n } = nodeBlocks(k, P);
  addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0);
  k.set(k.L.CN_STATE, P, 1);
  k.set(k.L.NODE_KSWAPD, P, 1);
  return k;
}

test('backpressure: cram_set_pressure S2 then S3 as separate steps conforms; both in one step does not (SEMANTICS 6.5)', (t) => {
  const k = withCram();
  const c = new ConformanceChecker(k.m, ['backpressure']);
  const [a, b, k1] = stepOf(k, (k) => k.set(k.L.CN_PRESSURE, P, 1000)); // S2
  t.is(c.check(a, b), null);
  const [a2, b2] = stepOf(k1, (k) => k.set(k.L.NP_MIGRATION_BLOCKED, 0, 1)); // S3
  t.is(c.check(a2, b2), null);
  const [a3, b3] = stepOf(k, (k) => {
    k.set(k.L.CN_PRESSURE, P, 1000);
    k.set(k.L.NP_MIGRATION_BLOCKED, 0, 1);
  });
  const v = c.check(a3, b3);
  t.is(v?.id, 'CONFORMANCE-backpressure');
  t.regex(v!.message, /pressure=zero -> .*pressure=max/);
});

test('backpressure: S4 raises the boost and wakes kswapd(P) in one call (wakeup_kswapd inside S4)', (t) => {
  const k = withCram();
  const c = new ConformanceChecker(k.m, ['backpressure']);
  const z = P * 4 + 3; // P.MOVABLE
  const managed = k.get(k.L.ZONE_MANAGED, z);
  t.true(managed > 0);
  const [a, b] = stepOf(k, (k) => {
    k.set(k.L.ZONE_BOOST, z, managed);
    k.set(k.L.NODE_KSWAPD, P, 2);
  });
  t.is(c.check(a, b), null);
});

function firstPfnOf(k: Kernel, nid: number): number {
  return k.g.blocks.find((b) => b.node === nid)!.firstPfn;
}

test('folio: a CRAM slot mapped writable under PROTECT_WRITE is not a machine state (INV-RO as protocol)', (t) => {
  const k = withCram();
  k.set(k.L.NP_OPS, 0, 1); // cram_ops
  const c = new ConformanceChecker(k.m, ['folio']);
  const pfn = firstPfnOf(k, P);
  const [a, b] = stepOf(k, (k) => {
    k.set(k.L.PG_BUDDY, pfn, 0);
    k.set(k.L.PG_FLAGS, pfn, PG_head | PG_lru);
    k.set(k.L.PG_REF, pfn, 1);
    k.set(k.L.PG_MAPCOUNT, pfn, 1);
    k.set(k.L.VMA_FLAGS, 0, VMA_MAPPED);
    k.set(k.L.PTE_KIND, 0, PTE_PRESENT);
    k.set(k.L.PTE_FLAGS, 0, PTE_WRITE);
    k.set(k.L.PTE_VAL, 0, pfn);
  });
  const v = c.check(a, b);
  t.is(v?.id, 'CONFORMANCE-folio');
  t.regex(v!.message, /pfn \d+: free -> cram_writable reaches 'cram_writable'/);
});

test('folio: free -> cram (migrate_pages remaps read-only) conforms; free -> cram_isolated does not', (t) => {
  const k = withCram();
  k.set(k.L.NP_OPS, 0, 1);
  const c = new ConformanceChecker(k.m, ['folio']);
  const pfn = firstPfnOf(k, P);
  const map = (k: Kernel, lru: boolean, ref: number) => {
    k.set(k.L.PG_BUDDY, pfn, 0);
    k.set(k.L.PG_FLAGS, pfn, PG_head | (lru ? PG_lru : 0));
    k.set(k.L.PG_REF, pfn, ref);
    k.set(k.L.PG_MAPCOUNT, pfn, 1);
    k.set(k.L.PTE_KIND, 0, PTE_PRESENT);
    k.set(k.L.PTE_VAL, 0, pfn);
  };
  const [a, b] = stepOf(k, (k) => map(k, true, 1));
  t.is(c.check(a, b), null);
  const [a2, b2] = stepOf(k, (k) => map(k, false, 2));
  t.is(c.check(a2, b2)?.id, 'CONFORMANCE-folio');
});

test('withConformance: the explorer reports a conformance failure with a shortest trace', (t) => {
  // A two-action System over kernel states: 0 = hot-add P as the driver does,
  // 1 = a seeded out-of-order step (online P's block as private with no np).
  const k0 = bootExample();
  const { first, n } = nodeBlocks(k0, P);
  const words = k0.L.words16 / 2;
  const kOf = (s: Uint32Array): Kernel => {
    const k = k0.clone();
    k.s.set(new Uint16Array(s.buffer, s.byteOffset, k0.L.words16));
    return k;
  };
  const base: System = {
    name: 'hotplug-toy',
    words,
    actionCount: 2,
    initial: (out) => out.set(stateOf(k0)),
    step(state, a, next) {
      const k = kOf(state);
      if (a === 0) {
        if (k.get(k.L.NODE_NP, P) !== 0 || k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE)) return false;
        addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0);
      } else {
        if (k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE)) return false;
        k.set(k.L.BLOCK_STATE, first, BLOCK_ONLINE);
        k.setBits(k.L.NODE_STATES, P, N_MEMORY_PRIVATE);
      }
      next.set(stateOf(k));
      return true;
    },
    describe: (a) => ({ actor: 'driver', name: a === 0 ? 'hot-add P' : 'online P unregistered' }),
    explain: () => [],
    properties: [],
    render: () => [],
  };
  const r = explore(withConformance(base, k0.m), { strategy: 'bfs', tty: false });
  t.is(r.violations[0]?.property, 'CONFORMANCE-hotplug');
  t.deepEqual(r.violations[0]?.trace, [1]);
});
