/**
 * The real-data experiments (issue 6: figures 2, 4, 6–10, 14), in report order.
 *
 * @module
 */
import { epochsExperiment, shufflingExperiment } from "./epochs.js";
import type { Experiment } from "../harness/experiment.js";
import { gdcExperiment } from "./gdc.js";
import { longCurvesExperiment } from "./longCurves.js";
import { gapVsEtaExperiment, testVsEtaExperiment } from "./lossVsEta.js";
import { modelSelectionExperiment } from "./modelSelection.js";
import { invHessExperiment, momentumExperiment } from "./momentum.js";

export const REAL_DATA_EXPERIMENTS: readonly Experiment[] = [
  testVsEtaExperiment,
  gapVsEtaExperiment,
  gdcExperiment,
  epochsExperiment,
  shufflingExperiment,
  momentumExperiment,
  invHessExperiment,
  modelSelectionExperiment,
  longCurvesExperiment,
];
