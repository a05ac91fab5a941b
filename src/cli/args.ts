// Argument parsing for every command: node:util parseArgs (strict), with its
// errors turned into the one-line messages the CLI promises on bad input
// (exit 2). UsageError is the only exception the CLI throws on purpose; main
// catches it and prints `cramcheck: <message>`.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

function optionName(message: string): string {
  const m = /'(-[^' ]+)/.exec(message);
  return m ? m[1]! : '?';
}

/** parseArgs with every failure mapped to a UsageError naming the offending flag. */
export function parseCommandArgs(argv: readonly string[], options: Options, maxPositionals: number): Parsed {
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const msg = e instanceof Error ? e.message : String(e);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${optionName(msg)}' (see 'cramcheck help')`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = optionName(msg);
      if (/argument missing/.test(msg)) throw new UsageError(`${name}: missing value`);
      throw new UsageError(`${name}: does not take a value`);
    }
    throw new UsageError(msg.split('\n')[0] ?? 'bad arguments');
  }
  if (r.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${r.positionals[maxPositionals]}'`);
  }
  const values: Record<string, string | boolean | readonly string[] | undefined> = {};
  for (const [k, v] of Object.entries(r.values)) {
    values[k] = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : v;
  }
  return { values, positionals: r.positionals };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable, comma-separable `--name a,b --name c` as [a, b, c]. */
export function list(p: Parsed, name: string): string[] {
  const v = p.values[name];
  const raw = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  const out: string[] = [];
  for (const r of raw) for (const x of r.split(',')) if (x.trim() !== '') out.push(x.trim());
  return out;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** `--name N` as a positive integer, or undefined if absent. */
export function positiveInt(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${name}: expected a positive integer, got '${v}'`);
  }
  return Number(v);
}

/** `--name a|b|c`, or the default. */
export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[], dflt: T): T {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const hit = allowed.find((a) => a === v);
  if (hit === undefined) throw new UsageError(`--${name}: expected one of ${allowed.join(', ')}, got '${v}'`);
  return hit;
}
