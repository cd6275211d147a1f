/**
 * Messages between the page and the exact-engine worker. Only plain data crosses the boundary
 * (structured clone drops the Rational class), so the worker rebuilds the schedule itself.
 *
 * @module
 */
import type { DiagramRecord } from "../../src/diagrams/format.js";
import type { ExplorerState } from "./state.js";

export type EngineRequest =
  | { readonly id: number; readonly kind: "table"; readonly state: ExplorerState }
  | { readonly id: number; readonly kind: "warm" }
  | { readonly id: number; readonly kind: "embeddings"; readonly state: ExplorerState; readonly diagram: Pick<DiagramRecord, "order" | "parents" | "ties" | "value" | "coefficient" | "automorphisms"> };

export type EngineResponse =
  | {
      readonly id: number;
      readonly kind: "table";
      readonly rows: DiagramRecord[];
      readonly T: number;
      /** The variables of the `polynomial` column and what they stand for (e.g. `invB: "1/B"`), or null. */
      readonly polynomialVariables: Readonly<Record<string, string>> | null;
      /** The equivalent command line. */
      readonly command: string;
      /** Time the engine took inside the worker. */
      readonly engineMs: number;
      /** When the worker started on it (`performance.timeOrigin + now()`, comparable across threads). */
      readonly startedAt: number;
    }
  | { readonly id: number; readonly kind: "embeddings"; readonly svg: string; readonly summary: string }
  | { readonly id: number; readonly kind: "warmed"; readonly ms: number }
  | { readonly id: number; readonly kind: "error"; readonly message: string }
  | { readonly id: number; readonly kind: "progress"; readonly order: number; readonly count: number };
