// The property set and the mutant catalogue agree (properties/index.ts, src/kernel/mutants/index.ts).
import test from 'ava';
import { kernelProperties, PROPERTY_ORDER } from '../../properties/index.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { MUTANTS, mutantByName } from '../../src/kernel/mutants/index.ts';
import { REACH_IDS } from '../../properties/reach.ts';
import { fixtureConfig } from './fixture.ts';
import { kernelLiveness } from '../../properties/liveness.ts';
import { configByName } from '../../src/kernel/configs.ts';

/** A liveness mutant's catcher: DEADLOCK, or a temporal property its config has. */
function livenessCatcherExists(catches: string, config: string | undefined): boolean {
  if (catches === 'DEADLOCK') return true;
  if (!catches.startsWith('LIVE-')) return false;
  return kernelLiveness(buildMachine(configByName(config ?? 'canonical'))).some((t) => t.id === catches);
}

test('kernelProperties: every SEMANTICS 9 safety invariant (1-20) plus INV-DATA, INV-FOLIO-GET-ZERO, INV-DEVICE-CAPACITY, INV-NP-LIFETIME the six of issue 10 (classes 1-4) , INV-GUP-PIN-EXCL, INV-CPUSET-HIER, INV-COMPOUND, INV-SPLIT-CB the three INV-MEMCG, INV-MPOL-NONEMPTY, INV-CRAM-INBOUND, INV-PIN-STAYS-EXCL, INV-HWPOISON-UNMAPPED (issue 12 items 8, 10, 9, 12), INV-OOM-CPUSET-SKIP (item 10: sibling cpusets), in order, each with a source', (t) => {
  const props = kernelProperties(buildMachine(fixtureConfig));
  t.deepEqual(props.map((p) => p.id), [...PROPERTY_ORDER]);
  t.is(props.length, 47); // + INV-NP-OPS-OWNER (item 11), INV-MPOL-NONEMPTY and INV-CRAM-INBOUND (item 10), INV-PIN-STAYS-EXCL and INV-HWPOISON-UNMAPPED (items 9, 12), INV-MPOL-ALLOC (item 10: the home node), INV-OOM-CPUSET-SKIP (item 10)
  for (const p of props) t.true(p.source.length > 10, p.id);
  t.false(props.some((p) => p.id === 'INV-PROGRESS'), 'liveness is out of scope');
});

test('mutant catalogue: unique names, and each names a property that exists', (t) => {
  const names = MUTANTS.map((m) => m.name);
  t.is(new Set(names).size, names.length);
  t.true(MUTANTS.length >= 25);
  const ids = new Set<string>([...PROPERTY_ORDER, ...REACH_IDS]);
  // An invariant, a reachability entry (vacuity mutants), a protocol machine for the conformance-only mutants, or a liveness property (or DEADLOCK).
  for (const m of MUTANTS) {
    t.true(ids.has(m.catches) || /^CONFORMANCE-(hotplug|folio|backpressure)$/.test(m.catches) || livenessCatcherExists(m.catches, m.config), `${m.name} catches unknown ${m.catches}`);
  }
  t.is(mutantByName(names[0]!)?.name, names[0]);
  t.is(mutantByName('no-such-mutant'), undefined);
});
