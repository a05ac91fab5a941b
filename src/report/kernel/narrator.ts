// The kernel model's Narrator (src/trace/mail/narrate.ts): its scenario, its
// call log cleaned for a mail, its state as kernel facts, and which facts
// matter to which invariant. Chosen by the CLI for kernel systems; the
// engines never see it.

import { kernelOf } from '../../../models/abstraction.ts';
import type { System } from '../../explore/system.ts';
import type { Machine } from '../../kernel/kernel.ts';
import { OP_NAMES } from '../../kernel/ops_codes.ts';
import { threadLabel } from '../../kernel/sched.ts';
import type { Narrator } from '../../trace/mail/narrate.ts';
import { actorTitle } from './actors.ts';
import { cleanCall } from './calls.ts';
import { kernelFacts } from './facts.ts';
import { kernelScenario } from './scenario.ts';

const ALL_TOPICS = ['node', 'daemon', 'zone', 'block', 'np', 'cram', 'device', 'flush', 'folio', 'vma', 'pte', 'swap', 'pagecache', 'locks'] as const;

/** The fact topics that show why each invariant breaks; unlisted properties (and conformance) see every topic. */
const PROPERTY_TOPICS: Readonly<Record<string, readonly (typeof ALL_TOPICS)[number][]>> = {
  'INV-STATE-EXCL': ['node', 'block', 'np'],
  'INV-PRIVATE-REG': ['node', 'block', 'np', 'cram'],
  'INV-PRIVATE-STAYS-PRIVATE': ['node', 'block', 'np', 'cram'],
  'INV-ISOLATION-ALLOC': ['node', 'zone', 'folio', 'np'],
  'INV-ZONELIST': ['node', 'zone', 'block'],
  'INV-MPOL': ['node', 'vma', 'folio'],
  'INV-RO': ['np', 'folio', 'pte'],
  'INV-WRITE-PATH': ['np', 'folio', 'vma', 'pte', 'pagecache'],
  'INV-NO-OVERCOMMIT': ['zone', 'cram', 'np', 'device', 'folio'],
  'INV-BACKPRESSURE-COHERENT': ['zone', 'np', 'cram', 'device'],
  'INV-SCRUB': ['zone', 'folio'],
  'INV-FLUSH-BIT': ['flush', 'folio'],
  'INV-NO-OPS-AFTER-UNREGISTER': ['np', 'cram', 'folio'],
  'INV-NO-CRAM-AFTER-FREE': ['np', 'cram', 'folio'],
  'INV-REFCOUNT-BALANCE': ['np', 'cram', 'locks'],
  'INV-LIFECYCLE-ORDER': ['node', 'block', 'np', 'cram'],
  'INV-DAEMONS': ['node', 'daemon', 'block'],
  'INV-DEMOTION-TARGETS': ['node', 'np'],
  'INV-MIGRATE-GATE': ['np', 'cram', 'folio'],
  'INV-FAULT-LOCK': ['locks', 'pte', 'folio'],
  'INV-DATA': ['folio', 'pte', 'swap', 'pagecache'],
  'INV-FOLIO-GET-ZERO': ['flush', 'folio'],
  'INV-DEVICE-CAPACITY': ['np', 'cram', 'device', 'folio'],
};

export function propertyTopics(property: string): ReadonlySet<string> | undefined {
  const t = PROPERTY_TOPICS[property];
  return t ? new Set(t) : undefined;
}

export function kernelNarrator(sys: System, m: Machine): Narrator {
  return {
    scenario: () => kernelScenario(m.cfg),
    actorTitle,
    calls(state, a) {
      const info = sys.describe(a);
      const raw = sys.explain(state, a).map((l) => (l.startsWith(`${info.actor}: `) ? l.slice(info.actor.length + 2) : l));
      const lines = raw.filter((l) => l !== info.name).map((l) => cleanCall(l, m.cfg.vaddrs));
      if (lines.length > 0) return lines;
      // A step the model logs nothing for: say which kernel operation the thread is inside.
      const k = kernelOf(m, state);
      const tid = threadOf(m, info.actor);
      const op = tid === null ? 0 : k.get(k.L.THR_OP, tid);
      return [op === 0 ? '(no call)' : `${OP_NAMES[op] ?? 'operation'} continues`];
    },
    facts: (state) => kernelFacts(m, state),
    topics: propertyTopics,
    // Ghost event names (EV_*) are how the model records history, not kernel terms.
    message: (text) => text.replace(/\s*\(EV_[A-Z_]+; /g, ' (').replace(/\s*\(EV_[A-Z_]+\)/g, '').replace(/\bEV_[A-Z_]+:?\s*/g, ''),
  };
}

/** The thread an actor names (the action table is static; every choice of a thread has its actor). */
function threadOf(m: Machine, actor: string): number | null {
  for (let t = 0; t < m.g.threads.length; t++) if (threadLabel(m, t, 0).actor === actor) return t;
  return null;
}
