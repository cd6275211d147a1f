/**
 * Adversarial suite, cause 1 (unbounded reads) and cause 3 (file-system errors found late or
 * shown as stack traces), through the CLI: every case must end with exactly one line on
 * stderr and exit code 2, and write nothing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false });
  return { code, out, err };
}

/** Exit 2, one line on stderr (no stack trace) that names `path`. */
async function expectOneLine(args: string[], path: string, pattern?: RegExp): Promise<string> {
  const { code, err } = await run(args);
  expect(err.trimEnd().split("\n"), err).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
  expect(code, err).toBe(2);
  expect(err).toContain(path);
  if (pattern !== undefined) expect(err).toMatch(pattern);
  return err;
}

const tmp = () => mkdtempSync(join(tmpdir(), "adv-fs-"));

describe("cause 1: input files are regular files under a size cap", () => {
  const dir = tmp();
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  const link = join(dir, "zero.json");
  symlinkSync("/dev/zero", link);
  const big = join(dir, "big.json");
  writeFileSync(big, Buffer.alloc(17 * 1024 * 1024, 0x20));
  for (const [what, path, pattern] of [
    ["/dev/zero", "/dev/zero", /device/],
    ["a link to /dev/zero", link, /device/],
    ["a FIFO (never opened: it would block)", fifo, /pipe/],
    ["a folder", dir, /folder/],
    ["a file above the cap", big, /above the limit/],
  ] as const) {
    for (const cmd of ["series", "verify"]) {
      test(`${cmd} --landscape ${what} → one line, exit 2`, async () => {
        await expectOneLine([cmd, "--landscape", path, "--schedule", "sgd", "--N", "3", "--order", "2"], path, pattern);
      });
    }
  }
});

describe("cause 3: output locations are checked before any work; every file-system error is one line", () => {
  test("compare/simulate --out that is a file, /dev/null, or below a file → one line before any work", async () => {
    const dir = tmp();
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    for (const cmd of ["compare", "simulate"]) {
      for (const out of [file, "/dev/null", join(file, "sub")]) {
        const t0 = performance.now();
        await expectOneLine([cmd, "--out", out, "--runs", "2"], out);
        expect(performance.now() - t0, "refused before loading data or predicting").toBeLessThan(2000);
      }
    }
  });
  test("reproduce --out that is a file → one line", async () => {
    const file = join(tmp(), "a-file");
    writeFileSync(file, "x");
    await expectOneLine(["reproduce", "gauss-fit", "--quick", "--out", file], file, /must be a folder/);
  });
  test("a read-only location (a read-only file system, or a folder without write permission) → one line", async () => {
    // /proc/self is never writable, even for root.
    await expectOneLine(["simulate", "--out", "/proc/self/sgd-out", "--runs", "2"], "/proc/self/sgd-out");
  });
  test("diagrams --svg pointing to a folder, or into a missing folder → one line, nothing computed or written", async () => {
    const dir = tmp();
    await expectOneLine(["diagrams", "--schedule", "sgd", "--N", "4", "--order", "2", "--svg", dir], dir, /regular file/);
    await expectOneLine(["diagrams", "--schedule", "sgd", "--N", "4", "--order", "2", "--svg", join(dir, "missing", "d.svg")], join(dir, "missing", "d.svg"));
    expect(readdirSync(dir)).toEqual([]);
  });
  test("diagrams --svg is not written when the command fails, and is written when it succeeds", async () => {
    const dir = tmp();
    const svg = join(dir, "d.svg");
    const bad = await run(["diagrams", "--schedule", "sgd", "--N", "4", "--order", "2", "--loss", "train", "--group", "--svg", svg]);
    expect(bad.code).toBe(2);
    expect(existsSync(svg)).toBe(false);
    const ok = await run(["diagrams", "--schedule", "sgd", "--N", "4", "--order", "2", "--svg", svg]);
    expect(ok.code).toBe(0);
    expect(existsSync(svg)).toBe(true);
    expect(readdirSync(dir)).toEqual(["d.svg"]); // no temp or probe file left behind
  });
  test("an out folder below a folder that is not writable (non-root only) → one line", async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; /proc covers this case above
    const dir = tmp();
    const ro = join(dir, "ro");
    mkdirSync(ro, { mode: 0o555 });
    await expectOneLine(["simulate", "--out", join(ro, "out"), "--runs", "2"], join(ro, "out"), /permission denied/);
  });
});
