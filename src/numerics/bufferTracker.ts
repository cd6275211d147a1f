/**
 * Leak detection for tests: counts device buffers allocated and not yet freed.
 *
 * jax-js exposes `Array.refCount` per array (its own `refcount.test.ts` checks it on the
 * arrays a test holds), but no public count of live buffers, which is what a leak test of an
 * estimator needs: intermediates are invisible to the caller. Each backend, however, manages
 * memory through `malloc(size) → slot`, `incRef(slot)` and `decRef(slot)` (the documented
 * `Backend` interface in jax-js's typings). {@link trackBuffers} wraps those three methods on
 * the live `cpu` and `wasm` backend objects and mirrors the reference count of every slot
 * allocated while tracking is on. A slot still alive when the computation has finished is
 * a leak (modulo caches such as `jit` constants, which are freed by disposing the jitted
 * function).
 *
 * The backend objects are reached through jax-js's internal `getBackend`, which is not
 * exported from the package entry point; it lives in the `dist/backend-*.js` chunk that
 * `dist/index.js` imports. This module locates that chunk by reading `index.js`, so a jax-js
 * upgrade that renames it still works, and one that changes the mechanism makes
 * {@link trackBuffers} throw loudly instead of passing silently.
 *
 * For tests only; not part of the public API.
 *
 * @internal
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { InternalError } from "../errors.js";
import { requireNumerics } from "./jax.js";

interface BackendLike {
  malloc(size: number, initialData?: Uint8Array): number;
  incRef(slot: number): void;
  decRef(slot: number): void;
}

type GetBackend = (device: string) => BackendLike;

/** Live-buffer counter returned by {@link trackBuffers}. */
export interface BufferTracker {
  /** Slots allocated since tracking started that are still alive. */
  live(): number;
  /** Total slots allocated since tracking started. */
  allocated(): number;
  /** Restores the original backend methods. Idempotent. */
  stop(): void;
}

let getBackendPromise: Promise<GetBackend> | null = null;

async function loadGetBackend(): Promise<GetBackend> {
  const require = createRequire(import.meta.url);
  // The package's "exports" map only allows ".", so resolve the CJS entry and find dist/.
  const distDir = dirname(require.resolve("@jax-js/jax"));
  const indexSource = readFileSync(join(distDir, "index.js"), "utf8");
  const importLine = /import\s*\{([^}]*)\}\s*from\s*"\.\/(backend-[\w-]+\.js)"/.exec(indexSource);
  if (importLine === null) throw new InternalError("trackBuffers: cannot find the backend chunk import in @jax-js/jax/dist/index.js");
  const alias = /(\S+)\s+as\s+getBackend\b/.exec(importLine[1]);
  if (alias === null) throw new InternalError("trackBuffers: @jax-js/jax/dist/index.js no longer imports getBackend");
  const chunk = (await import(pathToFileURL(join(distDir, importLine[2])).href)) as Record<string, unknown>;
  const fn = chunk[alias[1]];
  if (typeof fn !== "function") throw new InternalError(`trackBuffers: export ${alias[1]} of ${importLine[2]} is not getBackend`);
  return fn as GetBackend;
}

/**
 * Starts counting live device buffers on the `cpu` and `wasm` backends.
 *
 * Only one tracker may be active at a time. Always `stop()` it (e.g. in `finally`).
 *
 * @example
 * ```ts
 * const tracker = await trackBuffers();
 * try { oracle.gradient(theta, x); expect(tracker.live()).toBe(0); } finally { tracker.stop(); }
 * ```
 */
export async function trackBuffers(): Promise<BufferTracker> {
  requireNumerics("trackBuffers");
  getBackendPromise ??= loadGetBackend();
  const getBackend = await getBackendPromise;
  if (active) throw new InternalError("trackBuffers: a tracker is already active");
  const counts = new Map<string, number>();
  let allocated = 0;
  const restorers: Array<() => void> = [];
  for (const device of ["cpu", "wasm"]) {
    const backend = getBackend(device);
    for (const m of ["malloc", "incRef", "decRef"] as const) {
      if (typeof backend[m] !== "function") throw new InternalError(`trackBuffers: ${device} backend has no ${m}()`);
    }
    const own = Object.getOwnPropertyDescriptors(backend);
    const malloc = backend.malloc;
    const incRef = backend.incRef;
    const decRef = backend.decRef;
    backend.malloc = function (size: number, initialData?: Uint8Array): number {
      const slot = malloc.call(this, size, initialData);
      counts.set(`${device}:${slot}`, 1);
      allocated++;
      return slot;
    };
    backend.incRef = function (slot: number): void {
      incRef.call(this, slot);
      const key = `${device}:${slot}`;
      const c = counts.get(key);
      if (c !== undefined) counts.set(key, c + 1);
    };
    backend.decRef = function (slot: number): void {
      decRef.call(this, slot);
      const key = `${device}:${slot}`;
      const c = counts.get(key);
      if (c === undefined) return;
      if (c <= 1) counts.delete(key);
      else counts.set(key, c - 1);
    };
    restorers.push(() => {
      for (const m of ["malloc", "incRef", "decRef"] as const) {
        if (m in own) Object.defineProperty(backend, m, own[m]);
        else delete (backend as Partial<BackendLike>)[m];
      }
    });
  }
  active = true;
  let stopped = false;
  return {
    live: () => counts.size,
    allocated: () => allocated,
    stop() {
      if (stopped) return;
      stopped = true;
      active = false;
      for (const r of restorers) r();
    },
  };
}

let active = false;
