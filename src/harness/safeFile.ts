/**
 * File-system access with user-facing errors: bounded reads of input files, writes that are
 * atomic (temp file + rename), an output folder checked before any work, and every
 * file-system error turned into one line that names the path.
 *
 * Why hand-written: Node's `fs` already gives the pieces; what no package gives is the
 * project's policy (regular files only, a size cap, one-line {@link FileSystemError}s).
 *
 * @module
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

/** Default cap on an input file (landscapes, checkpoints): 256 MiB. */
export const DEFAULT_MAX_READ_BYTES = 256 * 1024 * 1024;

/**
 * A file-system operation failed on a path the user gave (or one derived from it): the
 * CLI prints the message as one line and exits with code 2.
 */
export class FileSystemError extends UsageError {
  constructor(
    readonly path: string,
    message: string,
    readonly code?: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many symbolic links",
  EIO: "input/output error",
  EFBIG: "file too large",
};

/** A Node file-system error (anything with a string `code` such as `"ENOSPC"`). */
export function isFsError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);
}

/** A Node file-system error as a one-line {@link FileSystemError} (its own path when it has one). */
export function fsErrorLine(e: NodeJS.ErrnoException & { code: string }, path?: string): FileSystemError {
  const p = path ?? e.path ?? "(file)";
  const what = `${e.syscall !== undefined ? `cannot ${e.syscall}: ` : ""}${REASONS[e.code] ?? e.message.replace(/^[A-Z]+: /, "").split(",")[0]} (${e.code})`;
  return new FileSystemError(p, what, e.code);
}

/** Runs `f`, turning a Node file-system error into a {@link FileSystemError} about `path`. */
export function withFsErrors<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FileSystemError) throw e;
    if (isFsError(e)) throw fsErrorLine(e, path);
    throw e;
  }
}

function kind(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a pipe (FIFO)";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Reads a regular file of at most `maxBytes` bytes as UTF-8. A folder, pipe, device or socket
 * (also behind a symbolic link), a larger file or an unreadable one → {@link FileSystemError}
 * with one line; `what` names the file's role (e.g. `"--landscape"`). Never reads more than
 * `maxBytes + 1` bytes, even from a file that grows while it is read.
 */
export function readRegularFile(path: string, what: string, maxBytes = DEFAULT_MAX_READ_BYTES): string {
  return withFsErrors(path, () => {
    const st = statSync(path);
    if (!st.isFile()) throw new FileSystemError(path, `${what} must be a regular file, but this is ${kind(st)}`);
    if (st.size > maxBytes) throw new FileSystemError(path, `${what} is ${st.size} bytes, above the limit of ${maxBytes} bytes`);
    const fd = openSync(path, "r");
    try {
      // Checked again on the open file: the path may have been swapped since the stat.
      if (!fstatSync(fd).isFile()) throw new FileSystemError(path, `${what} must be a regular file`);
      const buf = Buffer.alloc(Math.min(maxBytes + 1, st.size + 1));
      let n = 0;
      for (;;) {
        const r = readSync(fd, buf, n, buf.length - n, null);
        if (r === 0) break;
        n += r;
        if (n === buf.length) break;
      }
      if (n > maxBytes) throw new FileSystemError(path, `${what} is larger than the limit of ${maxBytes} bytes`);
      return buf.subarray(0, n).toString("utf8");
    } finally {
      closeSync(fd);
    }
  });
}

/** Writes a file atomically (temp file in the same folder + rename), with one-line errors. */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  withFsErrors(path, () => {
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  });
}

/** `statSync(path)`, or `undefined` when nothing is there. */
function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if (isFsError(e) && e.code === "ENOENT") return undefined;
    throw e;
  }
}

/** Writes and removes an empty file in `dir` (a read-only folder or file system fails here, before any work). */
function probeWrite(dir: string): void {
  const probe = join(dir, `.sgd-diagrams-probe-${process.pid}`);
  writeFileSync(probe, "");
  rmSync(probe, { force: true });
}

/**
 * Makes sure `dir` is (or can be made) a folder this process can write to — before any work,
 * so a bad `--out` fails at once and not after minutes of computing. Writes and removes a
 * probe file. Throws a one-line {@link FileSystemError}.
 */
export function ensureWritableFolder(dir: string, what = "--out"): void {
  withFsErrors(dir, () => {
    const st = statIfExists(dir);
    if (st !== undefined && !st.isDirectory()) throw new FileSystemError(dir, `${what} must be a folder, but this is ${st.isFile() ? "a file" : kind(st)}`);
    makeFolders(dir);
    probeWrite(dir);
  });
}

/**
 * `mkdir -p`, one level at a time from the nearest existing ancestor. Hand-written because
 * Node 20's `mkdirSync(…, { recursive: true })` never returns below some read-only pseudo
 * file systems (e.g. `/proc/self/x`: it retries the parent forever); a plain mkdir fails there
 * with an error that becomes one line.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  while (statIfExists(p) === undefined) {
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

/**
 * Checks that a file can be written at `path` (its folder exists and is writable, the path is
 * not a folder, pipe or device), without creating it. Throws a one-line {@link FileSystemError}.
 */
export function ensureWritableFile(path: string, what: string): void {
  withFsErrors(path, () => {
    const st = statIfExists(path);
    if (st !== undefined && !st.isFile()) throw new FileSystemError(path, `${what} must be a regular file, but this is ${kind(st)}`);
    const dir = dirname(path);
    const dst = statSync(dir);
    if (!dst.isDirectory()) throw new FileSystemError(path, `${what}: ${dir} is not a folder`);
    probeWrite(dir);
  });
}
