import { InvalidArgumentError } from "../errors.js";
import type { Schedule } from "../schedule/schedule.js";
import { stepCount } from "../schedule/schedule.js";
import type { Rng } from "../stats/rng.js";

/**
 * The batches of one realisation of a schedule, as positions `0..N-1` into the training
 * set; a shuffled schedule draws an independent permutation per epoch from `rng`.
 */
export function realiseBatches(s: Schedule, rng: Rng): number[][] {
  switch (s.kind) {
    case "custom":
      return s.batches.map((b) => [...b]);
    case "gd": {
      const all = Array.from({ length: s.N }, (_, n) => n);
      return Array.from({ length: s.T }, () => all);
    }
    case "sgd": {
      const out: number[][] = [];
      const Nb = s.N / s.batch;
      for (let e = 0; e < s.epochs; e++) {
        const order = s.shuffle ? Array.from(rng.permutation(s.N)) : Array.from({ length: s.N }, (_, n) => n);
        for (let j = 0; j < Nb; j++) out.push(order.slice(j * s.batch, (j + 1) * s.batch));
      }
      return out;
    }
  }
}

/** Per-step learning-rate multipliers `r_t` as numbers (1 when absent). */
export function stepRates(s: Schedule): Float64Array {
  const T = stepCount(s);
  const r = new Float64Array(T).fill(1);
  s.etaScale?.forEach((x, t) => (r[t] = x.toNumber()));
  return r;
}

/** Heavy-ball β as a number (0 when absent). */
export function momentumOf(s: Schedule): number {
  const b = s.momentum === undefined ? 0 : s.momentum.toNumber();
  if (!(b >= 0 && b < 1)) throw new InvalidArgumentError("momentumOf", "momentum", "in [0, 1)", b);
  return b;
}
