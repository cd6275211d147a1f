import { describe, expect, test } from "vitest";
import { InternalError } from "../errors.js";
import { interrupted, judge, verdictStatus, type VerdictCheck } from "./verdict.js";

const main = (pass: boolean): VerdictCheck => ({ criterion: `main ${pass}`, pass, main: true });
const second = (pass: boolean): VerdictCheck => ({ criterion: `secondary ${pass}`, pass, main: false });

describe("verdict status: the one rule", () => {
  test("every check passes → REPRODUCED", () => {
    expect(verdictStatus([main(true), second(true)])).toBe("REPRODUCED");
    expect(verdictStatus([main(true)])).toBe("REPRODUCED");
  });
  test("main passes, a secondary fails → PARTIAL", () => {
    expect(verdictStatus([main(true), second(false), second(true)])).toBe("PARTIAL");
  });
  test("a main check fails → NOT REPRODUCED, whatever the secondary ones say", () => {
    expect(verdictStatus([main(true), main(false), second(true)])).toBe("NOT REPRODUCED");
    expect(verdictStatus([main(false), second(false)])).toBe("NOT REPRODUCED");
  });
  test("an interrupted run → PARTIAL, even when its checks so far fail or pass", () => {
    expect(verdictStatus([main(false)], true)).toBe("PARTIAL");
    expect(verdictStatus([main(true)], true)).toBe("PARTIAL");
    expect(verdictStatus([], true)).toBe("PARTIAL");
  });
  test("a finished verdict without a main check is a bug", () => {
    expect(() => verdictStatus([second(true)])).toThrow(InternalError);
    expect(() => verdictStatus([])).toThrow(InternalError);
  });
  test("judge: pass is true exactly for REPRODUCED, null when interrupted; one headline line with status, claim, criteria", () => {
    const cases: [VerdictCheck[], boolean][] = [[[main(true)], true], [[main(true), second(false)], false], [[main(false)], false]];
    for (const [checks, pass] of cases) {
      const j = judge("the claim", checks);
      expect(j.pass).toBe(pass);
      expect(j.pass).toBe(j.status === "REPRODUCED");
      expect(j.headline.startsWith(`${j.status} — the claim: `)).toBe(true);
      expect(j.headline).not.toContain("\n");
    }
    const j = judge("the claim", [main(true), second(false)]);
    expect(j.headline).toBe("PARTIAL — the claim: ✓ main true; ✗ secondary false (secondary)");
    const i = interrupted("the claim");
    expect(i).toMatchObject({ status: "PARTIAL", pass: null });
    expect(i.headline).toMatch(/^PARTIAL — the claim: interrupted/);
  });
});
