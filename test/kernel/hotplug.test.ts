// mm/memory_hotplug.c (v4): online_pages / offline_pages node-state rules
// (SEMANTICS 1.2, 1.3), add_private_memory_driver_managed (5.1),
// offline_and_remove_private_memory (5.3), offline of private folios (5.4).
import test from 'ava';
import {
  __GFP_PRIVATE, BLOCK_ABSENT, BLOCK_OFFLINE, BLOCK_ONLINE, EBUSY, EEXIST, EINTR, EINVAL, ENODEV, GFP_HIGHUSER_MOVABLE, GFP_KERNEL,
  MMOP_OFFLINE, MMOP_ONLINE_MOVABLE, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE, ZONE_MOVABLE,
} from '../../src/kernel/defs.ts';
import { folioPut, lruAdd } from '../../src/kernel/folio.ts';
import { zoneId } from '../../src/kernel/geometry.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { EV_OPS_AFTER_UNREGISTER, PG_head, PG_reserved } from '../../src/kernel/layout.ts';
import {
  addMemoryDriverManaged, addPrivateMemoryDriverManaged, offlineAndRemovePrivateMemory, offlinePages, offlinePagesBegin, offlinePagesPass, OFFLINE_AGAIN, onlinePages,
} from '../../src/kernel/memory_hotplug.ts';
import { nodePrivateRegister, nodePrivateUnregisterFinish } from '../../src/kernel/node_private.ts';
import { allocPagesNode, freePagesToBuddy, NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { boot } from '../../src/kernel/boot.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { bootExample, bootWithP, D0, D1, exampleConfig, nodeBlocks, P } from '../helpers/machines.ts';

const st = (k: Kernel, nid: number) => k.get(k.L.NODE_STATES, nid);
const PZ = zoneId(P, ZONE_MOVABLE);

/** A page-cache folio at a fresh P page (ref 1 = the cache's), on the LRU. */
function pageCacheFolioOnP(k: Kernel): number {
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  k.set(k.L.PG_MAPPING, pfn, 1);
  k.set(k.L.PCACHE, 0, pfn + 1);
  k.set(k.L.PG_CONTENT, pfn, 2);
  lruAdd(k, pfn);
  return pfn;
}

test('§5.1 add_private_memory_driver_managed: np NULL -> -EINVAL before register', (t) => {
  const k = bootExample();
  const { first, n } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, -1), -EINVAL);
  t.is(k.get(k.L.NODE_NP, P), 0);
});

test('§5.1: the register error is returned (N_MEMORY node -> -EBUSY; uninitialised -> -ENODEV)', (t) => {
  const k = bootExample();
  const d = nodeBlocks(k, D1);
  t.is(addPrivateMemoryDriverManaged(k, D1, d.first, d.n, MMOP_ONLINE_MOVABLE, 0), -EBUSY);
  k.set(k.L.G_NP_INITIALIZED, 0, 0);
  const p = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, p.first, p.n, MMOP_ONLINE_MOVABLE, 0), -ENODEV);
});

test('§5.1: __add_memory_driver_managed errors (-EINVAL online_type/range/node, -EEXIST) unregister again', (t) => {
  for (const [args, err] of [
    [[0, 1, 7], -EINVAL], // online_type out of range
    [[0, 0, MMOP_ONLINE_MOVABLE], -EINVAL], // size 0
    [[0, 2, MMOP_ONLINE_MOVABLE], -EINVAL], // range leaves the node
    [[-3, 1, MMOP_ONLINE_MOVABLE], -EINVAL], // block of another node
  ] as const) {
    const k = bootExample();
    const { first } = nodeBlocks(k, P);
    const fb = args[0] < 0 ? 0 : first + args[0];
    t.is(addPrivateMemoryDriverManaged(k, P, fb, args[1], args[2], 0), err);
    t.is(k.get(k.L.NODE_NP, P), 0, 'unregistered after the failure');
    t.is(k.get(k.L.NODE_PRIVATE, P), 0);
  }
  // -EEXIST: the block is already present (added by an earlier call with the same np: register is a no-op).
  const k = bootWithP();
  const { first, n } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0), -EEXIST);
  // ... and the error path unregister is refused (-EBUSY, ignored): P stays registered and online.
  t.is(k.get(k.L.NODE_NP, P), 1);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

