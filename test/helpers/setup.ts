import { expect } from "vitest";
import { SEED } from "./seed.js";

interface RationalLike {
  equals(o: unknown): boolean;
  toString(): string;
}

expect.extend({
  /** Elementwise `|a - b| <= atol + rtol·|b|` for numbers or arrays of numbers. */
  toBeAllclose(received: unknown, expected: unknown, opts: { rtol?: number; atol?: number } = {}) {
    const rtol = opts.rtol ?? 1e-7;
    const atol = opts.atol ?? 1e-10;
    const a = toArray(received);
    const b = toArray(expected);
    if (a.length !== b.length) {
      return { pass: false, message: () => `length ${a.length} != ${b.length} (seed ${SEED})` };
    }
    for (let i = 0; i < a.length; i++) {
      const ok = Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]);
      if (!ok) {
        return {
          pass: false,
          message: () => `element ${i}: ${a[i]} vs ${b[i]} (rtol ${rtol}, atol ${atol}, seed ${SEED})`,
        };
      }
    }
    return { pass: true, message: () => `arrays are close (seed ${SEED})` };
  },
  toEqualRational(received: RationalLike, expected: RationalLike) {
    const pass = received.equals(expected);
    return {
      pass,
      message: () => `expected ${received.toString()} ${pass ? "not " : ""}to equal ${expected.toString()}`,
    };
  },
});

function toArray(x: unknown): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof Float64Array || x instanceof Float32Array || Array.isArray(x)) return Array.from(x as ArrayLike<number>);
  throw new TypeError(`toBeAllclose: expected a number or array, got ${String(x)}`);
}
