/**
 * `--shard i/n` + `merge` end to end, in process: the merged result must equal the unsharded
 * command's output exactly (every field but timings, the output folder and the merge's own
 * fields). The independent route is the unsharded run itself, computed in one process.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** The command's JSON without what legitimately differs: timings, the folder, the merge's fields. */
function comparable(json: string): Record<string, unknown> {
  const o = JSON.parse(json) as Record<string, unknown>;
  for (const k of ["predictSeconds", "simulateSeconds", "outDir", "merged", "seconds"]) delete o[k];
  return o;
}

const tmp = () => mkdtempSync(join(tmpdir(), "shard-"));

/** Runs `args` unsharded into one folder and as `n` shards + merge into another; returns both JSONs. */
async function shardedAndWhole(args: string[], n: number): Promise<{ whole: string; merged: string; shardDir: string; wholeDir: string }> {
  const wholeDir = tmp();
  const shardDir = tmp();
  const whole = await ok([...args, "--out", wholeDir, "--json"]);
  for (let k = 0; k < n; k++) await ok([...args, "--out", shardDir, "--shard", `${k}/${n}`, "--json"]);
  const merged = await ok(["merge", shardDir, "--json"]);
  return { whole, merged, shardDir, wholeDir };
}

const LOGISTIC = ["compare", "--runs", "40", "--tuples", "8", "--est-batch", "4", "--test-size", "200"];

describe("compare --shard k/4, then merge = compare (logistic)", () => {
  let r: Awaited<ReturnType<typeof shardedAndWhole>>;
  test("rows, verdict, pass, runs and config are identical; so are comparison.json and verdict.txt", async () => {
    r = await shardedAndWhole(LOGISTIC, 4);
    const whole = comparable(r.whole);
    const merged = comparable(r.merged);
    expect(merged).toStrictEqual(whole);
    expect((whole.rows as unknown[]).length).toBe(9);
    expect(JSON.parse(r.merged).merged).toEqual({ shards: 4, missingShards: [], partial: null });
    const folder = (d: string) => join(d, readdirSync(d).find((f) => f.startsWith("compare-"))!);
    const file = (d: string, f: string) => readFileSync(join(folder(d), f), "utf8");
    const noTimes = (t: string) => {
      const o = JSON.parse(t);
      delete o.prediction.seconds;
      delete o.simulation.seconds;
      return o;
    };
    expect(noTimes(file(r.shardDir, "comparison.json"))).toStrictEqual(noTimes(file(r.wholeDir, "comparison.json")));
    expect(file(r.shardDir, "verdict.txt")).toBe(file(r.wholeDir, "verdict.txt"));
    expect(file(r.shardDir, "comparison.csv")).toBe(file(r.wholeDir, "comparison.csv"));
  }, 120_000);

  test("each shard trains only its runs and samples only its tuples (the union is every one, once)", () => {
    const files = readdirSync(join(r.shardDir, "shards")).sort();
    expect(files).toHaveLength(4);
    const payloads = files.map((f) => JSON.parse(readFileSync(join(r.shardDir, "shards", f), "utf8")).payload);
    const runs = payloads.flatMap((p) => p.runs.map((x: [number, unknown]) => x[0])).sort((a: number, b: number) => a - b);
    expect(runs).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(payloads.map((p) => p.tuples[0].length)).toEqual([2, 2, 2, 2]);
  });

  test("a shard merged twice (the same file in two folders) is counted once", async () => {
    const copy = tmp();
    cpSync(join(r.shardDir, "shards"), join(copy, "shards"), { recursive: true });
    const out = tmp();
    const res = await run(["merge", r.shardDir, copy, "--out", out, "--json"]);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toMatch(/found twice, counted once/);
    expect(comparable(res.out)).toStrictEqual(comparable(r.whole));
  }, 60_000);

  test("a missing shard: refused (one line, exit 2, nothing written); --allow-partial marks PARTIAL and lists it", async () => {
    const partialDir = tmp();
    mkdirSync(join(partialDir, "shards"));
    for (const f of readdirSync(join(r.shardDir, "shards")).filter((f) => !f.includes("shard-2-of-4"))) cpSync(join(r.shardDir, "shards", f), join(partialDir, "shards", f));
    const refused = await run(["merge", partialDir]);
    expect(refused.code).toBe(2);
    expect(refused.err.trimEnd().split("\n")).toHaveLength(1);
    expect(refused.err).toMatch(/1 of 4 compare shards missing: 2 .*--allow-partial/);
    expect(readdirSync(partialDir)).toEqual(["shards"]);
    const res = await run(["merge", partialDir, "--allow-partial", "--json"]);
    expect(res.code, res.err).toBe(0);
    const o = JSON.parse(res.out);
    expect(o.partial).toBe(true);
    expect(o.pass).toBe(false);
    expect(o.verdict).toMatch(/^PARTIAL \(shard 2 of 4 missing\): /);
    expect(o.merged.missingShards).toEqual([2]);
    expect(o.runsDone).toBe(30); // the runs of shards 0, 1 and 3 (chunks of 1 logistic run)
  }, 60_000);
});

describe("compare --model lenet --shard k/4, then merge = compare (runs in batched chunks of 28)", () => {
  test("rows, verdict, pass, runs and config are identical", async () => {
    // 30 runs at 9 η: chunks [0, 28) and [28, 30) on shards 0 and 1; tuples 0..3 one per shard.
    const r = await shardedAndWhole(["compare", "--model", "lenet", "--runs", "30", "--tuples", "4", "--est-batch", "2", "--test-size", "50"], 4);
    expect(comparable(r.merged)).toStrictEqual(comparable(r.whole));
    const payloads = readdirSync(join(r.shardDir, "shards")).sort().map((f) => JSON.parse(readFileSync(join(r.shardDir, "shards", f), "utf8")).payload);
    expect(payloads.map((p) => p.runs.length)).toEqual([28, 2, 0, 0]);
    expect(payloads.map((p) => p.tuples[0].length)).toEqual([1, 1, 1, 1]);
  }, 600_000);
});

