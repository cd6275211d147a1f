import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import type { ImageDataset } from "../landscapes/datasets.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import { trainDirect } from "./directTrainer.js";
import { LogisticKernelTrainer } from "./logisticKernel.js";
import { tinyImageDataset } from "../../test/helpers/tinyImageData.js";
import { expectSameRunResults } from "../../test/helpers/runResults.js";

const tinyData = (): ImageDataset => tinyImageDataset(SEED);

describe("kernel-coordinate logistic training = direct training on θ", () => {
  const model = new LogisticModel(tinyData());
  const rnd = seededRandom(SEED + 3);
  const theta0 = Float64Array.from({ length: model.dim }, () => rnd() - 0.5);
  const testSet = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
  const trainer = new LogisticKernelTrainer(model, theta0, testSet);
  const train = [0, 3, 5, 5, 9, 11];
  const etas = [0.01, 0.3, 2];
  for (const [name, s] of [
    ["vanilla", sgdSchedule(6)],
    ["batch 2, 3 epochs, shuffled", sgdSchedule(6, { batch: 3, epochs: 3, shuffle: true })],
    ["momentum 0.9", sgdSchedule(6, { momentum: Rational.of(9, 10), epochs: 2 })],
    ["GD", gdSchedule(6, 5)],
  ] as const) {
    test(name, () => {
      expectSameRunResults(trainer.run(train, s, etas, new Rng(SEED)), trainDirect(model, theta0, train, testSet, s, etas, new Rng(SEED)));
    });
  }
  test("a diverging run reports the step", () => {
    const [r] = trainer.run(train, sgdSchedule(6), [1.7e308], new Rng(SEED));
    expect(r.diverged).toBeTypeOf("number");
  });
});

describe("kernel trainer fast paths", () => {
  test("gramRow (pixel-major, four nonzero pixels at a time) equals the plain dense dot product bit for bit", () => {
    const model = new LogisticModel(tinyData());
    const testSet = Array.from({ length: 17 }, (_, q) => (q * 7) % model.data.size);
    const trainer = new LogisticKernelTrainer(model, model.theta0(0), testSet);
    let checked = 0;
    for (let i = 0; i < 12; i++) {
      const row = trainer.gramRow(i);
      testSet.forEach((j, q) => {
        expect(row[q]).toBe(trainer.dot(i, j));
        checked++;
      });
    }
    expect(checked).toBe(12 * 17);
  });
});
