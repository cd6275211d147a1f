/** CLI end-to-end: runs `main` in-process (same code as the binary) and checks stdout/stderr/exit codes. */
import { mkdtempSync, readFileSync } from "node:fs";
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

describe("diagrams --json contract", () => {
  test("vanilla SGD order 3: every order listed, node 0 root, exact coefficients", async () => {
    const { code, out, err } = await run(["diagrams", "--schedule", "sgd", "--N", "10", "--order", "3", "--loss", "test", "--json"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    const j = JSON.parse(out);
    expect(new Set(j.diagrams.map((d: { order: number }) => d.order))).toEqual(new Set([0, 1, 2, 3]));
    for (const d of j.diagrams) {
      expect(d.parents.length).toBe(d.order);
      expect(d.coefficient).toMatch(/^-?\d+(\/\d+)?$/);
      for (const t of d.ties) expect(t.length).toBeGreaterThan(1);
    }
    expect(new Set(j.diagrams.map((d: { key: string }) => d.key)).size).toBe(j.diagrams.length);
    expect(j.diagrams.find((d: { order: number }) => d.order === 1).coefficient).toBe("-10");
    expect(j.polynomialVariables).toEqual({ T: "steps = N" });
  });
  test("train loss can tie the root; decimal momentum is exact", async () => {
    const train = JSON.parse((await run(["diagrams", "--schedule", "sgd", "--N", "4", "--order", "1", "--loss", "train", "--json"])).out);
    expect(train.diagrams.some((d: { ties: number[][] }) => d.ties.some((t) => t.includes(0)))).toBe(true);
    const mom = JSON.parse((await run(["diagrams", "--schedule", "sgd", "--N", "2", "--order", "1", "--momentum", "0.9", "--json"])).out);
    // −(w(1) + w(2)) = −(1 + 1.9) = −29/10
    expect(mom.diagrams.find((d: { order: number }) => d.order === 1).coefficient).toBe("-29/10");
  });
  test("gd, epochs, shuffle, batch flags", async () => {
    for (const args of [
      ["--schedule", "gd", "--N", "4", "--T", "3"],
      ["--schedule", "sgd", "--N", "4", "--batch", "2", "--epochs", "3", "--shuffle"],
      ["--schedule", "custom", "--N", "3", "--batches", "0,1;2;1"],
    ]) {
      const r = await run(["diagrams", ...args, "--order", "2", "--loss", "train", "--json"]);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).diagrams.length).toBeGreaterThan(3);
    }
  });
  test("text table and SVG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sgd-diagrams-"));
    const svg = join(dir, "d.svg");
    const r = await run(["diagrams", "--schedule", "sgd", "--N", "5", "--order", "2", "--svg", svg]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/coefficient/);
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/^<svg/);
    expect(text).toMatch(/feGaussianBlur/); // fuzzy ties
  });
});

describe("bad input: one line on stderr, exit 2, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["non-integer order", ["--schedule", "sgd", "--N", "4", "--order", "2.5"], /--order must be a non-negative integer/],
    ["negative order", ["--schedule", "sgd", "--N", "4", "--order", "-1"], /--order must be a non-negative integer/],
    ["order too large", ["--schedule", "sgd", "--N", "4", "--order", "40"], /too large/],
    ["B not dividing N", ["--schedule", "sgd", "--N", "10", "--batch", "3", "--order", "2"], /--batch 3 must divide --N 10/],
    ["unknown schedule", ["--schedule", "adam", "--N", "4", "--order", "2"], /--schedule must be one of sgd, gd, custom/],
    ["β = 1", ["--schedule", "sgd", "--N", "4", "--momentum", "1", "--order", "2"], /--momentum must be in \[0, 1\)/],
    ["β < 0", ["--schedule", "sgd", "--N", "4", "--momentum", "-0.5", "--order", "2"], /--momentum must be in \[0, 1\)/],
    ["unknown flag", ["--schedule", "sgd", "--N", "4", "--order", "2", "--frobnicate"], /unknown flag --frobnicate/],
    ["missing N", ["--schedule", "sgd", "--order", "2"], /--N is required/],
    ["bad loss", ["--schedule", "sgd", "--N", "4", "--order", "2", "--loss", "val"], /--loss must be one of test, train/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => {
      const r = await run(["diagrams", ...args]);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split("\n").length).toBe(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
  test("unknown command", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
  });
});

