import { describe, expect, test } from "vitest";
import { LOG_PROGRESS_SECONDS, logProgress } from "./progress.js";

describe("logProgress (stderr is not a terminal)", () => {
  test("silent for short runs, then at most one line per period", () => {
    let now = 1_000_000;
    const lines: string[] = [];
    const log = logProgress({ stdout: () => {}, stderr: (t) => void lines.push(t), interactive: false }, () => now);
    log("runs", 1, 10);
    now += (LOG_PROGRESS_SECONDS - 1) * 1000;
    log("runs", 2, 10);
    expect(lines).toEqual([]);
    now += 2000;
    log("runs", 3, 10);
    log("runs", 4, 10);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] runs: 3\/10\n$/);
    now += LOG_PROGRESS_SECONDS * 1000;
    log("bank", 5, 7);
    expect(lines[1]).toMatch(/bank: 5\/7\n$/);
  });
});
