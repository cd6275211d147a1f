import { createRequire } from "node:module";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { MissingPackageError } from "../errors.js";
import { styled } from "./style.js";

type Resvg = typeof import("@resvg/resvg-js");

let resvg: Resvg | undefined;

/**
 * resvg on first use: its native binary is an optional dependency of `@resvg/resvg-js`, so
 * `npm install --omit=optional` (the way to skip this package's data sets) leaves it out;
 * only PNG output needs it, so everything else keeps working and PNG output says how to
 * add it.
 */
function loadResvg(): Resvg {
  try {
    resvg ??= createRequire(import.meta.url)("@resvg/resvg-js") as Resvg;
    return resvg;
  } catch (e) {
    if ((e as { code?: unknown }).code !== "MODULE_NOT_FOUND") throw e;
    throw new MissingPackageError("@resvg/resvg-js", "PNG output", "npm install @resvg/resvg-js --include=optional");
  }
}

/**
 * Renders a Vega-Lite spec to a static SVG document, headlessly (vega's View with no
 * renderer; text is measured without a canvas, so sizes are estimates), in the house style
 * ({@link styled}) so every figure shares it.
 */
export async function renderSvg(spec: object): Promise<string> {
  const view = new vega.View(vega.parse(compile(styled(spec) as TopLevelSpec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG document to PNG bytes (resvg; white background). */
export function svgToPng(svg: string, width = 900): Buffer {
  const r = new (loadResvg().Resvg)(svg, { background: "white", fitTo: { mode: "width", value: width } });
  return r.render().asPng();
}
