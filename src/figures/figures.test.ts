/** Every experiment at tiny sizes: it runs, returns rows, plots that render, a verdict; and it resumes. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { TINY, tinyExperiments } from "../../test/helpers/tinyExperiments.js";
import { makeCubicChiExperiment } from "./cubicChi.js";
import type { ExperimentContext } from "../harness/experiment.js";
import { plotSvg } from "../harness/output.js";
import { EXPERIMENTS } from "./registry.js";
import { overfittingPeak } from "./ticStic.js";

/** A context that asks to stop after `stopAfter` progress reports whose label contains `when`. */
function context(stopAfter = Infinity, when = ""): ExperimentContext & { progressCalls: number } {
  const c = {
    outDir: mkdtempSync(join(tmpdir(), "exp-")),
    quick: true,
    seed: SEED,
    progressCalls: 0,
    progress(label: string) {
      if (label.includes(when)) c.progressCalls++;
    },
    shouldStop: () => c.progressCalls >= stopAfter,
  };
  return c;
}

describe("experiments at tiny sizes", () => {
  test("the registry lists every experiment once, with the ids the CLI documents", () => {
    const ids = EXPERIMENTS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The synthetic figures come first; the real-data experiments (issue 6) follow them.
    expect(ids.slice(0, 6)).toEqual(["spacetime", "helix", "cubic-chi", "gauss-fit", "tic-stic", "resummation"]);
    expect(tinyExperiments().map((e) => e.id)).toEqual(ids.slice(0, 6));
  });
  for (const exp of tinyExperiments()) {
    test(exp.id, async () => {
      const r = await exp.run(context());
      expect(r.id).toBe(exp.id);
      expect(r.partial ?? false).toBe(false);
      expect(r.rows.length).toBeGreaterThan(0);
      expect(r.verdict.length).toBeGreaterThan(20);
      // The headline: status first (decided by the one rule), one line; pass mirrors the status.
      expect(r.headline.startsWith(`${r.status} — `)).toBe(true);
      expect(r.headline).not.toContain("\n");
      expect(r.pass).toBe(r.status === "REPRODUCED");
      expect(r.checks.some((c) => c.main)).toBe(true);
      for (const p of r.plots) expect(p.caption.length, p.name).toBeGreaterThan(20);
      expect(r.plots.length).toBeGreaterThan(0);
      for (const p of r.plots) expect(await plotSvg(p), p.name).toMatch(/^<svg/);
      if (exp.id === "spacetime") expect(r.pass).toBe(true);
      if (exp.id === "cubic-chi") expect(r.rows.find((x) => x.kind === "coefficient" && x.order === 3)?.coefficient).toBe("32");
      if (exp.id === "resummation") expect((r.details as { maxRelDiscrete: number }).maxRelDiscrete).toBeLessThan(1e-10);
      if (exp.id === "helix") {
        const last = r.rows.filter((x) => x.kind === "final");
        expect(last.map((x) => x.eta)).toEqual([0.05, 0.1]);
        for (const x of last) expect(x.unresummed).toBeCloseTo(((x.eta as number) ** 3 * 300 * 299) / 4, 6);
      }
    }, 30_000);
  }
  test("an interrupted run saves its chunks; the rerun resumes and gives the uninterrupted result", async () => {
    const exp = makeCubicChiExperiment(TINY.cubicChi);
    const ctx = context(2, "SGD runs");
    const first = await exp.run(ctx);
    expect(first.partial).toBe(true);
    expect(first.pass).toBeNull();
    expect(first.status).toBe("PARTIAL");
    const saved = Object.keys(JSON.parse(readFileSync(join(ctx.outDir, "checkpoint.json"), "utf8")).units);
    expect(saved.some((k) => k.startsWith("sgd#"))).toBe(true);
    const resumed = await exp.run({ ...ctx, progress() {}, shouldStop: () => false });
    const fresh = await exp.run(context());
    expect(resumed.partial ?? false).toBe(false);
    expect(resumed.rows).toEqual(fresh.rows);
  });
  test("the overfitting peak solves e^x − 1 = 2x", () => {
    const x = overfittingPeak();
    expect(x).toBeCloseTo(1.2564, 4);
    expect(Math.expm1(x)).toBeCloseTo(2 * x, 12);
  });
});
