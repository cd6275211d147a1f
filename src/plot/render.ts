import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Renders a Vega-Lite spec to a static SVG document, headlessly (vega's View with no
 * renderer; text is measured without a canvas, so sizes are estimates).
 */
export async function renderSvg(spec: object): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG document to PNG bytes (resvg; white background). */
export function svgToPng(svg: string, width = 900): Buffer {
  const r = new Resvg(svg, { background: "white", fitTo: { mode: "width", value: width } });
  return r.render().asPng();
}
