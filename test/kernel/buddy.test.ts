// mm/page_alloc.c buddy allocator: __rmqueue_smallest / expand / __free_one_page.
import test from 'ava';
import fc from 'fast-check';
import { countFreePages, freeOnePage, isolateBlock, prepNewPage, rmqueueSmallest, unisolateBlock, zoneSpan } from '../../src/kernel/buddy.ts';
import { ZONE_NORMAL } from '../../src/kernel/defs.ts';
import { zoneId } from '../../src/kernel/geometry.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { bootExample, D1 } from '../helpers/machines.ts';

const Z = zoneId(D1, ZONE_NORMAL);
const nrFree = (k: Kernel, o: number) => k.get(k.L.ZONE_AREA_NR_FREE, Z * k.g.orders + o);

test('boot: each block is free as max-order chunks (generic_online_page frees MAX_PAGE_ORDER blocks)', (t) => {
  const k = bootExample({ d1Normal: 2, blockPages: 8, maxOrder: 2 });
  t.is(k.get(k.L.ZONE_FREE, Z), 16);
  t.is(nrFree(k, 2), 4);
  t.is(nrFree(k, 0), 0);
});

test('__rmqueue_smallest takes the lowest-pfn block of the smallest sufficient order and expand() frees the upper halves', (t) => {
  const k = bootExample({ blockPages: 8, maxOrder: 2 });
  const start = zoneSpan(k.g).start[Z]!;
  const a = rmqueueSmallest(k, Z, 0);
  t.is(a, start);
  // The order-2 block at start split: order-1 at start+2, order-0 at start+1.
  t.is(k.get(k.L.PG_BUDDY, start + 1), 1);
  t.is(k.get(k.L.PG_BUDDY, start + 2), 2);
  t.is(nrFree(k, 0), 1);
  t.is(nrFree(k, 1), 1);
  t.is(nrFree(k, 2), 1);
  // Smallest sufficient order first: an order-0 request uses the order-0 block.
  t.is(rmqueueSmallest(k, Z, 0), start + 1);
  t.is(rmqueueSmallest(k, Z, 1), start + 2);
  t.is(rmqueueSmallest(k, Z, 2), start + 4);
  t.is(rmqueueSmallest(k, Z, 0), -1);
});

test('__free_one_page merges with the buddy (pfn ^ 1 << order) up to maxOrder', (t) => {
  const k = bootExample({ blockPages: 8, maxOrder: 2 });
  const before = k.s.slice();
  const a = rmqueueSmallest(k, Z, 0);
  const b = rmqueueSmallest(k, Z, 0);
  prepNewPage(k, a, 0);
  prepNewPage(k, b, 0);
  freeOnePage(k, b, 0);
  t.is(nrFree(k, 2), 1); // still split: a is allocated
  freeOnePage(k, a, 0);
  t.deepEqual(k.s, before);
});

test('isolated pageblocks: free pages leave NR_FREE_PAGES and cannot be allocated; undo restores', (t) => {
  const k = bootExample({ blockPages: 8, maxOrder: 2 });
  const blk = k.g.pfnBlock[zoneSpan(k.g).start[Z]!]!;
  const before = k.s.slice();
  isolateBlock(k, blk);
  t.is(k.get(k.L.ZONE_FREE, Z), 0);
  t.is(rmqueueSmallest(k, Z, 0), -1);
  unisolateBlock(k, blk);
  t.deepEqual(k.s, before);
});

test('property: random alloc/free sequences keep free pages + allocated pages = managed, counters agree, and freeing all restores boot', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.nat(20)), { maxLength: 60 }), (ops) => {
      const k = bootExample({ d1Normal: 2, blockPages: 8, maxOrder: 2 });
      const boot = k.s.slice();
      const live: { pfn: number; order: number }[] = [];
      for (const [alloc, order, pick] of ops) {
        if (alloc || live.length === 0) {
          const pfn = rmqueueSmallest(k, Z, order);
          if (pfn >= 0) {
            prepNewPage(k, pfn, order);
            live.push({ pfn, order });
          }
        } else {
          const [f] = live.splice(pick % live.length, 1);
          freeOnePage(k, f!.pfn, f!.order);
        }
        const used = live.reduce((s, f) => s + (1 << f.order), 0);
        if (countFreePages(k, Z) + used !== 16) return false;
        if (k.get(k.L.ZONE_FREE, Z) !== countFreePages(k, Z)) return false;
        let heads = 0;
        for (let o = 0; o <= 2; o++) heads += nrFree(k, o);
        let marked = 0;
        for (let p = zoneSpan(k.g).start[Z]!; p < zoneSpan(k.g).end[Z]!; p++) if (k.get(k.L.PG_BUDDY, p)) marked++;
        if (heads !== marked) return false;
      }
      for (const f of live) freeOnePage(k, f.pfn, f.order);
      return k.s.every((v, i) => v === boot[i]);
    }),
    { seed: 42, numRuns: 300 },
  );
  t.pass();
});