test('§1.2 online_pages of a private node: N_ONLINE at add, N_MEMORY_PRIVATE (not N_MEMORY) at first online, no kswapd/kcompactd', (t) => {
  const k = bootExample();
  t.is(st(k, P), 0);
  const { first, n } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_OFFLINE, 0), 0);
  t.is(st(k, P), N_ONLINE);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_OFFLINE);
  t.is(k.get(k.L.BLOCK_PRIVATE_NP, first), 1);
  t.is(onlinePages(k, first), 0);
  t.is(st(k, P), N_ONLINE | N_MEMORY_PRIVATE);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_ONLINE);
  t.is(k.get(k.L.ZONE_MANAGED, PZ), 8);
  t.is(k.get(k.L.ZONE_FREE, PZ), 8);
  t.is(k.get(k.L.NODE_KSWAPD, P), 0);
  t.is(k.get(k.L.NODE_KCOMPACTD, P), 0);
  t.is(onlinePages(k, first), -EINVAL); // already online
});

test('§1.2 later blocks never change the state, whatever pgdat->private says', (t) => {
  const k = bootExample({ pMovable: 2 });
  const { first } = nodeBlocks(k, P);
  t.is(nodePrivateRegister(k, P, 0), 0);
  t.is(addMemoryDriverManaged(k, P, first, 2, MMOP_OFFLINE, 1), 0);
  t.is(onlinePages(k, first), 0);
  t.is(st(k, P) & (N_MEMORY | N_MEMORY_PRIVATE), N_MEMORY_PRIVATE);
  k.set(k.L.NODE_PRIVATE, P, 0); // as if unregister had cleared it meanwhile (only possible via mutants)
  t.is(onlinePages(k, first + 1), 0);
  t.is(st(k, P) & (N_MEMORY | N_MEMORY_PRIVATE), N_MEMORY_PRIVATE);
  // R7: pgdat->private is re-read at every online to decide kswapd: now it starts.
  t.is(k.get(k.L.NODE_KSWAPD, P), 1);
});

test('§1.2 a non-private node hot-added gets N_MEMORY and kswapd (register not called)', (t) => {
  const k = bootExample();
  const { first, n } = nodeBlocks(k, P);
  t.is(addMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE), 0);
  t.is(st(k, P) & (N_MEMORY | N_MEMORY_PRIVATE), N_MEMORY);
  t.is(k.get(k.L.NODE_KSWAPD, P), 1);
  // and it is then an ordinary fallback of D0 (GFP_HIGHUSER_MOVABLE reaches MOVABLE)
});

test('§1.3 offline_pages of the last block clears N_MEMORY_PRIVATE, stops daemons, block leaves the buddy', (t) => {
  const k = bootWithP({ pMovable: 2 });
  const { first } = nodeBlocks(k, P);
  t.is(offlinePages(k, first, 0), 0);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE)); // not the last
  t.is(k.get(k.L.ZONE_PRESENT, PZ), 8);
  t.is(offlinePages(k, first + 1, 0), 0);
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.is(k.get(k.L.ZONE_PRESENT, PZ), 0);
  t.is(k.get(k.L.ZONE_MANAGED, PZ), 0);
  t.is(k.get(k.L.ZONE_FREE, PZ), 0);
  t.is(k.get(k.L.BLOCK_STATE, first + 1), BLOCK_OFFLINE);
  t.true(k.has(k.L.PG_FLAGS, nodeBlocksPfn(k, first), PG_reserved));
  t.is(k.get(k.L.PG_BUDDY, nodeBlocksPfn(k, first)), 0);
  t.is(k.get(k.L.NODE_KSWAPD, P), 0);
  t.is(offlinePages(k, first, 0), -EINVAL);
});

function nodeBlocksPfn(k: Kernel, block: number): number {
  return k.g.blocks[block]!.firstPfn;
}

