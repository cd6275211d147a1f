/**
 * The explorer's URL state (node-side, no browser): the free-form per-step rates use the CLI's
 * `--eta-scale` name and syntax and give the same schedule as the CLI's own flag parser, and
 * malformed lists are refused with a one-line reason.
 */
import { describe, expect, test } from "vitest";
import { scheduleFromFlags } from "../../src/cli/scheduleFlags.js";
import { cliCommand, DEFAULT_ETA_MAX, DEFAULT_STATE, type ExplorerState, queryFromState, scheduleOf, stateFromQuery } from "../../web/src/state.js";

const custom: ExplorerState = { ...DEFAULT_STATE, N: 4, batch: 1, epochs: 1, rates: "custom", etaScale: "1, 1/2, 0.25, 3" };

describe("explorer state: per-step rates", () => {
  test("a custom eta-scale list round-trips through the URL and equals the CLI's --eta-scale schedule", () => {
    const query = queryFromState(custom);
    expect(new URLSearchParams(query).get("eta-scale")).toBe("1,1/2,0.25,3");
    expect(new URLSearchParams(query).has("rates")).toBe(false);
    const back = stateFromQuery(query);
    expect(back.problems).toEqual([]);
    expect(back.state.rates).toBe("custom");
    const page = scheduleOf(back.state);
    const cli = scheduleFromFlags({ schedule: "sgd", N: "4", batch: "1", epochs: "1", "eta-scale": "1,1/2,0.25,3" });
    expect(page.etaScale!.map(String)).toEqual(cli.etaScale!.map(String));
    expect(page.etaScale!.map(String)).toEqual(["1", "1/2", "1/4", "3"]);
    expect(cliCommand(back.state, page)).toContain("--eta-scale 1,1/2,1/4,3");
  });

  test.each([
    ["1,1,1", /3 multipliers but the schedule has T = 4 steps/],
    ["1,1,-1,1", /step 3's multiplier must be a non-negative decimal or fraction/],
    ["1,1,x,1", /step 3's multiplier/],
    ["1,1,1/0,1", /zero denominator/],
    ["", /type 4 multipliers/],
  ])("eta-scale %j is refused in one line", (text, message) => {
    expect(() => scheduleOf({ ...custom, etaScale: text })).toThrow(message);
  });

  test("rates=custom without a list is reported; a landscape link without eta-max gets that landscape's default", () => {
    expect(stateFromQuery("rates=custom").problems).toEqual(["rates=custom needs an eta-scale list, e.g. eta-scale=1,1,1/2,1/2"]);
    expect(stateFromQuery("rates=custom").state.rates).toBe("constant");
    expect(stateFromQuery("view=predict&landscape=mnist-logistic").state.etaMax).toBe(DEFAULT_ETA_MAX["mnist-logistic"]);
    expect(stateFromQuery("view=predict&landscape=mnist-logistic&eta-max=0.5").state.etaMax).toBe(0.5);
  });
});
