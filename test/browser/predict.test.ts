/**
 * End-to-end: the prediction view in real headless Chromium. SGD simulated live in the page's
 * worker must agree with the engine's exact η-series on the noisy quadratic, within the
 * page's own 95% intervals (Bonferroni-corrected over the 8 learning rates), while the
 * first-order prediction must be rejected (so the comparison has power).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
  n: number;
}

const readPoints = (page: import("playwright-core").Page) =>
  page.evaluate<Point[]>(`[...document.querySelectorAll("#sim-table tbody tr")].map((tr) => ({
    eta: Number(tr.dataset.eta), mean: Number(tr.dataset.mean), stderr: Number(tr.dataset.stderr),
    predicted: Number(tr.dataset.predicted), n: Number(tr.dataset.n) }))`);

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

describe("explorer: MNIST logistic regression in the page", () => {
  test("runs the CLI's model and trainer on the shipped subset: the loss falls from log 10 as η grows", async () => {
    const page = await session.open("?view=predict&schedule=sgd&N=10&batch=1&epochs=1&order=3&landscape=mnist-logistic&eta-max=0.1");
    await page.waitForFunction(`Number(document.querySelector("#sim-table tbody tr")?.dataset.n ?? 0) >= 100`, undefined, { timeout: 120_000, polling: 250 });
    const points = await readPoints(page);
    console.log(`explorer: MNIST logistic, N = T = 10: ${await page.textContent("#sim-rate")}\n  ${points.map((p) => `η=${p.eta.toFixed(4)}: ${p.mean.toFixed(5)} ± ${(1.96 * p.stderr).toFixed(5)}`).join("\n  ")}`);
    expect(points).toHaveLength(8);
    for (const p of points) expect(p.mean).toBeLessThan(Math.log(10)); // zero init: loss log 10, every step lowers it
    for (let k = 1; k < points.length; k++) expect(points[k].mean).toBeLessThan(points[k - 1].mean);
    expect(session.errors).toEqual([]);
    await page.close();
  });
});