test('§1.3 offline of a DRAM node\'s last memory clears N_MEMORY (else branch not taken)', (t) => {
  const k = bootWithP();
  const { first } = nodeBlocks(k, D1);
  t.is(offlinePages(k, first, 0), 0);
  t.is(st(k, D1) & (N_MEMORY | N_MEMORY_PRIVATE), 0);
  t.is(k.get(k.L.NODE_KSWAPD, D1), 0);
});

test('§5.4 offline migrates a private LRU folio to an N_MEMORY node when the node has NP_OPS_MIGRATION', (t) => {
  const k = bootWithP({}, 'mpol');
  const pfn = pageCacheFolioOnP(k);
  const { first } = nodeBlocks(k, P);
  t.is(offlinePages(k, first, 0), 0);
  const dst = k.get(k.L.PCACHE, 0) - 1;
  t.not(k.g.pfnNode[dst], P);
  t.is(k.get(k.L.PG_CONTENT, dst), 2);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_head));
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

test('§5.4 a private folio without NP_OPS_MIGRATION is skipped (WARN): one attempt fails -EINTR, fully rolled back', (t) => {
  const k = bootWithP({}, 'bare');
  const pfn = pageCacheFolioOnP(k);
  const { first } = nodeBlocks(k, P);
  const free = k.get(k.L.ZONE_FREE, PZ);
  t.is(offlinePages(k, first, 0), -EINTR);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_ONLINE);
  t.is(k.get(k.L.ZONE_FREE, PZ), free); // pageblocks un-isolated
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_head));
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

// mm/memory_hotplug.c: offline_pages, `do { ... ret = test_pages_isolated(...); } while (ret);` with
// `if (signal_pending(current)) { ret = -EINTR; goto failed_removal_isolated; }` at the top of each round:
// a folio that is allocated but on no LRU is never -EBUSY, the loop goes round until a signal.
test('§5.4 an allocated folio that cannot be isolated makes offline_pages loop: each round changes nothing, only a signal ends it (-EINTR, rolled back)', (t) => {
  const k = bootWithP();
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0); // not on an LRU
  t.not(pfn, NULL_PFN);
  const before = k.s.slice();
  const { first } = nodeBlocks(k, P);
  t.is(offlinePagesBegin(k, first, false, 0), 0);
  const isolated = k.s.slice();
  t.notDeepEqual(isolated, before, 'the block is isolated while the loop runs');
  for (let i = 0; i < 3; i++) {
    t.is(offlinePagesPass(k, first, 0, false), OFFLINE_AGAIN);
    t.deepEqual(k.s, isolated, 'a round changes nothing');
  }
  t.is(offlinePagesPass(k, first, 0, true), -EINTR);
  t.deepEqual(k.s, before);
  // The one-call form delivers the signal once a round changes nothing.
  t.is(offlinePages(k, first, 0), -EINTR);
  t.deepEqual(k.s, before);
});

test('§5.4 offline_pages retries until the holder lets go: the round after the folio is freed offlines the block', (t) => {
  const k = bootWithP();
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  const { first } = nodeBlocks(k, P);
  t.is(offlinePagesBegin(k, first, false, 0), 0);
  t.is(offlinePagesPass(k, first, 0, false), OFFLINE_AGAIN);
  freePagesToBuddy(k, pfn, 0); // another CPU frees it between two rounds
  t.is(offlinePagesPass(k, first, 0, false), 0);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_OFFLINE);
});

test('§5.3 offline_and_remove_private_memory: offline + remove (absent, try_offline_node) then unregister 0', (t) => {
  const k = bootWithP();
  const { first, n } = nodeBlocks(k, P);
  const r = offlineAndRemovePrivateMemory(k, P, first, n, 0);
  t.deepEqual(r, { remove: 0, unregister: 0 });
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_ABSENT);
  t.is(k.get(k.L.BLOCK_PRIVATE_NP, first), 0);
  t.false(k.has(k.L.NODE_STATES, P, N_ONLINE));
  t.true(nodePrivateUnregisterFinish(k, P));
  // and the node can be hot-added again
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0), 0);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

