/**
 * End-to-end: the prediction view in real headless Chromium. SGD simulated live in the page's
 * worker must agree with the engine's exact η-series on the noisy quadratic, within the
 * page's own 95% intervals (Bonferroni-corrected over the 8 learning rates), while the
 * first-order prediction must be rejected (so the comparison has power). On the MNIST subset the
 * page's estimated prediction must equal the library's in Node, and agree with the live runs.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXPLORER_DIR } from "../../src/cli/commands/explore.js";
import { testSample } from "../../src/harness/testSample.js";
import { defaultMainJobConfig, LogisticModel, type MainJobConfig, type PredictionResult, predictMainJob, sgdSchedule } from "../../src/index.js";
import type { ModelSetup } from "../../src/mainJob/setup.js";
import { decodeSubset } from "../../web/src/mnistSubset.js";
import { ARTIFACT_DIR, type Session, startSession } from "./browser.js";

let session: Session;
beforeAll(async () => {
  session = await startSession();
});
afterAll(async () => {
  await session?.close();
});

interface Point {
  eta: number;
  mean: number;
  stderr: number;
  predicted: number;
  predictedStderr: number;
  n: number;
}

const readPoints = (page: import("playwright-core").Page) =>
  page.evaluate<Point[]>(`[...document.querySelectorAll("#sim-table tbody tr")].map((tr) => ({
    eta: Number(tr.dataset.eta), mean: Number(tr.dataset.mean), stderr: Number(tr.dataset.stderr),
    predicted: Number(tr.dataset.predicted), predictedStderr: Number(tr.dataset.predictedStderr), n: Number(tr.dataset.n) }))`);

/** Two-sided 95% family-wise over 8 rates: z_{1 − 0.05/16}. */
const Z_FAMILY = 2.734;
const RUNS = 20_000;

