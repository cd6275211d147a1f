/**
 * Rough wall-clock times of each `reproduce` experiment, for `reproduce --list`. Kept in the
 * CLI layer (not in the experiment registry) because they describe a machine, not the science.
 */
export interface TimeEstimate {
  readonly quick: string;
  readonly full: string;
}

const ESTIMATES: Readonly<Record<string, TimeEstimate>> = {};

/** The estimate for an experiment id, or `undefined` when none was measured. */
export function timeEstimate(id: string): TimeEstimate | undefined {
  return Object.prototype.hasOwnProperty.call(ESTIMATES, id) ? ESTIMATES[id] : undefined;
}
