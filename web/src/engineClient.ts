/**
 * The page's side of the engine worker: one request at a time per kind; a newer table request
 * terminates a worker that is still busy (an order-5 table is not worth finishing once the
 * controls have moved on), so the newest controls always win and the page never waits.
 *
 * @module
 */
import type { EngineRequest, EngineResponse } from "./engineProtocol.js";

type Pending = { resolve: (r: EngineResponse) => void; onProgress?: (order: number, count: number) => void };

/** Distributes request payloads without their `id` (added here). */
type RequestBody = EngineRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export class EngineClient {
  #worker: Worker | null = null;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #busyTable: number | null = null;

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
      if (this.#busyTable === m.id) this.#busyTable = null;
      p.resolve(m);
    };
    return w;
  }

  /** Sends a request; resolves with the worker's answer, or with null if it was superseded. */
  request(body: RequestBody, onProgress?: (order: number, count: number) => void): Promise<EngineResponse | null> {
    if (body.kind === "table" && this.#busyTable !== null) {
      // Superseded: drop the busy worker and every answer it owed.
      this.#worker?.terminate();
      this.#worker = null;
      for (const p of this.#pending.values()) p.resolve(null as unknown as EngineResponse);
      this.#pending.clear();
      this.#busyTable = null;
    }
    this.#worker ??= this.#spawn();
    const id = this.#nextId++;
    if (body.kind === "table") this.#busyTable = id;
    return new Promise((resolve) => {
      this.#pending.set(id, { resolve: resolve as (r: EngineResponse) => void, onProgress });
      this.#worker!.postMessage({ ...body, id } as EngineRequest);
    });
  }
}
