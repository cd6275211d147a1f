/** `reproduce` end to end at tiny sizes: files, the report (and that it loads cleanly in Chromium), exit codes, resume. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { INTERRUPTED_EXIT_CODE, runReproduce, type ReproduceHooks } from "../../src/cli/commands/reproduce.js";
import { main } from "../../src/cli/main.js";
import { hasChromium, loadPage } from "../helpers/chromium.js";
import { tinyExperiments } from "../helpers/tinyExperiments.js";

async function run(args: string[], hooks: ReproduceHooks = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), interactive: false };
  const code = await runReproduce(args, io, { experiments: tinyExperiments(), ...hooks });
  return { code, out, err };
}

async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false });
  return { code, out, err };
}

describe("reproduce all (tiny sizes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "reproduce-"));
  let result: { code: number; out: string; err: string };
  beforeAll(async () => {
    result = await run(["all", "--quick", "--out", dir, "--seed", "3", "--json"]);
  }, 60_000);

  test("writes data, CSV, figures, verdicts for every experiment and index.html; --json summary", () => {
    expect(result.code, result.err).toBe(0);
    const summary = JSON.parse(result.out);
    expect(summary.experiments.map((e: { id: string }) => e.id)).toEqual(["spacetime", "helix", "cubic-chi", "gauss-fit", "tic-stic", "resummation"]);
    expect(summary.interrupted).toBe(false);
    for (const e of summary.experiments as { id: string; files: { data: string; csv: string; verdict: string; plots: { svg: string; png: string }[] }; command: string }[]) {
      for (const f of [e.files.data, e.files.csv, e.files.verdict, ...e.files.plots.flatMap((p) => [p.svg, p.png])]) expect(existsSync(join(dir, f)), f).toBe(true);
      expect(e.command).toBe(`npx sgd-diagrams reproduce ${e.id} --quick --out ${dir} --seed 3`);
      expect(JSON.parse(readFileSync(join(dir, e.files.data), "utf8")).rows.length).toBeGreaterThan(0);
    }
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toContain(`npx sgd-diagrams reproduce all --quick --out ${dir} --seed 3`);
    for (const id of ["spacetime", "helix", "cubic-chi", "gauss-fit", "tic-stic", "resummation"]) expect(html).toContain(`id="${id}"`);
  });

  test.skipIf(!hasChromium())("index.html loads in headless Chromium with no console errors (and a missing figure would be caught)", async () => {
    const report = await loadPage(pathToFileURL(join(dir, "index.html")).href, { screenshot: true });
    expect(report.errors).toEqual([]);
    expect(report.screenshot?.length ?? 0).toBeGreaterThan(1000);
    writeFileSync(join(dir, "broken.html"), '<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body><img src="missing.svg"></body></html>');
    const broken = await loadPage(pathToFileURL(join(dir, "broken.html")).href);
    expect(broken.errors.length).toBeGreaterThan(0);
  }, 60_000);
});

describe("reproduce: one experiment, list, bad input, interruption", () => {
  test("--list (text and JSON)", async () => {
    const text = await run(["--list"]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/helix\s+figure 12/);
    const json = JSON.parse((await run(["--list", "--json"])).out);
    expect(json.map((e: { id: string }) => e.id)).toContain("cubic-chi");
  });
  test("--list of the real registry fits 100 columns and gives a time estimate (quick and full) for every experiment", async () => {
    const { EXPERIMENTS } = await import("../../src/figures/registry.js");
    for (const quick of [[], ["--quick"]]) {
      const text = await runMain(["reproduce", "--list", ...quick]);
      expect(text.code).toBe(0);
      for (const line of text.out.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
      for (const e of EXPERIMENTS) {
        const cells = text.out.split("\n").find((l) => l.startsWith(`${e.id} `))?.split(/\s{2,}/) ?? [];
        expect(cells.slice(2, 4), e.id).toEqual([expect.stringMatching(/^(<|~|≥)/), expect.stringMatching(/^(<|~|≥)/)]);
      }
    }
    const json = JSON.parse((await runMain(["reproduce", "--list", "--json"])).out) as { id: string; estimate: { quick: string; full: string } | null }[];
    expect(json.map((e) => e.id)).toEqual(EXPERIMENTS.map((e) => e.id));
    for (const e of json) expect(e.estimate, e.id).toEqual({ quick: expect.stringMatching(/\d (s|min)$/), full: expect.stringMatching(/\d (s|min)$/) });
  });
  test("one id writes only its folder, no index", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reproduce-"));
    const r = await run(["tic-stic", "--out", dir, "--no-png"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^tic-stic: (REPRODUCED|PARTIAL|NOT REPRODUCED) — /);
    expect(existsSync(join(dir, "tic-stic", "data.csv"))).toBe(true);
    expect(existsSync(join(dir, "tic-stic", "overfitting-vs-curvature.png"))).toBe(false);
    expect(existsSync(join(dir, "index.html"))).toBe(false);
  });
  test("a comma-separated list runs those experiments in registry order, with their index.html", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reproduce-"));
    const r = await run(["resummation,tic-stic", "--out", dir, "--no-png", "--json"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).experiments.map((e: { id: string }) => e.id)).toEqual(["tic-stic", "resummation"]);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toContain(`npx sgd-diagrams reproduce resummation,tic-stic --out ${dir} --seed 1`);
    expect(html).toContain('id="tic-stic"');
    expect(html).not.toContain('id="helix"');
  });
  test("user mistakes exit 2 with one line on stderr", async () => {
    for (const args of [["reproduce"], ["reproduce", "nope"], ["reproduce", "all", "--bogus"], ["reproduce", "all", "--seed", "x"], ["reproduce", "helix", "cubic-chi"], ["reproduce", "helix,nope"], ["reproduce", "helix", "--models", "lenet"], ["reproduce", "gdc", "--models", "no-such-model"], ["reproduce", "all", "--models", " , "], ["reproduce", "all", "--quick", "--models", "mlp"]]) {
      const r = await runMain(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect((await runMain(["reproduce", "--help"])).out).toMatch(/reproduce <id>\|all/);
  });
  test("a stop request saves a partial result (exit 130); the rerun resumes to the same data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reproduce-"));
    let calls = 0;
    const stopped = await run(["cubic-chi", "--out", dir, "--no-png"], {
      shouldStop: () => ++calls > 2,
    });
    expect(stopped.code).toBe(INTERRUPTED_EXIT_CODE);
    expect(stopped.err).toMatch(/rerun the same command to resume/);
    expect(readFileSync(join(dir, "cubic-chi", "verdict.txt"), "utf8")).toMatch(/^PARTIAL/);
    const resumed = await run(["cubic-chi", "--out", dir, "--no-png"]);
    expect(resumed.code).toBe(0);
    const other = mkdtempSync(join(tmpdir(), "reproduce-"));
    expect((await run(["cubic-chi", "--out", other, "--no-png"])).code).toBe(0);
    const rows = (d: string) => JSON.parse(readFileSync(join(d, "cubic-chi", "data.json"), "utf8")).rows;
    expect(rows(dir)).toEqual(rows(other));
    expect((await run(["cubic-chi", "--out", dir, "--no-png", "--fresh"])).code).toBe(0);
    expect(rows(dir)).toEqual(rows(other));
  });
});
