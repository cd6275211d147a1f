/**
 * Side-effect module: installs a `Float16Array` on `globalThis` when the runtime lacks one.
 *
 * jax-js tests `data instanceof Float16Array` whenever it builds an array from a typed array,
 * and Node 20 has no native `Float16Array`, so without this shim every `np.array(buffer)`
 * throws a `ReferenceError`. `./jax.ts` imports this module *before* `@jax-js/jax`, and ES
 * modules are evaluated in import order, so the shim is in place before jax-js runs.
 *
 * Nothing outside `src/numerics/jax.ts` should import this file.
 */
import { Float16Array as Float16ArrayPolyfill } from "@petamoriken/float16";

const g = globalThis as { Float16Array?: unknown };
if (typeof g.Float16Array === "undefined") {
  g.Float16Array = Float16ArrayPolyfill;
}

/** True when the polyfill (not a native implementation) provides `globalThis.Float16Array`. */
export const FLOAT16_POLYFILLED: boolean = g.Float16Array === Float16ArrayPolyfill;