test('§5.3 step 1 failure: re-onlines the blocks it offlined and returns the error; unregister not reached', (t) => {
  const k = bootWithP({ pMovable: 2 });
  const { first, n } = nodeBlocks(k, P);
  // Pin a page in the second block: allocation takes the lowest pfn, so take 9 and free the first 8.
  const pins: number[] = [];
  for (let i = 0; i < 9; i++) pins.push(allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0));
  const second = pins.pop()!;
  for (const p of pins) freePagesToBuddy(k, p, 0);
  t.is(k.g.pfnBlock[second], first + 1);
  const r = offlineAndRemovePrivateMemory(k, P, first, n, 0);
  t.is(r.remove, -EINTR, 'the second block loops until a signal (offline_pages)');
  t.is(r.unregister, null);
  t.is(k.get(k.L.BLOCK_STATE, first), BLOCK_ONLINE); // re-onlined
  t.is(k.get(k.L.BLOCK_STATE, first + 1), BLOCK_ONLINE);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

test('§5.3 step 2: -EBUSY when another private range of the node is still online (np stays registered)', (t) => {
  const k = bootWithP({ pMovable: 2 });
  const { first } = nodeBlocks(k, P);
  const r = offlineAndRemovePrivateMemory(k, P, first, 1, 0);
  t.deepEqual(r, { remove: 0, unregister: -EBUSY });
  t.is(k.get(k.L.NODE_NP, P), 1);
  t.true(k.has(k.L.NODE_STATES, P, N_ONLINE)); // a block is still present
});

test('§5.3 range errors: -EINVAL for size 0 or a range outside the node', (t) => {
  const k = bootWithP();
  const { first } = nodeBlocks(k, P);
  t.is(offlineAndRemovePrivateMemory(k, P, first, 0, 0).remove, -EINVAL);
  t.is(offlineAndRemovePrivateMemory(k, P, 0, 1, 0).remove, -EINVAL);
});

test('hot-added P memory is reachable only as §3.3 says; GFP_KERNEL from D0 never lands on P after online', (t) => {
  const k = bootWithP();
  for (let i = 0; i < 30; i++) {
    const pfn = allocPagesNode(k, D0, GFP_KERNEL, 0);
    if (pfn !== NULL_PFN) t.not(k.g.pfnNode[pfn], P);
  }
});

test('property: random register/add/online/offline/remove/set_ops/alloc/free sequences keep the node-state and isolation rules (INV-STATE-EXCL, INV-PRIVATE-REG, INV-ZONELIST, INV-ISOLATION-ALLOC) and buddy accounting', async (t) => {
  const fc = (await import('fast-check')).default;
  const { countFreePages } = await import('../../src/kernel/buddy.ts');
  const { nodeZonelist } = await import('../../src/kernel/zonelist.ts');
  const { nodePrivateClearOps, nodePrivateSetOps } = await import('../../src/kernel/node_private.ts');
  const { GA_CONTIG, GA_PRIVATE_OK } = await import('../../src/kernel/layout.ts');
  const { allocPages } = await import('../../src/kernel/page_alloc.ts');
  const { GFP_PRIVATE, GFP_ATOMIC, __GFP_THISNODE, MAX_NR_ZONES } = await import('../../src/kernel/defs.ts');
  const gfps = [GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, GFP_PRIVATE, GFP_PRIVATE | GFP_HIGHUSER_MOVABLE, GFP_ATOMIC, GFP_KERNEL | __GFP_THISNODE];
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), online: fc.boolean() }),
    fc.record({ kind: fc.constant('online' as const), b: fc.nat(1) }),
    fc.record({ kind: fc.constant('offline' as const), b: fc.nat(1) }),
    fc.record({ kind: fc.constant('remove' as const) }),
    fc.record({ kind: fc.constant('ops' as const), id: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('alloc' as const), g: fc.nat(gfps.length - 1), nid: fc.nat(2), mask: fc.integer({ min: -1, max: 7 }), order: fc.nat(1) }),
    fc.record({ kind: fc.constant('free' as const), pick: fc.nat(50) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      // With the fix for the finding below (faithful v4 fails this property through it).
      const k = boot(buildMachine({ ...exampleConfig({ pMovable: 2 }), fixes: ['unregister-busy-while-present'] }));
      const { first } = nodeBlocks(k, P);
      const live: { pfn: number; order: number }[] = [];
      const opsIds = [0, 2, 3, 4, 8];
      for (const o of ops) {
        switch (o.kind) {
          case 'add': addPrivateMemoryDriverManaged(k, P, first, 2, o.online ? MMOP_ONLINE_MOVABLE : MMOP_OFFLINE, 0); break;
          case 'online': onlinePages(k, first + o.b); break;
          case 'offline': offlinePages(k, first + o.b, 0); break;
          case 'remove': {
            const r = offlineAndRemovePrivateMemory(k, P, first, 2, 0);
            if (r.unregister === 0) nodePrivateUnregisterFinish(k, P);
            break;
          }
          case 'ops': if (o.id === 0) nodePrivateClearOps(k, P, k.get(k.L.NP_OPS, 0)); else nodePrivateSetOps(k, P, opsIds[o.id]!); break;
          case 'alloc': {
            const pfn = allocPages(k, gfps[o.g]!, o.order, o.nid, o.mask < 0 ? null : o.mask);
            if (pfn !== NULL_PFN) live.push({ pfn, order: o.order });
            break;
          }
          case 'free': if (live.length) { const [f] = live.splice(o.pick % live.length, 1); freePagesToBuddy(k, f!.pfn, f!.order); } break;
        }
        for (let n = 0; n < k.g.nodes; n++) {
          const s = st(k, n);
          if ((s & N_MEMORY) && (s & N_MEMORY_PRIVATE)) return false; // INV-STATE-EXCL
          if ((s & N_MEMORY_PRIVATE) && (!k.get(k.L.NODE_PRIVATE, n) || !k.get(k.L.NODE_NP, n))) return false; // INV-PRIVATE-REG
        }
        for (const n of [D0, D1]) {
          for (const nofb of [false, true]) if (nodeZonelist(k, n, nofb).some((z) => Math.floor(z / MAX_NR_ZONES) === P)) return false; // INV-ZONELIST (a)
        }
        if (k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE) && nodeZonelist(k, P, true).some((z) => Math.floor(z / MAX_NR_ZONES) !== P)) return false; // (b)
        for (const f of live) {
          if (k.g.pfnNode[f.pfn] === P && !k.has(k.L.GH_ALLOC, f.pfn, GA_PRIVATE_OK | GA_CONTIG)) return false; // INV-ISOLATION-ALLOC
        }
        for (let z = 0; z < k.g.zones; z++) {
          if (k.get(k.L.ZONE_FREE, z) !== countFreePages(k, z)) return false;
          const used = live.filter((f) => k.g.pfnZone[f.pfn] === z).reduce((a, f) => a + (1 << f.order), 0);
          if (countFreePages(k, z) + used !== k.get(k.L.ZONE_MANAGED, z)) return false;
        }
      }
      return true;
    }),
    { seed: 42, numRuns: 300 },
  );
  t.pass();
});

