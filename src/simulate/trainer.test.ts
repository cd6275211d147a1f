import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { LogisticModel } from "../landscapes/logistic.js";
import { sgdSchedule } from "../schedule/schedule.js";
import { Rng } from "../stats/rng.js";
import { tinyImageDataset } from "../../test/helpers/tinyImageData.js";
import { expectSameRunResults } from "../../test/helpers/runResults.js";
import { LogisticKernelTrainer } from "./logisticKernel.js";
import { LogisticOptimizerTrainer } from "./logisticOptimizers.js";
import { LogisticSparseTrainer } from "./logisticSparse.js";
import { gdcOptimizer, sgdOptimizer } from "./optimizers.js";
import { kernelTrainer, logisticOptimizerTrainer, oracleTrainer, sparseTrainer } from "./trainer.js";

describe("one Trainer interface over the logistic trainers", () => {
  const model = new LogisticModel(tinyImageDataset(SEED));
  const rnd = seededRandom(SEED + 5);
  const theta0 = Float64Array.from({ length: model.dim }, () => rnd() - 0.5);
  const testSet = [20, 21, 22, 23, 24, 25];
  const train = [0, 3, 5, 5, 9, 11];
  const etas = [0.05, 0.5];
  // The reference: training on the weights through the oracle (trainWithOptimizer).
  const reference = oracleTrainer(model, theta0, testSet);
  const trainers = {
    kernel: kernelTrainer(new LogisticKernelTrainer(model, theta0, testSet)),
    sparse: sparseTrainer(new LogisticSparseTrainer(model, theta0, testSet)),
    optimizer: logisticOptimizerTrainer(new LogisticOptimizerTrainer(model, theta0, testSet)),
  };
  const sgd = sgdOptimizer(sgdSchedule(6, { batch: 2, epochs: 2, shuffle: true }));
  for (const [name, t] of Object.entries(trainers)) {
    test(`${name}: train(trainSet, optimizer, etas, rng) = the oracle trainer`, () => {
      expectSameRunResults(t.train(train, sgd, etas, new Rng(SEED)), reference.train(train, sgd, etas, new Rng(SEED)));
    });
  }
  test("schedule-only trainers refuse another optimizer in one line; the optimizer trainer takes it", () => {
    const gdc = gdcOptimizer(6, 3);
    expect(() => trainers.kernel.train(train, gdc, etas, new Rng(SEED))).toThrow(/LogisticKernelTrainer.*optimizer/);
    expect(() => trainers.sparse.train(train, gdc, etas, new Rng(SEED))).toThrow(/LogisticSparseTrainer.*optimizer/);
    expectSameRunResults(trainers.optimizer.train(train, gdc, etas, new Rng(SEED)), reference.train(train, gdc, etas, new Rng(SEED)));
  });
});
