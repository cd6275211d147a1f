/**
 * Adversarial suite, cause 6 (large numbers overflow silently; divergence means only NaN):
 * coefficients beyond the float64 range are said to be so (never Infinity's `null` or a false
 * 0), `verify` compares them exactly instead of reporting a NaN difference, T above 2^53 is
 * printed exactly, and runs whose loss is non-finite or absurd are counted per η (with the first
 * step) and never averaged in, in every table of measured means.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { SEED } from "../helpers/seed.js";
import { main } from "../../src/cli/main.js";
import { exactSeries, parsePolynomialLandscape, Rational, sgdSchedule } from "../../src/index.js";
import { type ModelSetup, simulateMainJob, type SimulationResult } from "../../src/mainJob/mainJob.js";
import { SMALL_MAIN_JOB, smallMainJob } from "../helpers/smallMainJob.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "adv-num-"));
let files = 0;

/** A one-weight landscape file `l_x(θ) = a_x θ²` (plus `b θ`) with θ0 = `theta0`. */
function landscapeFile(theta0: string, coefs: string[], linear?: string): string {
  const json = {
    kind: "polynomial",
    dim: 1,
    theta0: [theta0],
    population: coefs.map((a, i) => [{ coef: a, powers: [2] }, ...(linear !== undefined && i === 0 ? [{ coef: linear, powers: [1] }] : [])]),
  };
  const path = join(dir, `l${files++}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** The landscapes: values near 1e308, far above it, and far below the smallest normal float. */
const NEAR = () => landscapeFile("1e154", ["1", "1.7"]);
const HUGE = () => landscapeFile("1e200", ["1e100", "3e100"], "1");
const TINY = () => landscapeFile("1e-200", ["1e-150", "3e-150"], "1e-300");

/** Scaled landscapes: θ0 = m·10^k and coefficients c·10^j, over and under the float64 range. */
const scaledLandscape = fc.record({
  m: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: -250, max: 250 }),
  a: fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 3 }),
  j: fc.integer({ min: -150, max: 150 }),
});
const fileOf = (s: { m: number; k: number; a: number[]; j: number }) => landscapeFile(`${s.m}e${s.k}`, s.a.map((a) => `${a}e${s.j}`));

interface SeriesJson {
  T: number | string;
  coefficients: (number | null)[];
  exactCoefficients: string[];
  coefficientsFloat64: string[];
  coefficientsScientific: string[];
}

/** Checks a series --json against exact coefficients computed here from the file. */
function expectHonestSeries(json: SeriesJson, exact: readonly Rational[]): void {
  expect(json.exactCoefficients).toEqual(exact.map(String));
  exact.forEach((c, k) => {
    const x = json.coefficients[k];
    const sci = Rational.parseDecimal(json.coefficientsScientific[k]);
    // The scientific string is the exact value to 12 digits, whatever its size.
    if (!c.isZero()) expect(sci.sub(c).abs().div(c.abs()).compare(Rational.parse("1/100000000000")) <= 0, `c_${k} scientific`).toBe(true);
    else expect(sci.isZero()).toBe(true);
    if (x === null) {
      expect(json.coefficientsFloat64[k], `c_${k} = null must say why`).toMatch(/^(overflow|underflow)$/);
    } else {
      expect(json.coefficientsFloat64[k]).toBe("ok");
      expect(Number.isFinite(x)).toBe(true);
      if (x === 0) expect(c.isZero(), `c_${k} printed 0 but is ${c}`).toBe(true);
      else expect(Math.abs(x - c.toNumber()) / Math.abs(x)).toBeLessThan(1e-15);
    }
  });
}

describe("cause 6: series --json never turns a coefficient beyond float64 into null without a reason or a false 0", () => {
  test.each([
    ["near 1e308", NEAR],
    ["far above 1e308", HUGE],
    ["far below the smallest normal", TINY],
  ])("the issue's landscape %s", async (_, file) => {
    const path = file();
    const { code, out, err } = await run(["series", "--landscape", path, "--N", "2", "--order", "2", "--json"]);
    expect(code, err).toBe(0);
    const json = JSON.parse(out) as SeriesJson;
    const exact = exactSeries(parsePolynomialLandscape(JSON.parse(readFileSync(path, "utf8"))), sgdSchedule(2), 2, "test").coefficients;
    expectHonestSeries(json, exact);
    expect(json.coefficientsFloat64.some((f) => f !== "ok"), "this landscape leaves the float64 range").toBe(true);
    const text = await run(["series", "--landscape", path, "--N", "2", "--order", "2"]);
    expect(text.out).not.toMatch(/Infinity|NaN/);
  });
  test("property: scaled landscapes, text and JSON", async () => {
    await fc.assert(
      fc.asyncProperty(scaledLandscape, fc.integer({ min: 1, max: 3 }), async (s, N) => {
        const path = fileOf(s);
        const { code, out } = await run(["series", "--landscape", path, "--N", String(N), "--order", "2", "--json"]);
        expect(code).toBe(0);
        const exact = exactSeries(parsePolynomialLandscape(JSON.parse(readFileSync(path, "utf8"))), sgdSchedule(N), 2, "test").coefficients;
        expectHonestSeries(JSON.parse(out) as SeriesJson, exact);
        const text = await run(["series", "--landscape", path, "--N", String(N), "--order", "2"]);
        expect(text.out).not.toMatch(/Infinity|NaN/);
      }),
      { seed: SEED, numRuns: 25 },
    );
  }, 60_000);
});

describe("cause 6: verify compares exactly where float64 cannot, never DISAGREE with a NaN difference", () => {
  test.each([
    ["near 1e308 (the float route overflows)", NEAR],
    ["far above 1e308", HUGE],
    ["far below the smallest normal (the float route underflows to 0)", TINY],
  ])("the issue's landscape %s: AGREE in exact rationals, with a note", async (_, file) => {
    const path = file();
    const { code, out, err } = await run(["verify", "--landscape", path, "--N", "2", "--order", "2"]);
    expect(code, out + err).toBe(0);
    expect(out).not.toMatch(/NaN|Infinity/);
    expect(out).toMatch(/not comparable in float64, so both routes were compared in exact rationals/);
    expect(out).toMatch(/AGREE \(equal as rationals\)/);
    const json = JSON.parse((await run(["verify", "--landscape", path, "--N", "2", "--order", "2", "--json"])).out) as {
      agree: boolean;
      comparedIn: string;
      maxRelativeDifference: number;
      diagramsExact: string[];
      directExact: string[];
    };
    expect(json).toMatchObject({ agree: true, comparedIn: "exact", maxRelativeDifference: 0 });
    expect(json.directExact).toEqual(json.diagramsExact);
  });
  test("property: scaled landscapes agree (exactly where float64 cannot hold them), with no NaN", async () => {
    await fc.assert(
      fc.asyncProperty(scaledLandscape, async (s) => {
        const { code, out } = await run(["verify", "--landscape", fileOf(s), "--N", "2", "--order", "2"]);
        expect(code, out).toBe(0);
        expect(out).not.toMatch(/NaN|Infinity/);
      }),
      { seed: SEED, numRuns: 20 },
    );
  }, 60_000);
  test("an ordinary landscape still compares in float64", async () => {
    const json = JSON.parse((await run(["verify", "--landscape", landscapeFile("0.5", ["1", "3"], "0.25"), "--N", "3", "--order", "3", "--json"])).out);
    expect(json).toMatchObject({ agree: true, comparedIn: "float64" });
    expect(json.note).toBeUndefined();
  });
});

describe("cause 6: T above 2^53 is printed exactly", () => {
  test("diagrams and series --N 999999999 --epochs 999999999: T = 999999998000000001, text and JSON", async () => {
    const T = 999999999n * 999999999n; // 999999998000000001 > 2^53: a float prints …000000000
    const flags = ["--N", "999999999", "--epochs", "999999999", "--order", "1"];
    const d = await run(["diagrams", ...flags]);
    expect(d.out).toContain(`T = ${T} steps`);
    expect(JSON.parse((await run(["diagrams", ...flags, "--json"])).out).T).toBe(T.toString());
    const s = await run(["series", "--landscape", "mean-estimation", ...flags]);
    expect(s.out).toContain(`T = ${T} steps`);
    expect(JSON.parse((await run(["series", "--landscape", "mean-estimation", ...flags, "--json"])).out).T).toBe(T.toString());
  });
  test("property: T = E·N/B exactly, a JSON number while it is a safe integer", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }), async (N, E) => {
        const T = BigInt(N) * BigInt(E);
        const json = JSON.parse((await run(["diagrams", "--N", String(N), "--epochs", String(E), "--order", "1", "--json"])).out);
        expect(json.T).toBe(T <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(T) : T.toString());
      }),
      { seed: SEED, numRuns: 15 },
    );
  }, 60_000);
});

describe("cause 6: divergence by a stated rule, counted per η with the first step, never averaged in", () => {
  const config = SMALL_MAIN_JOB;
  let setup: ModelSetup;
  let reference: SimulationResult;
  beforeAll(() => void ({ setup, reference } = smallMainJob()));

  test("property: runs with a finite but absurd, infinite or NaN final loss are counted as diverged, not averaged in", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1e3, 1e6, 1e300, Infinity, NaN, -1e12),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 2, max: 5 }),
        (factor, i, modulus) => {
          let calls = 0;
          const marked: boolean[] = [];
          // A trainer that ruins the test loss of every `modulus`-th run it is given at η index i.
          const ruined: ModelSetup = {
            ...setup,
            train: (set, etas, rng) => {
              const res = setup.train(set, etas, rng);
              const mark = calls++ % modulus === 0;
              marked.push(mark);
              return mark ? res.map((r, k) => (k === i && r.diverged === undefined ? { ...r, test: r.test * factor } : r)) : res;
            },
          };
          const got = simulateMainJob(config, ruined);
          const n = marked.filter(Boolean).length;
          const row = got.rows[i];
          expect(row.diverged).toBe(n);
          expect(row.runs).toBe(config.runs - n);
          expect(row.firstDivergedStep).toBe(10); // the final losses' rule: the last step
          expect(Number.isFinite(row.mean) && Number.isFinite(row.ci95)).toBe(true);
          // The survivors' mean: within a few intervals of the untouched mean (the ruined runs would move it by orders of magnitude).
          expect(Math.abs(row.mean - reference.rows[i].mean)).toBeLessThan(5 * (reference.rows[i].ci95 + row.ci95));
          expect(got.rows[1 - i]).toEqual(reference.rows[1 - i]);
        },
      ),
      { seed: SEED, numRuns: 6 },
    );
  }, 120_000);

  const etas = "0.1,1e6,1e300";
  test("simulate: η = 1e6 and 1e300 (every run diverged) → a diverged count with the first step, '—' means, no NaN/Infinity", async () => {
    const out = mkdtempSync(join(tmpdir(), "adv-num-sim-"));
    const flags = ["simulate", "--eta", etas, "--runs", "4", "--test-size", "100", "--workers", "1", "--out", out];
    const text = await run(flags);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/diverged/);
    expect(text.out).not.toMatch(/NaN|Infinity/);
    const rows = (JSON.parse((await run([...flags, "--json"])).out) as { simulation: SimulationResult }).simulation.rows;
    for (const r of rows.slice(1)) expect(r).toMatchObject({ runs: 0, diverged: 4, mean: null, ci95: null });
    for (const r of rows.slice(1)) expect(r.firstDivergedStep).toBeGreaterThanOrEqual(0);
    expect(rows[0]).toMatchObject({ runs: 4, diverged: 0, firstDivergedStep: -1 });
  }, 120_000);

  test("compare: the same η → '—' measured and within, 'beyond float64' predictions, null in JSON and empty CSV cells, never NaN ± NaN", async () => {
    const out = mkdtempSync(join(tmpdir(), "adv-num-cmp-"));
    const flags = ["compare", "--eta", etas, "--runs", "4", "--test-size", "100", "--tuples", "4", "--est-batch", "4", "--workers", "1", "--out", out];
    const text = await run(flags);
    expect(text.code, text.err).toBe(0);
    expect(text.out).not.toMatch(/NaN|Infinity/);
    expect(text.out).toMatch(/4 \(first at step \d+\)/);
    expect(text.out).toMatch(/2 not comparable: every run diverged/);
    const json = JSON.parse((await run([...flags, "--json"])).out) as { rows: Record<string, unknown>[] };
    for (const r of json.rows.slice(1)) expect(r).toMatchObject({ measured: null, measuredCi95: null, withinInterval: null, betterThanOrder1: null, diverged: 4, runs: 0 });
    expect(json.rows[2].predictionFinite).toBe(false);
    const folder = readdirSync(out).find((f) => f.startsWith("compare-"))!;
    const csv = readFileSync(join(out, folder, "comparison.csv"), "utf8").split("\n");
    const header = csv[0].split(",");
    for (const line of csv.slice(2, 4)) expect(line.split(",")[header.indexOf("measured")]).toBe("");
  }, 180_000);
});