test('FINDING (faithful v4): a second add_private_memory_driver_managed of present-but-offline memory unregisters the np (-EEXIST error path), and onlining the blocks then makes P N_MEMORY, a normal fallback node (INV-PRIVATE-STAYS-PRIVATE, INV-ISOLATION-ALLOC)', (t) => {
  const run = (fixes: string[]) => {
    const k = boot(buildMachine({ ...exampleConfig(), fixes }));
    const { first, n } = nodeBlocks(k, P);
    t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_OFFLINE, 0), 0);
    // Same np again (e.g. the sysram hotplug attribute re-adding the region): register is a no-op 0,
    // __add_memory_driver_managed says -EEXIST, and the error path calls node_private_unregister.
    t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0), -EEXIST);
    t.is(onlinePages(k, first), 0); // memoryX/online, or the driver onlining its blocks
    return k;
  };
  const k = run([]);
  t.is(k.get(k.L.NODE_NP, P), 0);
  t.is(k.get(k.L.BLOCK_PRIVATE_NP, nodeBlocks(k, P).first), 1); // the block was added as private memory
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY));
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  // Kernel allocations preferring D0 now fall back to P; GFP_HIGHUSER_MOVABLE from P lands on P without __GFP_PRIVATE.
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE, 0);
  t.is(k.g.pfnNode[pfn], P);
  // Fixed: unregister refuses while blocks are present, P stays registered and becomes N_MEMORY_PRIVATE.
  const f = run(['unregister-busy-while-present']);
  t.is(f.get(f.L.NODE_NP, P), 1);
  t.true(f.has(f.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.not(f.g.pfnNode[allocPagesNode(f, P, GFP_HIGHUSER_MOVABLE, 0)], P);
});

