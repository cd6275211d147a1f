/**
 * Adversarial suite, cause 2 (work and memory before any budget check), through the CLI:
 * flags that ask for hours of work or more memory than the process has are refused before
 * any work (no data loaded, no weight built), with one line that gives the estimate, the
 * limit and the flag that raises it, and exit code 2.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  let out = "";
  let err = "";
  const t0 = performance.now();
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false });
  return { code, out, err, ms: performance.now() - t0 };
}

/** Exit 2 within `ms`, one line on stderr (no stack trace) matching every pattern, nothing on stdout. */
async function expectRefused(args: string[], patterns: RegExp[], ms = 3000): Promise<void> {
  const { code, out, err, ms: took } = await run(args);
  expect(err.trimEnd().split("\n"), err).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
  expect(code, err).toBe(2);
  expect(out).toBe("");
  for (const p of patterns) expect(err).toMatch(p);
  expect(took, "refused before any work").toBeLessThan(ms);
}

const out = () => mkdtempSync(join(tmpdir(), "adv-budget-"));

describe("cause 2: diagrams estimates its work from the flags before enumerating or building weights", () => {
  test("--momentum 0.9 --N 4000 --order 3 (exact momentum weights, ~N³) → refused at once with the estimate and --max-work", async () => {
    await expectRefused(["diagrams", "--momentum", "0.9", "--N", "4000", "--order", "3"], [/about \d\.\de\+\d+ exact operations/, /--max-work/]);
  }, 20_000);
  test("--epochs 2 --N 20 --order 7 (minutes of pattern sums) → refused with the estimate and --max-work", async () => {
    await expectRefused(["diagrams", "--epochs", "2", "--N", "20", "--order", "7"], [/about \d\.\de\+\d+ exact operations/, /limit --max-work 1\.0e\+9/]);
  }, 20_000);
  test("--max-work raised: the same momentum table at a small N runs and agrees with the default", async () => {
    const a = await run(["diagrams", "--momentum", "1/2", "--N", "6", "--order", "2", "--json"]);
    const b = await run(["diagrams", "--momentum", "1/2", "--N", "6", "--order", "2", "--json", "--max-work", "1e12"]);
    expect(a.code, a.err).toBe(0);
    expect(b.out).toBe(a.out);
  }, 20_000);
  test("--max-work that is not a positive number → one line", async () => {
    await expectRefused(["diagrams", "--N", "4", "--order", "2", "--max-work", "lots"], [/--max-work must be a positive number/]);
  });
});

describe("cause 2: predict/simulate/compare estimate memory and time from the flags before loading data", () => {
  test("compare --N 100000 (hours of training) → refused with the estimated time and --max-hours", async () => {
    await expectRefused(["compare", "--N", "100000", "--workers", "2", "--out", out()], [/train for about \d/, /--max-hours/]);
  });
  test("compare --N 10000 (over an hour on 2 workers) → refused; --runs 4 fits", async () => {
    await expectRefused(["compare", "--N", "10000", "--workers", "2", "--out", out()], [/train for about \d/, /--max-hours 1\b/]);
  });
  test("compare --N 1000000000 (heap exhausted before any run) → refused with the estimated memory and --max-memory", async () => {
    await expectRefused(["compare", "--N", "1000000000", "--out", out()], [/about \d[\d.e+]* GB of memory/, /--max-memory/]);
  });
  test("simulate --optimizer gdc --N 100000 (an N×N kernel matrix) → refused with the estimated memory", async () => {
    await expectRefused(["simulate", "--optimizer", "gdc", "--N", "100000", "--runs", "2", "--out", out()], [/GB of memory/, /--max-memory/]);
  });
  test("compare --momentum 0.9 --N 4000 (exact momentum coefficients) → refused before predicting", async () => {
    await expectRefused(["compare", "--momentum", "0.9", "--N", "4000", "--out", out()], [/exact coefficients up to --order 3/, /operations/]);
  });
  test("simulate --runs 10000000 with time allowed (--max-hours 100): the finished runs' results (~1 KB each) → refused with ~14 GB and --runs", async () => {
    await expectRefused(["simulate", "--runs", "10000000", "--max-hours", "100", "--out", out()], [/about 1\d GB of memory/, /lower --N, --runs or --workers/]);
  });
  test("the same runs with the memory allowed pass the budget (refused only by time)", async () => {
    await expectRefused(["simulate", "--runs", "10000000", "--max-memory", "64", "--out", out()], [/would train for about/]);
  });
  test("predict with a --max-memory below what it needs → refused (the flag is read, and the limit named)", async () => {
    await expectRefused(["predict", "--max-memory", "0.01"], [/above the limit --max-memory 0\.010 GB/]);
  });
});