describe("series and verify", () => {
  const file = join(mkdtempSync(join(tmpdir(), "sgd-diagrams-")), "l.json");
  const json = {
    kind: "polynomial",
    dim: 2,
    theta0: [0.5, -0.25],
    population: [
      [
        { coef: 1.5, powers: [2, 0] },
        { coef: -0.75, powers: [1, 1] },
      ],
      [{ coef: 2, powers: [0, 3] }],
    ],
  };
  test("series --json gives coefficients c_0..c_d", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, JSON.stringify(json));
    const r = await run(["series", "--landscape", file, "--schedule", "sgd", "--N", "3", "--order", "3", "--loss", "test", "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.coefficients.length).toBe(4);
    // c0 = mean loss at θ0 = ½(1.5·¼ + 0.75/8) + ½·2·(−1/64) = 7/32.
    expect(j.exactCoefficients[0]).toBe("7/32");
  });
  for (const sched of [
    ["--schedule", "sgd", "--N", "3"],
    ["--schedule", "sgd", "--N", "4", "--batch", "2", "--epochs", "2"],
    ["--schedule", "sgd", "--N", "3", "--epochs", "2", "--shuffle"],
    ["--schedule", "gd", "--N", "3", "--T", "3"],
    ["--schedule", "sgd", "--N", "3", "--momentum", "0.5"],
  ]) {
    test(`verify agrees: ${sched.join(" ")}`, async () => {
      for (const loss of ["test", "train"]) {
        const r = await run(["verify", "--landscape", file, ...sched, "--order", "3", "--loss", loss, "--json"]);
        expect(r.code, r.err + r.out).toBe(0);
        const j = JSON.parse(r.out);
        expect(j.agree).toBe(true);
        expect(j.maxRelativeDifference).toBeLessThanOrEqual(1e-10);
      }
    });
  }
  test("a bad landscape file: one line naming the field, exit 2", async () => {
    const { writeFileSync } = await import("node:fs");
    const bad = file.replace("l.json", "bad.json");
    writeFileSync(bad, JSON.stringify({ ...json, population: [[{ coef: 1, powers: [1] }]] }));
    const r = await run(["series", "--landscape", bad, "--schedule", "sgd", "--N", "3", "--order", "2"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/population\[0\]\[0\]\.powers/);
    expect(r.err.trim().split("\n").length).toBe(1);
  });
});

describe("predict / simulate / compare: bad input is one line, exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown model", ["predict", "--model", "resnet"], /--model must be one of logistic, lenet, mlp/],
    ["unknown data", ["simulate", "--data", "cifar"], /--data must be one of mnist, fashion/],
    ["η ≤ 0", ["compare", "--eta", "0.1,0"], /--eta must be a comma-separated list of positive numbers/],
    ["negative η", ["predict", "--eta", "-0.1"], /--eta must be a comma-separated list of positive numbers/],
    ["batch not dividing N", ["simulate", "--N", "10", "--batch", "3"], /--batch 3 must divide --N 10/],
    ["runs < 2", ["simulate", "--runs", "1"], /--runs must be an integer in \[2,/],
    ["bad loss", ["compare", "--loss", "val"], /--loss must be one of test, train, gap/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split("\n").length).toBe(1);
    });
  }
});

describe("simulate: checkpoints make an interrupted run resumable", () => {
  test("a second run with the same arguments resumes and gives the same numbers", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-sim-"));
    const args = ["simulate", "--runs", "6", "--eta", "0.05", "--test-size", "50", "--out", out, "--json"];
    const first = JSON.parse((await run(args)).out);
    const again = JSON.parse((await run(args)).out);
    expect(again.simulation.resumedFrom).toBe(6);
    expect(again.simulation.rows).toEqual(first.simulation.rows);
    const more = JSON.parse((await run(["simulate", "--runs", "8", "--eta", "0.05", "--test-size", "50", "--out", out, "--json"])).out);
    expect(more.simulation.resumedFrom).toBe(6);
    expect(more.simulation.runsDone).toBe(8);
  });
});
