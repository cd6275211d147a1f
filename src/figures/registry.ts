/**
 * Every experiment `reproduce` knows, in report order. Append new experiments here.
 *
 * @module
 */
import { cubicChiExperiment } from "./cubicChi.js";
import type { Experiment } from "../harness/experiment.js";
import { gaussFitExperiment } from "./gaussFit.js";
import { helixExperiment } from "./helix.js";
import { resummationExperiment } from "./resummation.js";
import { spacetimeExperiment } from "./spacetime.js";
import { ticSticExperiment } from "./ticStic.js";
import { REAL_DATA_EXPERIMENTS } from "./realDataExperiments.js";

export const EXPERIMENTS: Experiment[] = [
  spacetimeExperiment,
  helixExperiment,
  cubicChiExperiment,
  gaussFitExperiment,
  ticSticExperiment,
  resummationExperiment,
  ...REAL_DATA_EXPERIMENTS,
];
