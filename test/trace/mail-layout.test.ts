// The generic pieces of the mail form: wrapping, stretches of at most two
// threads, fact diffs and call de-duplication.
import test from 'ava';
import { diffFacts, type Fact } from '../../src/trace/mail/facts.ts';
import { layoutMail, stretches, wrapLine, wrapParagraph } from '../../src/trace/mail/layout.ts';
import { dedupeCalls, type MailStep } from '../../src/trace/mail/narrate.ts';
import { cleanCall } from '../../src/report/kernel/calls.ts';

test('wrapLine: breaks at spaces, then after | or ,, continuation indented by two', (t) => {
  t.deepEqual(wrapLine('alpha beta gamma', 11), ['alpha beta', '  gamma']);
  t.deepEqual(wrapLine('  f(A|B|C|D)', 8), ['  f(A|B|', '    C|D)']);
  t.deepEqual(wrapLine('short', 10), ['short']);
  for (const l of wrapLine('x'.repeat(50), 20)) t.true(l.length <= 20);
  t.deepEqual(wrapParagraph('a b  c', 3), ['a b', 'c']);
});

const step = (n: number, actor: string): MailStep => ({ n, actor, calls: [`call${n}`], changes: [] });

test('stretches: greedy, at most two threads each', (t) => {
  const s = [step(1, 'a'), step(2, 'b'), step(3, 'a'), step(4, 'c'), step(5, 'b')];
  t.deepEqual(stretches(s).map((b) => b.map((x) => x.n)), [[1, 2, 3], [4, 5]]);
  t.deepEqual(stretches([]), []);
});

test('layoutMail: two threads in two columns; a call continuing the same function drops its name', (t) => {
  const steps: MailStep[] = [
    { n: 1, actor: 'x', calls: ['cram_fault: get_cram_node(N1)'], changes: ['cram_node N1: refcount 1 -> 2'] },
    { n: 2, actor: 'y', calls: ['kswapd'], changes: [] },
    { n: 3, actor: 'x', calls: ['cram_fault: release PTL'], changes: [] },
  ];
  const lines = layoutMail(
    { property: 'P', source: 'src', scenario: ['Scenario.'], steps, message: 'broken', stoppedAt: null },
    { title: 'P fails', titleOf: (a) => a.toUpperCase() },
  );
  t.true(lines.includes('    X                                  | Y'), lines.join('\n'));
  t.true(lines.includes('  1 cram_fault: get_cram_node(N1)      |'), lines.join('\n'));
  t.true(lines.includes('    * cram_node N1: refcount 1 -> 2    |'), lines.join('\n'));
  t.true(lines.includes('  2                                    | kswapd'), lines.join('\n'));
  t.true(lines.includes('  3   release PTL                      |'), lines.join('\n'));
  t.true(lines.includes('P fails after step 3:'));
});

const fact = (key: string, fields: Fact['fields'], topic = 'folio'): Fact => ({ key, topic, fields, gone: 'freed' });

test('diffFacts: new, changed (flags as +/-), gone, and topics filter', (t) => {
  const a = [fact('f1', [{ name: 'refcount', value: '1' }, { name: 'flags', value: ['lru', 'anon'] }]), fact('f2', [{ name: '', value: 'x' }])];
  const b = [
    fact('f1', [{ name: 'refcount', value: '2' }, { name: 'flags', value: ['anon', 'swapcache'] }]),
    fact('f3', [{ name: 'refcount', value: '1' }, { name: 'bit', value: '0', quiet: '0' }]),
    fact('z', [{ name: '', value: 'y' }], 'zone'),
  ];
  t.deepEqual(diffFacts(a, b, new Set(['folio'])), ['f1: refcount 1 -> 2, flags +swapcache -lru', 'f3: refcount 1', 'f2: freed']);
  t.deepEqual(diffFacts(a, a), []);
  t.deepEqual(diffFacts([], b).at(-1), 'z: y');
});

test('dedupeCalls: repeated lines, lines a later line extends, a bare call before its result', (t) => {
  t.deepEqual(dedupeCalls(['write(v0, 3)', 'write(v0, 3) -> pfn 0']), ['write(v0, 3) -> pfn 0']);
  t.deepEqual(dedupeCalls(['mmap(v0, anon, rw)', 'mmap(mm 0, v0, anon) = 0']), ['mmap(mm 0, v0, anon) = 0']);
  t.deepEqual(dedupeCalls(['write(v0, 3)', 'wakeup_kswapd(N0)', 'wakeup_kswapd(N0)']), ['write(v0, 3)', 'wakeup_kswapd(N0)']);
});

test('cleanCall: no actor prefix, no step tag, kernel names for nodes, zones, PTE slots, reasons and online types', (t) => {
  t.is(cleanCall('cram_fault F2: folio_isolate_lru(pfn 2) = true', 1), 'cram_fault: folio_isolate_lru(pfn 2) = true');
  t.is(cleanCall('kswapd(node 0): isolate pfn 0, can_demote -> node 1', 1), 'isolate_lru_folios: pfn 0; can_demote() -> N1');
  t.is(cleanCall('cram_set_pressure S4: zone 3 of N1: watermark_boost = 2', 1), 'cram_set_pressure: N1 ZONE_MOVABLE: watermark_boost = 2');
  t.is(cleanCall('handle_pte_fault(slot 3): x', 2), 'handle_pte_fault(mm 1, v1): x');
  t.is(cleanCall('migrate_pages([0], mode 0, reason 8) = 0', 1), 'migrate_pages([0], MIGRATE_ASYNC, MR_DEMOTION) = 0');
  t.is(cleanCall('node_private_clear_ops(1, ops#1) = 0', 1), 'node_private_clear_ops(N1, cram_ops) = 0');
});
