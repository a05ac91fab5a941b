// The ProgramOps that reach mutant sites (src/kernel/workload.ts): a NUMA hint,
// the node_private / CRAM API called by a second user, alloc_pages_node. Each
// checked on the faithful v4 model (SEMANTICS 1.4, 4.4, 2.1, 6.5) on the
// scenario machine (D0 = N0, D1 = N1, P = N2).
import test from 'ava';
import { N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { PTE_PROTNONE, PTE_WRITE } from '../../src/kernel/layout.ts';
import { D0, P, ptePfn, runCpu, scenario, slotOf } from '../helpers/scenario.ts';

test('node_private_register on the N_MEMORY node D0 is refused (-EBUSY): pgdat->private stays 0', (t) => {
  const k = scenario({ programs: [[{ op: 'node_private_register', node: D0, np: 0 }], []] });
  runCpu(k, 0);
  t.is(k.get(k.L.NODE_PRIVATE, D0), 0);
  t.is(k.get(k.L.NODE_NP, D0), 0);
});

test('the register-ignores-n-memory mutant makes D0 private while N_MEMORY', (t) => {
  const k = scenario({ programs: [[{ op: 'node_private_register', node: D0, np: 0 }], []], mutant: 'register-ignores-n-memory' });
  runCpu(k, 0);
  t.is(k.get(k.L.NODE_PRIVATE, D0), 1);
});

test('node_private_unregister of an online private node is refused (-EBUSY); cram_register on it while online succeeds only once per owner', (t) => {
  const k = scenario({ pOps: 'cram', programs: [[{ op: 'node_private_unregister', node: P }, { op: 'cram_register_private_node', node: P }], []] });
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  const np = k.get(k.L.NODE_NP, P);
  runCpu(k, 0);
  t.is(k.get(k.L.NODE_NP, P), np, 'np still registered');
  t.is(k.get(k.L.NODE_PRIVATE, P), 1);
  t.is(k.get(k.L.CN_OWNER, P), 1, 'cram_node still the first owner (the second register got -EBUSY)');
});

test('cram_register_private_node on a node that is not N_MEMORY_PRIVATE is refused (-EINVAL)', (t) => {
  const k = scenario({ programs: [[{ op: 'node_private_register', node: P, np: 0 }, { op: 'cram_register_private_node', node: P }], []] });
  runCpu(k, 0);
  t.is(k.get(k.L.NODE_NP, P), 1, 'np registered on the offline P');
  t.is(k.get(k.L.CN_STATE, P), 0, 'no cram_node published');
});

test('alloc_pages_node(P) without __GFP_PRIVATE gets a D0 page (numa_zone_alloc_allowed rule 1); the mutant gets a P page', (t) => {
  const usedOn = (mutant: string | null, node: number): number => {
    const k = scenario({ pOps: 'cram', programs: [[{ op: 'alloc_pages_node', node: P }], []], ...(mutant ? { mutant } : {}) });
    let before = 0;
    for (let pfn = 0; pfn < k.g.pfns; pfn++) if (k.g.pfnNode[pfn] === node && k.get(k.L.PG_REF, pfn) > 0) before++;
    runCpu(k, 0);
    let after = 0;
    for (let pfn = 0; pfn < k.g.pfns; pfn++) if (k.g.pfnNode[pfn] === node && k.get(k.L.PG_REF, pfn) > 0) after++;
    return after - before;
  };
  t.is(usedOn(null, P), 0);
  t.is(usedOn(null, D0), 1);
  t.is(usedOn('numa-zone-allowed-ignores-private', P), 1);
});

test('numa_hint turns a present PTE into a PROTNONE hinting PTE without the write bit', (t) => {
  const k = scenario({
    programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 1 }, { op: 'numa_hint', vaddr: 0 }], []],
  });
  runCpu(k, 0);
  const s = slotOf(k, 0, 0);
  t.true(k.has(k.L.PTE_FLAGS, s, PTE_PROTNONE));
  t.false(k.has(k.L.PTE_FLAGS, s, PTE_WRITE));
  t.is(k.g.pfnNode[ptePfn(k, 0, 0)], D0);
});
