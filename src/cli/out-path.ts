// Output targets (--out, --trace-dir, mbt's --dir), checked before any work
// starts and written atomically after it, so a 40-minute verdict is never
// thrown away by a bad path and a failed write never leaves half a file.
//
// Rules: `-` is standard output; an existing target must be a regular file
// the user may write (never a symlink, device, FIFO or directory: writing
// through `--out /dev/stdout` as root replaced the device node); a read-only
// file stays read-only (refused, since root could otherwise replace it); the
// parent directory must exist and accept a new file (tested by creating and
// removing a probe file). A replaced file keeps its permission bits.

import { accessSync, chmodSync, constants, lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args.ts';

export type OutTarget = { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly path: string; readonly mode: number | null };

/** The nearest existing ancestor of dir (dir itself if it exists). */
function existingAncestor(dir: string): string {
  let d = dir;
  for (;;) {
    try {
      lstatSync(d);
      return d;
    } catch {
      const up = dirname(d);
      if (up === d) return d;
      d = up;
    }
  }
}

function errCode(e: unknown): string {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : 'error';
}

/** Check that the directory exists and a file can be created in it. */
function checkDirWritable(flagName: string, dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new UsageError(`${flagName}: directory '${dir}' does not exist (${errCode(e)})`);
  }
  if (!st.isDirectory()) throw new UsageError(`${flagName}: '${dir}' is not a directory`);
  const probe = join(dir, `.cramcheck-probe-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(`${flagName}: cannot create files in '${dir}' (${errCode(e)})`);
  }
}

/** Validate an output file target before the work starts. Throws UsageError. */
export function checkOutFile(flagName: string, path: string): OutTarget {
  if (path === '-') return { kind: 'stdout' };
  if (path === '') throw new UsageError(`${flagName}: empty file name`);
  if (path.endsWith('/')) throw new UsageError(`${flagName}: '${path}' names a directory, expected a file`);
  let mode: number | null = null;
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw new UsageError(`${flagName}: cannot inspect '${path}' (${errCode(e)})`);
  }
  if (st) {
    if (st.isSymbolicLink()) throw new UsageError(`${flagName}: '${path}' is a symbolic link; refusing to replace it (name the target file)`);
    if (st.isDirectory()) throw new UsageError(`${flagName}: '${path}' is a directory, expected a file`);
    if (!st.isFile()) throw new UsageError(`${flagName}: '${path}' is not a regular file (a device, FIFO or socket); use '-' for standard output`);
    // Root passes access(W_OK) on any file: the permission bits decide.
    if ((st.mode & 0o222) === 0) throw new UsageError(`${flagName}: '${path}' is read-only; refusing to replace it`);
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw new UsageError(`${flagName}: '${path}' is not writable (${errCode(e)})`);
    }
    mode = st.mode & 0o7777;
  }
  // Missing parent directories are created when the file is written (after
  // the run); now only the nearest existing one must accept them.
  checkDirWritable(flagName, existingAncestor(dirname(resolve(path))));
  return { kind: 'file', path, mode };
}

/** Validate (creating it if needed) an output directory. Throws UsageError. */
export function checkOutDir(flagName: string, dir: string): string {
  if (dir === '') throw new UsageError(`${flagName}: empty directory name`);
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw new UsageError(`${flagName}: cannot inspect '${dir}' (${errCode(e)})`);
  }
  if (st && !st.isDirectory()) throw new UsageError(`${flagName}: '${dir}' exists and is not a directory`);
  if (!st) {
    // Only the last component may be missing (or a chain under an existing, writable parent).
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new UsageError(`${flagName}: cannot create directory '${dir}' (${errCode(e)})`);
    }
  }
  checkDirWritable(flagName, dir);
  return dir;
}

/** Write text to a checked target: stdout, or atomically (temp file + rename) keeping the old mode. */
export function writeOut(t: OutTarget, text: string, stdout: (s: string) => void): void {
  if (t.kind === 'stdout') {
    stdout(text);
    return;
  }
  const dir = dirname(resolve(t.path));
  const tmp = join(dir, `.${basename(t.path)}.tmp-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, text, { flag: 'wx' });
    if (t.mode !== null) chmodSync(tmp, t.mode);
    renameSync(tmp, t.path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write '${t.path}' (${errCode(e)})`);
  }
}