describe("bad --shard values and bad shard files: one line, exit 2, nothing overwritten", () => {
  for (const bad of ["4/4", "0/0", "a/b", "-1/4", "1/", "2/100001"]) {
    test(`--shard ${bad}`, async () => {
      const out = tmp();
      const res = await run([...LOGISTIC, "--out", out, "--shard", bad]);
      expect(res.code).toBe(2);
      expect(res.err.trimEnd().split("\n"), res.err).toHaveLength(1);
      expect(res.err).toMatch(/--shard/);
      expect(readdirSync(out)).toEqual([]);
    });
  }

  test("--shard auto reads Slurm's and Kubernetes' variables; without them, one line", async () => {
    const { parseShard } = await import("../../src/harness/shard.js");
    expect(parseShard("auto", undefined, { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_COUNT: "16" })).toEqual({ index: 5, count: 16 });
    expect(parseShard("auto", undefined, { SLURM_ARRAY_TASK_ID: "6", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "16" })).toEqual({ index: 5, count: 16 });
    expect(parseShard("auto", "16", { JOB_COMPLETION_INDEX: "15" })).toEqual({ index: 15, count: 16 });
    expect(() => parseShard("auto", undefined, { JOB_COMPLETION_INDEX: "3" })).toThrow(/--shard-count/);
    expect(() => parseShard("auto", "4", { JOB_COMPLETION_INDEX: "4" })).toThrow(/not below the count 4/);
    expect(() => parseShard("auto", undefined, {})).toThrow(/neither SLURM_ARRAY_TASK_ID/);
    expect(() => parseShard("1/4", "4", {})).toThrow(/--shard-count goes with --shard auto/);
  });

  const shardsOf = async (args: string[], n: number, ks: number[]) => {
    const dir = tmp();
    for (const k of ks) await ok([...args, "--out", dir, "--shard", `${k}/${n}`]);
    return dir;
  };

  test("folders of different configurations (--seed) are refused and nothing is written", async () => {
    const a = await shardsOf(LOGISTIC, 2, [0]);
    const b = await shardsOf([...LOGISTIC, "--seed", "5"], 2, [1]);
    const res = await run(["merge", a, b]);
    expect(res.code).toBe(2);
    expect(res.err.trimEnd().split("\n")).toHaveLength(1);
    expect(res.err).toMatch(/2 different configurations/);
    for (const d of [a, b]) expect(readdirSync(d).filter((f) => f.startsWith("compare-"))).toEqual([]);
  }, 60_000);

  test("a truncated or edited shard file is refused by name; an earlier merged output is left as it was", async () => {
    const dir = await shardsOf(LOGISTIC, 2, [0, 1]);
    await ok(["merge", dir]);
    const folder = join(dir, readdirSync(dir).find((f) => f.startsWith("compare-"))!);
    const before = readFileSync(join(folder, "comparison.json"), "utf8");
    const mtime = statSync(join(folder, "comparison.json")).mtimeMs;
    const file = join(dir, "shards", readdirSync(join(dir, "shards"))[1]);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    let res = await run(["merge", dir]);
    expect(res.code).toBe(2);
    expect(res.err.trimEnd().split("\n")).toHaveLength(1);
    expect(res.err).toContain(file);
    expect(res.err).toMatch(/truncated or corrupt/);
    writeFileSync(file, text.replace(/"test":(\d)/, '"test":9$1'));
    res = await run(["merge", dir]);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/checksum mismatch/);
    expect(readFileSync(join(folder, "comparison.json"), "utf8")).toBe(before);
    expect(statSync(join(folder, "comparison.json")).mtimeMs).toBe(mtime);
  }, 60_000);

  test("merge of a folder without shard files, or of a missing folder: one line", async () => {
    const empty = tmp();
    let res = await run(["merge", empty]);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/no shard files/);
    rmSync(empty, { recursive: true });
    res = await run(["merge", empty]);
    expect(res.code).toBe(2);
    expect(res.err.trimEnd().split("\n")).toHaveLength(1);
    expect(existsSync(empty)).toBe(false);
  });
});

describe("reproduce tic-stic --quick --shard k/3, then merge = reproduce", () => {
  test("rows, verdict and pass are identical", async () => {
    const args = ["reproduce", "tic-stic", "--quick", "--no-png", "--seed", "2"];
    const wholeDir = tmp();
    const shardDir = tmp();
    const whole = JSON.parse(await ok([...args, "--out", wholeDir, "--json"]));
    for (let k = 0; k < 3; k++) await ok([...args, "--out", shardDir, "--shard", `${k}/3`]);
    expect(existsSync(join(shardDir, "tic-stic", "data.json"))).toBe(false); // shards write no results
    const merged = JSON.parse(await ok(["merge", shardDir, "--json", "--no-png"]));
    const data = (d: string) => JSON.parse(readFileSync(join(d, whole.experiments[0].files.data), "utf8"));
    expect(merged.experiments[0].verdict).toBe(whole.experiments[0].verdict);
    expect(merged.experiments[0].pass).toBe(whole.experiments[0].pass);
    expect(data(shardDir).rows).toStrictEqual(data(wholeDir).rows);
    expect(data(shardDir).rows.length).toBeGreaterThan(0);
  }, 240_000);
});
