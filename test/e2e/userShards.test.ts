/**
 * `merge` of a user model's shards reads the model and data files again by path, in a new
 * process: they must be the files the shards used (sha256 fingerprints in the shard files'
 * config), else one line and exit 2, and nothing written — never numbers of a mixed model.
 * The shards run in this process; each merge runs as a fresh `sgd-diagrams` process (the
 * in-process registry would still hold the shards' own definitions).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import { Rng } from "../../src/stats/rng.js";

const dir = mkdtempSync(join(tmpdir(), "user-shards-"));
const model = join(dir, "model.mjs");
const data = join(dir, "d.csv");
const out = join(dir, "out");

/** `sgd-diagrams merge …` in a new process: exit code, stdout, stderr. */
function mergeProcess(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "merge", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  copyFileSync("examples/my-mlp.mjs", model);
  writeFileSync(data, ["a,b,c,d,y", ...Array.from({ length: 60 }, (_, i) => { const r = new Rng(i); return `${r.normal()},${r.normal()},${r.normal()},${r.normal()},${i % 3}`; })].join("\n") + "\n");
  const args = ["compare", "--model", model, "--data", data, "--N", "4", "--runs", "4", "--tuples", "4", "--est-batch", "2", "--eta", "0.1,0.2", "--test-size", "20", "--workers", "1", "--out", out];
  for (const k of [0, 1]) {
    let err = "";
    const code = await main([...args, "--shard", `${k}/2`], { stdout: () => undefined, stderr: (t) => void (err += t), interactive: false });
    expect(code, err).toBe(0);
  }
}, 120_000);

/** Exit 2, one line on stderr matching every pattern, nothing on stdout, no compare folder. */
function expectRefused(r: ReturnType<typeof mergeProcess>, patterns: RegExp[]): void {
  console.log(r.err.trimEnd());
  expect(r.code, r.err).toBe(2);
  expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.out).toBe("");
  for (const p of patterns) expect(r.err).toMatch(p);
  expect(readdirSync(out).filter((f) => f.startsWith("compare-"))).toEqual([]);
}

describe("merge of --model FILE shards checks the files' sha256 fingerprints", () => {
  test("the model file edited since the shards → one line naming it and both fingerprints, exit 2", () => {
    const original = join(dir, "original.mjs");
    copyFileSync(model, original);
    appendFileSync(model, "// edited\n");
    try {
      expectRefused(mergeProcess(out), [/model\.mjs: the model file is not the one the shard files used \(sha256 fingerprint [0-9a-f]{12}, the shard files used [0-9a-f]{12}\)/]);
    } finally {
      copyFileSync(original, model);
    }
  }, 120_000);

  test("the model file gone → one line: cannot read it, and which fingerprint the shards used", () => {
    const away = join(dir, "away.mjs");
    renameSync(model, away);
    try {
      expectRefused(mergeProcess(out), [/model\.mjs: cannot read the model file \(ENOENT\); the shard files used it \(sha256 fingerprint [0-9a-f]{12}\)/]);
    } finally {
      renameSync(away, model);
    }
  }, 120_000);

  test("a row added to the data → one line naming the data file, exit 2", () => {
    const original = join(dir, "original.csv");
    copyFileSync(data, original);
    appendFileSync(data, "1,1,1,1,0\n");
    try {
      expectRefused(mergeProcess(out), [/d\.csv: the data are not the ones the shard files used/]);
    } finally {
      copyFileSync(original, data);
    }
  }, 120_000);

  test("the same files → the merge runs and writes the compare folder (the check does not refuse a good merge)", () => {
    const r = mergeProcess(out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/verdict: /);
    expect(existsSync(out) && readdirSync(out).some((f) => f.startsWith("compare-"))).toBe(true);
  }, 120_000);
});
