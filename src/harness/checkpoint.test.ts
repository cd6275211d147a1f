import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { appendRunLog, Checkpoint, CHECKPOINT_FILE, CHECKPOINT_VERSION, openRunLog, runChunks, runChunksAsync, unitSeed } from "./checkpoint.js";
import { drawRun } from "./model.js";
import type { ExperimentContext } from "./experiment.js";

function ctx(dir: string, stopAfter = Infinity): ExperimentContext & { calls: number } {
  const c = {
    outDir: dir,
    quick: true,
    seed: 5,
    calls: 0,
    progress() {},
    shouldStop() {
      return c.calls >= stopAfter;
    },
  };
  return c;
}

describe("checkpoints", () => {
  test("store, reload with the same fingerprint, ignore another fingerprint or a torn file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cp-"));
    const a = Checkpoint.open(dir, { v: 1 });
    expect(a.unit("x", () => [1, 2])).toEqual([1, 2]);
    expect(Checkpoint.open(dir, { v: 1 }).get("x")).toEqual([1, 2]);
    expect(Checkpoint.open(dir, { v: 1 }).resumed.has("x")).toBe(true);
    expect(Checkpoint.open(dir, { v: 2 }).has("x")).toBe(false);
    expect(Checkpoint.open(dir, { v: 1 }, true).has("x")).toBe(false);
    writeFileSync(join(dir, CHECKPOINT_FILE), "{not json");
    expect(Checkpoint.open(dir, { v: 1 }).has("x")).toBe(false);
    a.clear();
    expect(existsSync(join(dir, CHECKPOINT_FILE))).toBe(false);
  });
  test("unit seeds are distinct per key and base, and safe integers", () => {
    const seeds = new Set(["a#0", "a#1", "b#0"].flatMap((k) => [unitSeed(1, k), unitSeed(2, k)]));
    expect(seeds.size).toBe(6);
    for (const s of seeds) expect(Number.isSafeInteger(s)).toBe(true);
    expect(unitSeed(-3, "k")).toBeGreaterThanOrEqual(0);
  });
  test("chunks: a stop leaves the finished ones saved; the rerun completes with identical results", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cp-"));
    const compute = (i: number, seed: number) => ({ i, seed });
    const c1 = ctx(dir, 2);
    const first = await runChunksAsync(Checkpoint.open(dir, "f"), c1, "u", 5, (i, s) => {
      c1.calls++;
      return compute(i, s);
    });
    expect(first).toBeNull();
    expect(Object.keys(JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8")).units)).toEqual(["u#0", "u#1"]);
    const c2 = ctx(dir);
    const second = await runChunksAsync(Checkpoint.open(dir, "f"), c2, "u", 5, (i, s) => {
      c2.calls++;
      return compute(i, s);
    });
    expect(c2.calls).toBe(3);
    const fresh = await runChunksAsync(Checkpoint.open(mkdtempSync(join(tmpdir(), "cp-")), "f"), ctx(dir), "u", 5, compute);
    expect(second).toEqual(fresh);
    // The synchronous version computes the same chunks.
    expect(runChunks(Checkpoint.open(mkdtempSync(join(tmpdir(), "cp-")), "f"), ctx(dir), "u", 5, compute)).toEqual(fresh);
  });
  test("a checkpoint of an older format (same fingerprint) is not read: its units are recomputed", () => {
    const dir = mkdtempSync(join(tmpdir(), "cp-"));
    writeFileSync(join(dir, CHECKPOINT_FILE), JSON.stringify({ format: 1, fingerprint: JSON.stringify({ v: 1 }), units: { x: [9] } }));
    expect(Checkpoint.open(dir, { v: 1 }).has("x")).toBe(false);
    const cp = Checkpoint.open(dir, { v: 1 });
    cp.set("x", [1]);
    expect(JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8")).format).toBe(CHECKPOINT_VERSION);
    expect(Checkpoint.open(dir, { v: 1 }).get("x")).toEqual([1]);
  });
  test("run logs: resume by run, repair a torn last line, start over on an older (headerless) log", () => {
    const path = join(mkdtempSync(join(tmpdir(), "cp-")), "sub", "runs.jsonl");
    const runs = (m: Map<number, unknown>) => [...m.entries()];
    expect(runs(openRunLog(path))).toEqual([]);
    appendRunLog(path, 0, ["a"]);
    appendRunLog(path, 1, ["b"]);
    expect(runs(openRunLog(path))).toEqual([[0, ["a"]], [1, ["b"]]]);
    expect(runs(openRunLog(path, { runs: 1 }))).toEqual([[0, ["a"]]]);
    const notices: string[] = [];
    writeFileSync(path, readFileSync(path, "utf8") + '{"run":2,"resu');
    expect(runs(openRunLog(path, { onNotice: (l) => notices.push(l) }))).toEqual([[0, ["a"]], [1, ["b"]]]);
    expect(notices).toHaveLength(1);
    expect(readFileSync(path, "utf8").endsWith('"results":["b"]}\n')).toBe(true);
    // A version-1 log (no header, runs from the old seeds) is never mixed with new runs.
    writeFileSync(path, '{"run":0,"results":["old"]}\n{"run":1,"results":["old"]}\n');
    expect(runs(openRunLog(path))).toEqual([]);
    appendRunLog(path, 0, ["new"]);
    expect(runs(openRunLog(path))).toEqual([[0, ["new"]]]);
    expect(runs(openRunLog(undefined))).toEqual([]);
  });
  test("run draws: a function of (seed, family, run) alone; families and runs are independent streams", () => {
    const a = drawRun(7, "fig", 3, 20, 1000);
    expect(drawRun(7, "fig", 3, 20, 1000)).toEqual(a);
    expect(a.trainSet).toHaveLength(20);
    for (const x of a.trainSet) expect(Number.isInteger(x) && x >= 0 && x < 1000).toBe(true);
    const others = [drawRun(7, "fig", 4, 20, 1000), drawRun(8, "fig", 3, 20, 1000), drawRun(7, "other", 3, 20, 1000)];
    for (const o of others) expect(o.trainSet).not.toEqual(a.trainSet);
  });
});
