/**
 * Adversarial suite, cause 4 (checkpoints trusted blindly) and cause 1 (unbounded reads of a
 * checkpoint): torn, garbage, edited, repeated and foreign records; a rerun must give exactly
 * the numbers of an uninterrupted run, and the file must then hold each run once.
 */
import { appendFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { SEED } from "../helpers/seed.js";
import { appendRunLog, openRunLog } from "../../src/harness/checkpoint.js";
import { FileSystemError } from "../../src/harness/safeFile.js";
import { type MainJobConfig, type ModelSetup, simulateMainJob, type SimulationResult } from "../../src/mainJob/mainJob.js";
import { SMALL_MAIN_JOB, smallMainJob } from "../helpers/smallMainJob.js";

const config: MainJobConfig = SMALL_MAIN_JOB;
let setup: ModelSetup;
let reference: SimulationResult;

beforeAll(() => void ({ setup, reference } = smallMainJob()));

/** A fresh folder whose run log holds every run of `c` (an uninterrupted simulation). */
function fullLog(c: MainJobConfig = config): string {
  const path = join(mkdtempSync(join(tmpdir(), "adv-cp-")), "runs.jsonl");
  simulateMainJob(c, setup, { checkpoint: path });
  return path;
}

/** The runs a log holds, one entry per record line. */
function runsInFile(path: string): number[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { run: number }).run);
}

function expectRepairedEqualsReference(path: string, c: MainJobConfig = config): string[] {
  const notices: string[] = [];
  const again = simulateMainJob(c, setup, { checkpoint: path, onNotice: (l) => notices.push(l) });
  expect(again.rows).toEqual(reference.rows);
  expect(again.runsDone).toBe(c.runs);
  const runs = runsInFile(path);
  expect(new Set(runs).size, "each run once").toBe(runs.length);
  for (let r = 0; r < c.runs; r++) expect(runs).toContain(r);
  // A second rerun finds nothing to repair and nothing to do.
  const quiet: string[] = [];
  const third = simulateMainJob(c, setup, { checkpoint: path, onNotice: (l) => quiet.push(l) });
  expect(quiet).toEqual([]);
  expect(third.resumedFrom).toBe(c.runs);
  expect(third.rows).toEqual(reference.rows);
  return notices;
}

/** Replaces record line `k` (0-based, after the header) by `f(line)`. */
function editLine(path: string, k: number, f: (line: string) => string): void {
  const lines = readFileSync(path, "utf8").split("\n");
  lines[k + 1] = f(lines[k + 1]);
  writeFileSync(path, lines.join("\n"));
}

