/**
 * The page's side of the engine worker. One table at a time: a change that arrives while a
 * table is being computed waits for it (the worker stays warm: V8 has optimised the engine by
 * then, which halves later tables) and only the newest waiting change is computed; a table
 * still running after {@link STALE_MS} is abandoned (the worker is restarted) so that the page
 * never waits long for numbers nobody wants any more. Superseded requests resolve to null.
 *
 * @module
 */
import type { EngineRequest, EngineResponse } from "./engineProtocol.js";

/** Distributes request payloads without their `id` (added here). */
type RequestBody = EngineRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

type Pending = { resolve: (r: EngineResponse | null) => void; onProgress?: (order: number, count: number) => void };

/** A table running longer than this is abandoned when a newer change arrives. */
const STALE_MS = 1500;

export class EngineClient {
  #worker: Worker | null = null;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #busy: { id: number; since: number } | null = null;
  #queued: { body: RequestBody; pending: Pending } | null = null;

  #spawn(): Worker {
    const w = new Worker(new URL("./engineWorker.ts", import.meta.url), { type: "module" });
    w.onmessage = (ev: MessageEvent<EngineResponse>) => {
      const m = ev.data;
      const p = this.#pending.get(m.id);
      if (p === undefined) return;
      if (m.kind === "progress") {
        p.onProgress?.(m.order, m.count);
        return;
      }
      this.#pending.delete(m.id);
      if (this.#busy?.id === m.id) {
        this.#busy = null;
        const next = this.#queued;
        this.#queued = null;
        if (next !== null) this.#send(next.body, next.pending);
      }
      p.resolve(m);
    };
    return w;
  }

  #send(body: RequestBody, pending: Pending): void {
    this.#worker ??= this.#spawn();
    const id = this.#nextId++;
    if (body.kind === "table") this.#busy = { id, since: performance.now() };
    this.#pending.set(id, pending);
    this.#worker.postMessage({ ...body, id } as EngineRequest);
  }

  /** Sends a request; resolves with the worker's answer, or with null if it was superseded. */
  request(body: RequestBody, onProgress?: (order: number, count: number) => void): Promise<EngineResponse | null> {
    return new Promise((resolve) => {
      const pending: Pending = { resolve, onProgress };
      if (body.kind !== "table" || this.#busy === null) {
        this.#send(body, pending);
        return;
      }
      this.#queued?.pending.resolve(null); // only the newest waiting change matters
      this.#queued = { body, pending };
      if (performance.now() - this.#busy.since > STALE_MS) {
        // Abandon the long-running table (and everything the old worker owed).
        this.#worker?.terminate();
        this.#worker = null;
        this.#busy = null;
        for (const p of this.#pending.values()) p.resolve(null);
        this.#pending.clear();
        const next = this.#queued;
        this.#queued = null;
        this.#send(next.body, next.pending);
      }
    });
  }
}
