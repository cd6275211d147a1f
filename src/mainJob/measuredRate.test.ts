import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { main } from "../cli/main.js";
import { loadUserData, loadUserModel } from "../harness/userInputs.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import { defaultMainJobConfig, type MainJobConfig, modelDefaults, prepareModelNumerics } from "./config.js";
import { mainJobCost } from "./cost.js";
import { measureTrainingRate } from "./measuredRate.js";
import { setupForConfig } from "./optimizerSetup.js";
import { runChunk } from "./simulate.js";

const dir = mkdtempSync(join(tmpdir(), "sgd-rate-"));
/** 60 rows, 4 features, 3 classes. */
const csv = join(dir, "three.csv");
writeFileSync(csv, ["a,b,c,d,y", ...Array.from({ length: 60 }, (_, i) => { const r = new Rng(i); return `${r.normal()},${r.normal()},${r.normal()},${r.normal()},${i % 3}`; })].join("\n") + "\n");

let config: MainJobConfig;
beforeAll(async () => {
  const userModel = await loadUserModel("examples/my-mlp.mjs");
  const userData = await loadUserData({ data: csv, task: "classification" });
  config = { ...defaultMainJobConfig(sgdSchedule(32, { batch: 2 })), ...modelDefaults("user"), data: "user", model: "user", userModel, userData, testSize: 30, runs: 12, etas: [0.1, 0.2] };
  await prepareModelNumerics(config);
}, 60_000);

describe("measureTrainingRate: the --max-hours estimate of a user's model", () => {
  test("the estimate from a few timed steps is within a factor 4 of the time the simulation's own training of a chunk of runs takes (an independent timing)", () => {
    const rate = measureTrainingRate(config);
    expect(rate.secondsPerDatumStep).toBeGreaterThan(0);
    expect(rate.secondsPerRun).toBeGreaterThanOrEqual(0);
    // A schedule 8× longer than the probe's longest: the fit must extrapolate in T.
    const c = { ...config, schedule: sgdSchedule(256, { batch: 2 }) };
    const predicted = mainJobCost(c, "simulate", 1, rate).seconds;
    const setup = setupForConfig(c);
    runChunk(c, setup, c.runs, 2 * c.runs); // compiles this chunk's shapes, as the estimate's warm-up does
    const timed = (from: number) => {
      const t0 = performance.now();
      expect(runChunk(c, setup, from, from + c.runs)).toHaveLength(c.runs);
      return (performance.now() - t0) / 1000;
    };
    const actual = Math.min(timed(0), timed(2 * c.runs)); // the faster of two, as the estimate does
    console.log(`T = 128, runs ${c.runs}, 2 η: estimated ${predicted.toFixed(3)} s, took ${actual.toFixed(3)} s`);
    expect(predicted / actual).toBeGreaterThan(1 / 4);
    expect(predicted / actual).toBeLessThan(4);
  }, 120_000);

  test("CLI: a user-model compare above --max-hours is refused with one line that gives the timed rate, exit 2, nothing on stdout", async () => {
    let out = "";
    let err = "";
    const code = await main(
      ["compare", "--model", "examples/my-mlp.mjs", "--data", csv, "--N", "20000", "--runs", "100000", "--workers", "1", "--max-hours", "0.5", "--out", join(dir, "out")],
      { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false },
    );
    const lines = err.trimEnd().split("\n");
    console.log(lines.at(-1));
    expect(code, err).toBe(2);
    expect(out).toBe("");
    expect(lines.at(-1)).toMatch(/would train for about [\d.]+ (days|hours) \(timed: [\d.]+ (µs|ms|s) per datum-step \+ [\d.]+ (µs|ms|s) per run and η\), above the limit --max-hours 0\.5/);
    expect(err).not.toMatch(/\n\s+at /);
  }, 120_000);
});