describe("cause 4: run logs are validated, repaired atomically, and used exactly", () => {
  test("a torn last line (kill or full disk mid-append) is dropped; the rerun appends after valid lines only", () => {
    const path = fullLog();
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.slice(0, text.length - 25)); // tears run 11's record
    const notices = expectRepairedEqualsReference(path);
    expect(notices.join("\n")).toMatch(/repaired checkpoint .*dropped 1 invalid or torn/);
  });
  test("garbage in the middle is dropped and the runs after it are kept (not recomputed)", () => {
    const path = fullLog();
    editLine(path, 4, (l) => `${l}\n\u0000\u0000garbage{{{`);
    expectRepairedEqualsReference(path);
  });
  for (const [name, edit] of [
    ["a loss edited to 999", (l: string) => l.replace(/"test":[-0-9.e]+/, '"test":999')],
    ["a loss edited to null", (l: string) => l.replace(/"test":[-0-9.e]+/, '"test":null')],
    ["a loss edited to a string", (l: string) => l.replace(/"test":[-0-9.e]+/, '"test":"0.5"')],
    ["empty results", () => '{"run":5,"results":[]}'],
    ["empty results with a forged sum", () => '{"run":5,"sum":"00000000","results":[]}'],
    ["a negative run", (l: string) => l.replace('"run":5', '"run":-5')],
    ["a fractional run", (l: string) => l.replace('"run":5', '"run":5.5')],
    ["an array", () => "[1,2,3]"],
    ["a number", () => "42"],
  ] as const) {
    test(`a well-formed record with ${name} is dropped and its run recomputed`, () => {
      const path = fullLog();
      editLine(path, 5, edit);
      const notices = expectRepairedEqualsReference(path);
      expect(notices).toHaveLength(1);
    });
  }
  test("repeated records (e.g. from an old reader that appended duplicates) are kept once", () => {
    const path = fullLog();
    const lines = readFileSync(path, "utf8").split("\n");
    appendFileSync(path, [lines[1], lines[3], lines[3]].join("\n") + "\n");
    const notices = expectRepairedEqualsReference(path);
    expect(notices.join("\n")).toMatch(/3 repeated/);
  });
  test("a log of another format (older code, no header) is started over, and says so", () => {
    const path = join(mkdtempSync(join(tmpdir(), "adv-cp-")), "runs.jsonl");
    writeFileSync(path, '{"run":0,"results":["old"]}\n{"run":1,"results":["old"]}\n');
    const notices = expectRepairedEqualsReference(path);
    expect(notices.join("\n")).toMatch(/another format/);
  });
  test("--runs 12 in a folder holding 24 runs uses exactly runs 0..11 (and keeps the others)", () => {
    const path = fullLog({ ...config, runs: 24 });
    const s = simulateMainJob(config, setup, { checkpoint: path });
    expect(s.rows).toEqual(reference.rows);
    expect(s.runsDone).toBe(12);
    expect(runsInFile(path)).toHaveLength(24);
  });
  test("property: any mix of torn, garbage, edited, repeated and deleted lines → the uninterrupted numbers, each run once", () => {
    const pristine = readFileSync(fullLog(), "utf8").split("\n");
    const op = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(11) }),
      fc.record({ kind: fc.constant("tear" as const), at: fc.nat(11), keep: fc.nat(60) }),
      fc.record({ kind: fc.constant("garbage" as const), at: fc.nat(11), text: fc.string({ maxLength: 30 }) }),
      fc.record({ kind: fc.constant("edit" as const), at: fc.nat(11), value: fc.oneof(fc.double(), fc.constant("null"), fc.constant('"x"')) }),
      fc.record({ kind: fc.constant("repeat" as const), at: fc.nat(11) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 5 }), (ops) => {
        const lines = pristine.slice(1, 13);
        for (const o of ops) {
          const l = lines[o.at] ?? "";
          if (o.kind === "delete") lines[o.at] = "";
          else if (o.kind === "tear") lines[o.at] = l.slice(0, o.keep);
          else if (o.kind === "garbage") lines[o.at] = `${l}\n${o.text.replace(/\n/g, " ")}`;
          else if (o.kind === "edit") lines[o.at] = l.replace(/"train":[-0-9.e]+/, `"train":${String(o.value)}`);
          else lines.push(l);
        }
        const path = join(mkdtempSync(join(tmpdir(), "adv-cp-")), "runs.jsonl");
        writeFileSync(path, [pristine[0], ...lines].join("\n"));
        expectRepairedEqualsReference(path);
      }),
      { numRuns: 20, seed: SEED },
    );
  }, 120_000);
});

describe("cause 1 and 3: checkpoint files that are not regular files, and a full disk", () => {
  test("a checkpoint that is a link to a device, a folder or a FIFO → one-line FileSystemError, nothing read", () => {
    const dir = mkdtempSync(join(tmpdir(), "adv-cp-"));
    symlinkSync("/dev/zero", join(dir, "zero.jsonl"));
    for (const path of [join(dir, "zero.jsonl"), dir]) {
      expect(() => openRunLog(path)).toThrow(FileSystemError);
      try {
        openRunLog(path);
      } catch (e) {
        expect((e as Error).message).not.toContain("\n");
        expect((e as Error).message).toContain(path);
        expect((e as Error).message).toMatch(/regular file/);
      }
    }
  });
  test("a run log above the size cap is refused with the size and the cap", () => {
    const path = join(mkdtempSync(join(tmpdir(), "adv-cp-")), "runs.jsonl");
    writeFileSync(path, "x".repeat(2000));
    expect(() => openRunLog(path, { maxBytes: 1000 })).toThrow(/2000 bytes, above the limit of 1000 bytes/);
  });
  test("a full disk while appending (ENOSPC, /dev/full) → one line naming the path", () => {
    expect(() => appendRunLog("/dev/full", 0, [1])).toThrow(FileSystemError);
    expect(() => appendRunLog("/dev/full", 0, [1])).toThrow(/^\/dev\/full: .*no space left on the device \(ENOSPC\)$/);
  });
});