// mm/migrate.c: isolate_folio_to_list adds NR_ISOLATED_{ANON,FILE} for an isolated LRU folio;
// migrate_folio_done (success, reason MR_MEMORY_HOTPLUG) and putback_movable_pages (failure,
// do_migrate_range) take it back. The counter is not clamped, so an imbalance shows as a wrap.
test('§5.4 NR_ISOLATED nets to 0 after a successful and after a failed offline migration (isolate_folio_to_list / migrate_folio_done / putback_movable_pages)', (t) => {
  const iso = (k: Kernel) => [0, 1, 2].map((n) => k.get(k.L.NODE_NR_ISOLATED_ANON, n) + k.get(k.L.NODE_NR_ISOLATED_FILE, n));
  // Success: the P folio moves to an N_MEMORY node, the block goes offline.
  const ok = bootWithP({}, 'mpol');
  pageCacheFolioOnP(ok);
  t.is(offlinePages(ok, nodeBlocks(ok, P).first, 0), 0);
  t.deepEqual(iso(ok), [0, 0, 0]);
  // Failure: an extra reference makes folio_migrate_mapping fail (-EAGAIN); the folio is put
  // back, the loop migrates it again round after round until a signal (-EINTR).
  const bad = bootWithP({}, 'mpol');
  const pfn = pageCacheFolioOnP(bad);
  bad.add(bad.L.PG_REF, pfn, 1);
  t.is(offlinePages(bad, nodeBlocks(bad, P).first, 0), -EINTR);
  t.true(bad.has(bad.L.PG_FLAGS, pfn, PG_head));
  t.deepEqual(iso(bad), [0, 0, 0]);
});

// Item reported as EV_OPS_AFTER_UNREGISTER on a deferred flush send (cxl_flush_buf_send ->
// folio_put -> folio_managed_on_free): REFUTED as a v4 bug, it was the model. In v4,
// add_private_memory_driver_managed calls node_private_unregister on the error path and ignores
// the result; node_private_unregister (drivers/base/node.c) returns -EBUSY while the node is
// N_MEMORY_PRIVATE BEFORE clearing the pointer or dropping the reference. The model ran the
// second stage anyway, dropping the live np's refcount to 0 and setting the ghost, so every later
// callback (free_folio of a flushed folio, reclaim_policy) was flagged.
test('§5.1 error path: an -EEXIST re-add of ONLINE private memory gets unregister -EBUSY, which leaves the np registered (refcount 1, no ghost, later callbacks are legitimate)', (t) => {
  const k = bootWithP({}, 'demote');
  const slot = 0;
  const { first, n } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, slot), -EEXIST);
  t.is(k.get(k.L.NODE_NP, P), slot + 1);
  t.is(k.get(k.L.NP_REFCOUNT, slot), 1, 'the registration reference is still held');
  t.is(k.get(k.L.NP_RELEASED, slot), 0);
  t.is(k.get(k.L.GH_NP_UNREG_OPS, slot), 0, 'node_private_unregister never returned 0');
  // A free of a P folio runs the (still registered) ops' free_folio: no EV_OPS_AFTER_UNREGISTER.
  const pfn = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  folioPut(k, 0, pfn);
  t.is(k.get(k.L.GH_EVENTS) & EV_OPS_AFTER_UNREGISTER, 0);
});
