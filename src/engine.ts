/**
 * `sgd-diagrams/engine`: the exact core on its own — rationals, polynomials, truncated
 * series, schedules, diagrams and their coefficients (single diagrams or whole tables).
 *
 * Everything reachable from this file is plain TypeScript over `bigint`: no npm package, no
 * `node:` module, no jax-js and no polyfill, so it loads in a browser or a bundler as it is
 * and its type declarations stand alone (test/packaging.test.ts checks both). The full
 * library (`sgd-diagrams`) re-exports all of it.
 */
export * from "./algebra/index.js";
export * from "./schedule/schedule.js";
export * from "./diagrams/index.js";
export {
  InvalidArgumentError,
  DivisionByZeroError,
  InsufficientSamplesError,
  BudgetExceededError,
  InternalError,
} from "./errors.js";
