// JSON KernelConfig files: every real config round-trips through the zod
// schema unchanged; `extends` overrides a named base; a bad file is reported
// as one line naming the field (src/cli/config-file.ts).
import test from 'ava';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args.ts';
import { KernelConfigSchema, configConsistency, loadConfigFile, validateConfig } from '../../src/cli/config-file.ts';
import type { KernelConfig } from '../../src/kernel/config.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { exampleConfig } from '../helpers/machines.ts';

const base = exampleConfig();
const byName = (n: string): KernelConfig | undefined => (n === 'example' ? base : undefined);
const tmp = mkdtempSync(join(tmpdir(), 'cramcheck-cfg-'));

function errorOf(raw: unknown): string {
  try {
    validateConfig(raw, 'f.json', byName);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  return 'accepted';
}

test('a complete config (the SEMANTICS 3.3 test machine) validates unchanged', (t) => {
  const raw = JSON.parse(JSON.stringify(base)) as unknown;
  t.deepEqual(validateConfig(raw, 'f.json', byName), raw as KernelConfig);
});

test('extends: top-level fields replace the named base', (t) => {
  const c = validateConfig({ extends: 'example', name: 'mine', demoteBatch: 7 }, 'f.json', byName);
  t.is(c.name, 'mine');
  t.is(c.demoteBatch, 7);
  t.deepEqual(c.nodes, base.nodes);
  t.is(errorOf({ extends: 'nope' }), "f.json: extends: unknown config 'nope'");
});

test('schema errors name the field', (t) => {
  t.regex(errorOf({ ...base, nodes: [{ ...base.nodes[0]!, zones: [{ type: 'HIGHMEM', blocks: 1 }] }] }), /^f\.json: nodes\[0\]\.zones\[0\]\.type: /);
  t.regex(errorOf({ ...base, device: { ...base.device, cost: [1, 2] } }), /^f\.json: device\.cost/);
  t.regex(errorOf({ ...base, blockPages: 'many' }), /^f\.json: blockPages: /);
  t.regex(errorOf({ ...base, surprise: 1 }), /^f\.json: .*surprise/);
  t.regex(errorOf({ ...base, cpus: [{ node: 0, mm: 0, program: [{ op: 'teleport' }] }] }), /^f\.json: cpus\[0\]\.program\[0\]\.op: /);
});

test('cross-field errors: distances square, indices in range, blockPages a power of two', (t) => {
  t.regex(errorOf({ ...base, distance: base.distance.slice(1) }), /^f\.json: distance: expected 3 rows/);
  t.regex(errorOf({ ...base, blockPages: 12 }), /blockPages: expected a power of two/);
  t.regex(errorOf({ ...base, cpus: [{ node: 9, mm: 0, program: [] }] }), /cpus\[0\]\.node: no node 9/);
  t.regex(errorOf({ ...base, cpus: [{ node: 0, mm: 0, program: [{ op: 'read', vaddr: 999 }] }] }), /cpus\[0\]\.program\[0\]\.vaddr: no vaddr 999/);
});

test('loadConfigFile: unreadable and non-JSON files are one-line usage errors', (t) => {
  t.throws(() => loadConfigFile(join(tmp, 'missing.json'), byName), { instanceOf: UsageError, message: /cannot read config file \(ENOENT\)/ });
  const f = join(tmp, 'x.json');
  writeFileSync(f, '{');
  t.throws(() => loadConfigFile(f, byName), { instanceOf: UsageError, message: /not valid JSON/ });
  writeFileSync(f, JSON.stringify({ extends: 'example', numaDemotionEnabled: false }));
  t.false(loadConfigFile(f, byName).numaDemotionEnabled);
});

test('the allocation matrix ops (issue 10): the allocmatrix and opsrows configs round-trip, bad gfp names and nodes are one line', (t) => {
  for (const name of ['allocmatrix', 'opsrows']) {
    const cfg = configByName(name);
    const raw = JSON.parse(JSON.stringify(cfg)) as unknown;
    t.deepEqual(validateConfig(raw, 'f.json', byName), raw as KernelConfig, name);
  }
  const cpu = (op: unknown) => ({ ...base, cpus: [{ node: 0, mm: 0, program: [op] }] });
  t.is(errorOf(cpu({ op: 'alloc_pages', node: 0, gfp: ['GFP_KERNEL', '__GFP_PRIVATE'] })), 'accepted');
  t.regex(errorOf(cpu({ op: 'alloc_pages', node: 0, gfp: ['__GFP_BOGUS'] })), /^f\.json: cpus\[0\]\.program\[0\]\.gfp\[0\]: Invalid option/);
  t.regex(errorOf(cpu({ op: 'alloc_pages', node: 0, gfp: [] })), /gfp/);
  t.regex(errorOf(cpu({ op: 'alloc_pages', node: 9, gfp: ['GFP_KERNEL'] })), /program\[0\]\.node: no node 9/);
  t.regex(errorOf(cpu({ op: 'alloc_pages', node: 0, gfp: ['GFP_KERNEL'], nodemask: [7] })), /nodemask: node out of range/);
  t.is(errorOf(cpu({ op: 'node_private_clear_ops', node: 1, table: 'cram' })), 'accepted');
});

test('the issue-12 configs (long-term pins, the OOM killer, memory_failure) round-trip through the config-file schema', (t) => {
  for (const name of ['longpin', 'oom', 'hwpoison', 'longpincram']) {
    const cfg = configByName(name);
    t.deepEqual(KernelConfigSchema.parse(JSON.parse(JSON.stringify(cfg))), cfg, name);
  }
});

test('the large-folio configs (thpOrder, anon-thp mappings) round-trip through the config-file schema; a thpOrder above maxOrder is refused', (t) => {
  for (const name of ['thp', 'thpsplit']) {
    const cfg = configByName(name);
    t.deepEqual(KernelConfigSchema.parse(JSON.parse(JSON.stringify(cfg))), cfg, name);
    t.is(configConsistency(cfg), null);
  }
  t.regex(configConsistency({ ...configByName('thp'), thpOrder: 2 }) ?? '', /^thpOrder: must be <= maxOrder = 1/);
});

test('cpusetmove and cpusetv1 (cpuset_attach, cpusetChildren, cpusetV1, regionBlocks) round-trip through the schema; a move to a child that does not exist is one line', (t) => {
  for (const name of ['cpusetmove', 'cpusetv1']) {
    const raw = JSON.parse(JSON.stringify(configByName(name))) as unknown;
    t.deepEqual(validateConfig(raw, 'f.json', byName), raw as KernelConfig, name);
  }
  const c = JSON.parse(JSON.stringify(configByName('cpusetmove'))) as { cpus: { program: { op: string; cpuset?: number }[] }[] };
  c.cpus[1]!.program[0]!.cpuset = 2;
  t.is(errorOf(c), 'f.json: cpus[1].program[0].cpuset: no child cpuset 2 (2)');
});