describe("explorer: prediction vs simulation", () => {
  test("the live simulation agrees with the order-5 series on the noisy quadratic; pause stops it", async () => {
    // T = 8 (N = 4, two epochs), η ≤ 0.05: the order-6 remainder (~1e-4) is far below the intervals.
    const page = await session.open("?view=predict&schedule=sgd&N=4&batch=1&epochs=2&shuffle=false&order=5&loss=test&landscape=noisy-quadratic&eta-max=0.05");
    await page.waitForFunction(
      `(() => { const rows = [...document.querySelectorAll("#sim-table tbody tr")]; return rows.length === 8 && rows.every((tr) => Number(tr.dataset.n) >= ${RUNS}); })()`,
      undefined,
      { timeout: 120_000, polling: 250 },
    );
    await page.click("#sim-toggle"); // pause
    expect(await page.getAttribute("#sim-toggle", "aria-pressed")).toBe("true");
    await page.waitForTimeout(300); // a burst in flight may still land
    const points = await readPoints(page);
    await page.waitForTimeout(700);
    expect((await readPoints(page)).map((p) => p.n)).toEqual(points.map((p) => p.n)); // paused: no new runs
    const rate = await page.textContent("#sim-rate");
    const series = await page.textContent("#predict-series");
    console.log(`explorer: noisy quadratic, T = 8: ${rate}\n  ${series}\n  ${points.map((p) => `η=${p.eta}: ${p.mean.toFixed(5)} ± ${(1.96 * p.stderr).toFixed(5)} vs ${p.predicted.toFixed(5)} (z ${((p.mean - p.predicted) / p.stderr).toFixed(2)})`).join("\n  ")}`);
    expect(points).toHaveLength(8);
    for (const p of points) {
      expect(p.stderr).toBeGreaterThan(0);
      expect(p.stderr).toBeLessThan(0.003); // intervals tight enough to mean something
      expect(Math.abs(p.mean - p.predicted) / p.stderr, `η = ${p.eta}`).toBeLessThan(Z_FAMILY);
    }
    // Power: the first-order line 1/2 − 8η (from the page's own series) is rejected at the largest η.
    const last = points[points.length - 1];
    expect(series).toMatch(/^E\[test loss\] = 1\/2 − 8·η \+ 68·η\^2/);
    expect(Math.abs(last.mean - (0.5 - 8 * last.eta)) / last.stderr).toBeGreaterThan(10);
    await page.click("#sim-toggle"); // resume
    await page.waitForFunction(`Number(document.querySelector("#sim-table tbody tr").dataset.n) > ${points[0].n}`, undefined, { timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACT_DIR}/predict-1280x800.png` });
    expect(session.errors).toEqual([]);
    await page.close();
  });
});

describe("explorer: thermodynamic engine", () => {
  test("particles drift along the helix's valley at about the predicted speed", async () => {
    const page = await session.open("?view=helix");
    await page.waitForFunction(`Number(document.querySelector("#helix-readout").dataset.t) >= 4000`, undefined, { timeout: 120_000 });
    const r = await page.evaluate<Record<string, string>>(`({ ...document.querySelector("#helix-readout").dataset })`);
    const [measured, stderr, predicted] = [Number(r.measured), Number(r.stderr), Number(r.predicted)];
    console.log(`explorer: helix η = 0.05 after ${r.t} steps: mean z ${measured.toFixed(4)} ± ${(1.96 * stderr).toFixed(4)}, predicted ${predicted.toFixed(4)}`);
    // A loose check: the entropic drift is a resummed order-3 prediction (a few % off at η = 0.05).
    expect(predicted).toBeGreaterThan(0.5);
    expect(Math.abs(measured - predicted)).toBeLessThan(0.1 * predicted + 3 * stderr);
    await page.screenshot({ path: `${ARTIFACT_DIR}/helix-1280x800.png` });
    expect(session.errors).toEqual([]);
    await page.close();
  });
});

/** What the CLI's `predict` computes in Node for the page's subset (the library called directly, as `predict` calls it). */
function nodePrediction(etas: number[]): PredictionResult {
  const bytes = readFileSync(`${EXPLORER_DIR}mnist-subset.bin`); // the very file the page loaded
  const model = new LogisticModel(decodeSubset(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer));
  const c: MainJobConfig = { ...defaultMainJobConfig(sgdSchedule(10, { batch: 1, epochs: 1 })), etas, order: 3 };
  const setup: ModelSetup = {
    oracle: model,
    theta0: model.theta0(c.initSeed),
    populationSize: model.data.size,
    testSet: testSample(model.data.size, c.testSize, c.seed),
    train: () => [],
  };
  return predictMainJob(c, setup);
}

describe("explorer: MNIST logistic regression in the page", () => {
  test("predicts as the CLI does in Node, and the CLI's model and trainer agree with it on the shipped subset", async () => {
    const t0 = Date.now();
    const page = await session.open("?view=predict&schedule=sgd&N=10&batch=1&epochs=1&order=3&landscape=mnist-logistic&eta-max=2");
    await page.waitForFunction(`document.querySelector("#predict-plot").dataset.curveMs !== undefined`, undefined, { timeout: 120_000, polling: 100 });
    const firstCurve = Date.now() - t0;
    const curveMs = Number(await page.getAttribute("#predict-plot", "data-curve-ms"));
    const pageCoefficients = JSON.parse((await page.getAttribute("#predict-series", "data-coefficients"))!) as { value: number; stderr: number }[];
    await page.waitForFunction(`Number(document.querySelector("#sim-table tbody tr")?.dataset.n ?? 0) >= 150`, undefined, { timeout: 120_000, polling: 250 });
    const points = await readPoints(page);
    const method = await page.textContent("#predict-method");
    const etas = points.map((p) => p.eta);
    const node = nodePrediction(etas);
    console.log(
      `explorer: MNIST logistic, N = T = 10: first predicted curve ${curveMs} ms after the view started (${firstCurve} ms after navigation); ${await page.textContent("#sim-rate")}\n` +
        `  page c_k: ${pageCoefficients.map((c) => `${c.value.toPrecision(8)} ± ${c.stderr.toPrecision(2)}`).join(", ")}\n` +
        `  Node c_k: ${node.coefficients.map((c) => `${c.value.toPrecision(8)} ± ${c.stderr.toPrecision(2)}`).join(", ")}\n  ` +
        points.map((p) => `η=${p.eta.toFixed(3)}: ${p.mean.toFixed(5)} ± ${(1.96 * p.stderr).toFixed(5)} vs ${p.predicted.toFixed(5)} ± ${(1.96 * p.predictedStderr).toFixed(5)}`).join("\n  "),
    );
    // The page's estimate is the library's, number for number (same subset, seed and tuples).
    expect(pageCoefficients).toHaveLength(4);
    pageCoefficients.forEach((c, k) => {
      expect(c.value, `c_${k}`).toBeCloseTo(node.coefficients[k].value, 12);
      expect(c.stderr, `se(c_${k})`).toBeCloseTo(node.coefficients[k].stderr, 12);
    });
    expect(method).toMatch(/60 independent data tuples/);
    // Its resummed curve at the measured η is Node's, and the live runs agree with it.
    points.forEach((p, i) => {
      const r = node.rows[i].resummed!;
      expect(p.predicted, `η = ${p.eta}`).toBeCloseTo(r.value, 12);
      expect(Math.abs(p.mean - p.predicted) / Math.hypot(p.stderr, p.predictedStderr), `η = ${p.eta}`).toBeLessThan(Z_FAMILY);
    });
    expect(points).toHaveLength(8);
    for (let k = 1; k < points.length; k++) expect(points[k].mean).toBeLessThan(points[k - 1].mean); // zero init: every step lowers the loss
    // Power: at η = 2 the first-order line is rejected by the measurement.
    const last = points[points.length - 1];
    expect(Math.abs(last.mean - (pageCoefficients[0].value + pageCoefficients[1].value * last.eta)) / last.stderr).toBeGreaterThan(5);
    await page.screenshot({ path: `${ARTIFACT_DIR}/predict-mnist-1280x800.png` });
    expect(session.errors).toEqual([]);
    await page.close();
  });
});
