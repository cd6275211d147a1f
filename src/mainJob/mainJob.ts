/**
 * The main job (predict, simulate, compare) — one experiment of the harness. This file gathers
 * its parts for the CLI and the public API: {@link MainJobConfig} (config.ts), the model bound to
 * the config's optimizer (setup.ts), the prediction (predict.ts), the simulation (simulate.ts)
 * and the comparison (compare.ts).
 *
 * @module
 */
export * from "./config.js";
export * from "./setup.js";
export * from "./predict.js";
export * from "./simulate.js";
export * from "./compare.js";
export * from "./cost.js";
export * from "./measuredRate.js";
export { writeOutput } from "../harness/output.js";
export { BudgetExceededError } from "../errors.js";
