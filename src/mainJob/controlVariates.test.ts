import { beforeAll, expect, test } from "vitest";
import { setVariates } from "../harness/populationStats.js";
import { SMALL_MAIN_JOB } from "../../test/helpers/smallMainJob.js";
import { type ModelSetup, setupModel } from "./setup.js";
import { controlVariates, runSpec } from "./simulate.js";

let setup: ModelSetup;
beforeAll(() => void (setup = setupModel(SMALL_MAIN_JOB)));

test("controlVariates over more runs than one block of training sets = setVariates over every set at once, bit for bit", () => {
  const runs = Array.from({ length: 9000 }, (_, k) => 3 * k + 1); // three blocks, scattered run indices
  const sets = runs.map((r) => runSpec(SMALL_MAIN_JOB, setup, r).trainSet);
  for (const [which, what] of [["train", "loss"], ["test", "test slope"], ["trainSlope", "train slope"]] as const) {
    expect(controlVariates(SMALL_MAIN_JOB, setup, runs, which)).toEqual(setVariates(setup, sets, what));
  }
}, 120_000);
