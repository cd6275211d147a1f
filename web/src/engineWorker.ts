/**
 * The exact engine in a Web Worker, so that the page never freezes while an order-5 table
 * (hundreds of diagrams, BigInt rationals) is computed. The page terminates and restarts this
 * worker when a newer request supersedes a running one.
 *
 * @module
 */
import { symbolicForm } from "../../src/diagrams/symbolic.js";
import { coefficientTable } from "../../src/diagrams/table.js";
import { sgdSchedule, stepCount } from "../../src/schedule/schedule.js";
import type { EngineRequest, EngineResponse } from "./engineProtocol.js";
import { embeddingPicture } from "./embeddingPicture.js";
import { cliCommand, scheduleOf } from "./state.js";

const post = (m: EngineResponse) => (self as unknown as { postMessage(m: EngineResponse): void }).postMessage(m);

self.onmessage = (ev: MessageEvent<EngineRequest>) => {
  const req = ev.data;
  try {
    if (req.kind === "table") {
      const t0 = performance.now();
      const startedAt = performance.timeOrigin + t0;
      const schedule = scheduleOf(req.state);
      const rows = coefficientTable(schedule, req.state.order, req.state.loss, {
        onOrder: (order, count) => post({ id: req.id, kind: "progress", order, count }),
      });
      post({
        id: req.id,
        kind: "table",
        rows,
        T: stepCount(schedule),
        polynomialVariables: symbolicForm(schedule)?.variables ?? null,
        command: cliCommand(req.state, schedule),
        engineMs: performance.now() - t0,
        startedAt,
      });
    } else if (req.kind === "warm") {
      // A throw-away order-4 table of each loss: V8 optimises the engine's hot paths, so the
      // reader's next tables take about half as long.
      const t0 = performance.now();
      for (const loss of ["test", "train"] as const) coefficientTable(sgdSchedule(4, { batch: 2, epochs: 2 }), 4, loss);
      post({ id: req.id, kind: "warmed", ms: performance.now() - t0 });
    } else {
      post({ id: req.id, kind: "embeddings", ...embeddingPicture(req.state, req.diagram) });
    }
  } catch (e) {
    post({ id: req.id, kind: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
