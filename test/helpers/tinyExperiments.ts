/** The experiments at tiny sizes, for tests (seconds instead of minutes). */
import { makeCubicChiExperiment, type CubicChiSizes } from "../../src/figures/cubicChi.js";
import type { Experiment } from "../../src/harness/experiment.js";
import { makeGaussFitExperiment, type GaussFitSizes } from "../../src/figures/gaussFit.js";
import { makeHelixExperiment, type HelixSizes } from "../../src/figures/helix.js";
import { makeResummationExperiment, type ResummationSizes } from "../../src/figures/resummation.js";
import { spacetimeExperiment } from "../../src/figures/spacetime.js";
import { makeTicSticExperiment, type TicSticSizes } from "../../src/figures/ticStic.js";

const both = <S>(s: S) => ({ quick: s, full: s });

export const TINY = {
  helix: both<HelixSizes>({
    etas: [0.05, 0.1],
    T: 300,
    runs: 20,
    chunk: 10,
    recordEvery: 50,
    circular: { eta: 0.2, T: 1000, runs: 2, chunk: 2, recordEvery: 250 },
    tilted: { eta: 0.1, alpha: 0.005, T: 300, runs: 10, chunk: 5, recordEvery: 100 },
  }),
  cubicChi: both<CubicChiSizes>({ T: 4, etas: [0.005, 0.01, 0.02, 0.05], scan: [0.1], runs: 4000, chunk: 1000, order: 5 }),
  gaussFit: both<GaussFitSizes>({ T: 1, etas: [0.1, 0.25], scan: [1, 2], runs: 2000, chunk: 1000, alpha: 8, order: 5 }),
  ticStic: both<TicSticSizes>({ S: 10, N: 10, eta: 0.05, T: 100, Hs: [1e-3, 0.25, 4], runs: 400, chunk: 200 }),
  resummation: both<ResummationSizes>({ eta: 0.01, Ts: [1, 10, 100, 1000, 10_000], simulatedTs: [10, 100], runs: 200 }),
};

/** The registry's experiments at tiny sizes (for CLI tests). */
export function tinyExperiments(): Experiment[] {
  return [
    spacetimeExperiment,
    makeHelixExperiment(TINY.helix),
    makeCubicChiExperiment(TINY.cubicChi),
    makeGaussFitExperiment(TINY.gaussFit),
    makeTicSticExperiment(TINY.ticStic),
    makeResummationExperiment(TINY.resummation),
  ];
}

