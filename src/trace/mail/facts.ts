// Named facts about a state, and their difference between two states. A
// model turns its state into facts in its own terms ("folio pfn 2 (N1):
// refcount 1, flags lru|anon"); the mail trace prints, after each step, only
// the facts that changed. Generic: nothing here knows a kernel.

/** One field of a fact: a value, or a set of names (flags) diffed as +added -removed. */
export interface FactField {
  readonly name: string;
  readonly value: string | readonly string[];
  /** The field's unremarkable value ('0', an empty set): left out when the whole fact is printed. */
  readonly quiet?: string;
}

export interface Fact {
  /** What the fact is about, stable across states: 'folio pfn 2 (N1)', 'PTE mm0 v0'. */
  readonly key: string;
  /** Which kind of object it describes; properties select the topics that matter to them. */
  readonly topic: string;
  readonly fields: readonly FactField[];
  /** How to say the object is gone in a later state ('freed', 'none'). */
  readonly gone: string;
}

function valueText(v: string | readonly string[]): string {
  return typeof v === 'string' ? v : v.length === 0 ? '-' : v.join('|');
}

function fieldText(f: FactField): string {
  const v = valueText(f.value);
  return f.name === '' ? v : `${f.name} ${v}`;
}

/** The whole fact in one line: `folio pfn 2 (N1): refcount 1, flags lru|anon`. */
export function factText(f: Fact): string {
  const shown = f.fields.filter((x) => x.quiet === undefined || valueText(x.value) !== x.quiet);
  return `${f.key}: ${shown.map(fieldText).join(', ')}`;
}

function fieldChange(before: FactField, after: FactField): string | null {
  if (typeof before.value !== 'string' && typeof after.value !== 'string') {
    const added = after.value.filter((x) => !before.value.includes(x)).map((x) => `+${x}`);
    const removed = before.value.filter((x) => !after.value.includes(x)).map((x) => `-${x}`);
    const d = [...added, ...removed];
    if (d.length === 0) return null;
    return f(after.name, d.join(' '));
  }
  const b = valueText(before.value);
  const a = valueText(after.value);
  if (a === b) return null;
  return f(after.name, `${b} -> ${a}`);
}

function f(name: string, text: string): string {
  return name === '' ? text : `${name} ${text}`;
}

/**
 * One line per fact that appeared, disappeared or changed between `before`
 * and `after`, in `after`'s order (disappeared ones after), each naming only
 * the changed fields. Topics outside `topics` (when given) are left out.
 */
export function diffFacts(before: readonly Fact[], after: readonly Fact[], topics?: ReadonlySet<string>): string[] {
  const keep = (x: Fact) => topics === undefined || topics.has(x.topic);
  const old = new Map(before.filter(keep).map((x) => [x.key, x]));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const a of after) {
    if (!keep(a)) continue;
    seen.add(a.key);
    const b = old.get(a.key);
    if (!b) {
      out.push(factText(a));
      continue;
    }
    const changes: string[] = [];
    const byName = new Map(b.fields.map((x) => [x.name, x]));
    for (const fa of a.fields) {
      const fb = byName.get(fa.name);
      if (!fb) changes.push(fieldText(fa));
      else {
        const c = fieldChange(fb, fa);
        if (c !== null) changes.push(c);
      }
    }
    for (const fb of b.fields) if (!a.fields.some((x) => x.name === fb.name)) changes.push(`${fb.name} gone`);
    if (changes.length > 0) out.push(`${a.key}: ${changes.join(', ')}`);
  }
  for (const b of old.values()) if (!seen.has(b.key)) out.push(`${b.key}: ${b.gone}`);
  return out;
}
