import "vitest";

interface CustomMatchers<R = unknown> {
  toBeAllclose(expected: unknown, opts?: { rtol?: number; atol?: number }): R;
  toEqualRational(expected: unknown): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends CustomMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends CustomMatchers {}
}
