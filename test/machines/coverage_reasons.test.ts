// The reasons table (src/coverage/reasons.ts) for the folio machine's swap and
// deferred-free edges. `npx cramcheck coverage` itself takes ~75 s on the
// default configs (tiny, small, driver, flush), over the 60 s a test may take,
// so this checks the table: each edge that no configured workload can take
// has its reason, and the edges the default configs do cover (or that remain
// open gaps to be covered by a scenario) are NOT explained away.
import test from 'ava';
import { backpressureSpec } from '../../models/backpressure.machine.ts';
import { folioSpec } from '../../models/folio.machine.ts';
import { hotplugSpec } from '../../models/hotplug.machine.ts';
import { buildRelation, type MachineSpec } from '../../models/machine_graph.ts';
import { UNREACHABLE_REASONS, unreachableReason } from '../../src/coverage/reasons.ts';

const SPECS: readonly MachineSpec[] = [hotplugSpec, folioSpec, backpressureSpec];

function edge(spec: MachineSpec, label: string) {
  const e = buildRelation(spec).edges.find((x) => x.label === label);
  if (!e) throw new Error(`${spec.name}: no edge ${label}`);
  return e;
}

test('folio: swap-in readahead, CRAM swap-out/putback and the leaked scrubbed folio are explained, citing the model', (t) => {
  for (const [label, cite] of [
    ['free --swapin_readahead--> swapcache', /doSwapPage/],
    ['cram_isolated --add_to_swap--> swapcache', /shrinkFolio/],
    ['swapcache --folio_putback_lru--> cram', /__GFP_PRIVATE/],
    ['cram_scrubbed --folio_put--> free', /kswapdStep/],
    ['cram_deferred --cxl_flush_buf_send--> cram_scrubbed', /free-folio-after-lru-removal/],
    ['cram_isolated --folio_put--> free', /zap_pte_range_isolated/],
  ] as const) {
    const r = unreachableReason('folio', edge(folioSpec, label));
    t.truthy(r, label);
    t.regex(r ?? '', cite, label);
  }
});

test('folio: edges the default coverage configs reach, and the open DRAM swap edges, have no reason', (t) => {
  for (const label of [
    // covered (driver: cram_isolated putback; flush: the deferred free and the unsent reset)
    'cram_isolated --folio_putback_lru--> cram',
    'cram_deferred --cxl_flush_buf_reset--> cram_scrubbed',
    'cram_deferred --folio_put--> free',
    // covered by the swap scenarios (swapin, swapfull, swapasync, swapdram)
    'dram --add_to_swap--> swapcache',
    'cram --add_to_swap--> swapcache',
    'swapcache --swap_in_cram--> cram',
    'dram_isolated --add_to_swap--> swapcache',
    'swapcache --swap_in--> dram',
    'swapcache --do_swap_page--> dram_writable',
    'swapcache --folio_put--> free',
    'dram_isolated --folio_putback_lru_writable--> dram_writable',
  ]) {
    t.is(unreachableReason('folio', edge(folioSpec, label)), null, label);
  }
});

// Folio states are flat; hotplug and back-pressure reasons match the coverage
// report's per-component edges ('memory=offline'), not whole-state edges.
test('every folio reason explains at least one edge of the folio machine', (t) => {
  for (const r of UNREACHABLE_REASONS.filter((x) => x.machine === 'folio')) {
    const spec = SPECS.find((s) => s.name === r.machine);
    t.truthy(spec, r.machine);
    if (!spec) continue;
    t.true(buildRelation(spec).edges.some((e) => r.matches(e)), `${r.machine}: ${r.reason.slice(0, 60)}`);
  }
});
