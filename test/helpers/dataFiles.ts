/**
 * Writers of data files for the tests of `src/data/`, written independently of the readers
 * (from the formats' specifications), plus a numpy route when python3 and numpy are here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "vitest";

/** A fresh temporary folder. */
export function tempDir(prefix = "data-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Bytes of a version-1.0 `.npy` file: magic, header dict padded to 64 bytes, little-endian data. */
export function npyBytes(descr: string, shape: readonly number[], data: ArrayBufferView, fortran = false): Uint8Array {
  const shapeText = `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const total = 10 + dict.length + 1;
  dict += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + dict.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = dict.length & 0xff;
  out[9] = dict.length >> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + dict.length);
  return out;
}

/** IDX element types: code and big-endian writer. */
const IDX_TYPES = {
  uint8: [0x08, 1, (v: DataView, at: number, x: number) => v.setUint8(at, x)],
  int32: [0x0c, 4, (v: DataView, at: number, x: number) => v.setInt32(at, x, false)],
  float64: [0x0e, 8, (v: DataView, at: number, x: number) => v.setFloat64(at, x, false)],
} as const;

/** Bytes of an IDX file: `00 00 type dims`, big-endian uint32 dimensions, big-endian data. */
export function idxBytes(type: keyof typeof IDX_TYPES, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const [code, size, write] = IDX_TYPES[type];
  const head = 4 + 4 * shape.length;
  const out = new Uint8Array(head + values.length * size);
  const view = new DataView(out.buffer);
  out.set([0, 0, code, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) write(view, head + i * size, values[i]);
  return out;
}

/** Writes bytes (gzipped when the name ends in .gz) and returns the path. */
export function writeBytes(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, name.endsWith(".gz") ? gzipSync(bytes) : bytes);
  return path;
}

/** Whether `python3` with numpy runs here (the independent .npy writer). */
export const HAVE_NUMPY = spawnSync("python3", ["-c", "import numpy"], { stdio: "ignore" }).status === 0;

/** Runs a python3 script (numpy imported as np) in `cwd`; throws with its stderr on failure. */
export function python(cwd: string, script: string): string {
  const r = spawnSync("python3", ["-c", `import numpy as np\n${script}`], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Expects `promise` to reject with a one-line UsageError whose message starts with `file` and
 * contains every one of `parts`; returns the message.
 */
export async function expectDataError(promise: Promise<unknown>, file: string, ...parts: string[]): Promise<string> {
  const e = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected an error about ${file}`).toBeInstanceOf(Error);
  const err = e as Error;
  expect(err.name).toBe("UsageError");
  expect(err.message).not.toContain("\n");
  expect(err.message.startsWith(`${file}: `), err.message).toBe(true);
  for (const p of parts) expect(err.message).toContain(p);
  return err.message;
}
