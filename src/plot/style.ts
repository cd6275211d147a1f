/**
 * The one plotting style of every Vega-Lite figure (the report's, `compare`'s): fonts that stay
 * readable at the report's width, opaque legend symbols shaped by the mark they stand for
 * (line, point, band), at most two panels per row, and legends below the plot so long labels
 * are not cut. {@link styled} is applied by the renderer, so no figure can miss it; spec
 * builders use {@link STYLE_CONFIG} through `frame`/`figure` as well.
 *
 * @module
 */

/** Width (px) at which the report shows a figure; panels are laid out to fit it. */
export const REPORT_WIDTH = 1100;

/** Panels per row at most: two ~320 px panels plus axes fit {@link REPORT_WIDTH}. */
export const MAX_PANELS_PER_ROW = 2;

/** Axis title of a loss: the losses here are cross-entropies or squared errors in nats. */
export function lossTitle(what: string): string {
  return `${what} (nats)`;
}

/** Top-level Vega-Lite `config` shared by every figure. */
export const STYLE_CONFIG = {
  font: "DejaVu Sans, sans-serif",
  title: { fontSize: 14, subtitleFontSize: 12, limit: REPORT_WIDTH - 40 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleLimit: 400, labelLimit: 200 },
  // Legends sit below the plot: their labels may be long without squeezing the panels.
  legend: { orient: "bottom", direction: "vertical", columns: 2, labelFontSize: 12, titleFontSize: 12, labelLimit: 420, symbolOpacity: 1, symbolStrokeWidth: 2.5, symbolSize: 120 },
  concat: { spacing: 24 },
  view: { stroke: "#ccc" },
} as const;

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Splits `items` into rows of at most `n`. */
function chunk<T>(items: readonly T[], n: number): T[][] {
  const rows: T[][] = [];
  items.forEach((p, i) => (i % n === 0 ? rows.push([p]) : rows[rows.length - 1].push(p)));
  return rows;
}

/** Re-lays out concatenated panels so no row holds more than {@link MAX_PANELS_PER_ROW}. */
function limitPanelsPerRow(spec: Json): Json {
  const out: Json = { ...spec };
  // A grid written as vconcat of hconcat rows: flatten and re-chunk.
  if (Array.isArray(out.vconcat) && out.vconcat.every((r) => isObj(r) && Array.isArray(r.hconcat) && Object.keys(r).length === 1)) {
    const panels = (out.vconcat as Json[]).flatMap((r) => r.hconcat as unknown[]);
    if ((out.vconcat as Json[]).some((r) => (r.hconcat as unknown[]).length > MAX_PANELS_PER_ROW)) {
      out.vconcat = chunk(panels, MAX_PANELS_PER_ROW).map((r) => (r.length === 1 ? r[0] : { hconcat: r }));
    }
  } else if (Array.isArray(out.hconcat) && out.hconcat.length > MAX_PANELS_PER_ROW) {
    out.vconcat = chunk(out.hconcat as unknown[], MAX_PANELS_PER_ROW).map((r) => (r.length === 1 ? r[0] : { hconcat: r }));
    delete out.hconcat;
  }
  if (Array.isArray(out.concat) && typeof out.columns === "number" && out.columns > MAX_PANELS_PER_ROW) out.columns = MAX_PANELS_PER_ROW;
  if (isObj(out.facet) || out.facet !== undefined) {
    if (typeof out.columns === "number" && out.columns > MAX_PANELS_PER_ROW) out.columns = MAX_PANELS_PER_ROW;
  }
  for (const k of ["vconcat", "hconcat", "concat"]) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((s) => (isObj(s) ? limitPanelsPerRow(s) : s));
  return out;
}

/** The mark type of a unit (`"point"`, `"line"`, `"area"`, …). */
function markType(unit: Json): string | null {
  const m = unit.mark;
  if (typeof m === "string") return m;
  if (isObj(m) && typeof m.type === "string") return m.type;
  return null;
}

/**
 * A colour legend whose symbols are shaped by mark: a filled circle for the series drawn as
 * points (`pointSeries`), a thick stroke for the lines. Opaque either way.
 */
export function legendShapedByMark(pointSeries: readonly string[]): Json {
  const isPoint = `indexof(${JSON.stringify(pointSeries)}, datum.value) >= 0`;
  return {
    symbolOpacity: 1,
    encode: {
      symbols: {
        update: {
          shape: { signal: `${isPoint} ? 'circle' : 'stroke'` },
          strokeWidth: { signal: `${isPoint} ? 0 : 3` },
          fillOpacity: { value: 1 },
          strokeOpacity: { value: 1 },
        },
      },
    },
  };
}

/** The series values of the rows a unit draws (its inline data, `field` column). */
function seriesOf(unit: Json, field: string): string[] {
  const d = unit.data;
  if (!isObj(d) || !Array.isArray(d.values)) return [];
  return [...new Set((d.values as unknown[]).filter(isObj).map((r) => r[field]).filter((v): v is string => typeof v === "string"))];
}

/**
 * Legend symbols drawn opaque, shaped by the lines and points of a layered unit: without this
 * Vega-Lite draws a band's colour with the band's 25% opacity in the legend. Applied to every
 * layered unit that has a line or a point.
 */
function legendFromLinesAndPoints(spec: Json): Json {
  const out: Json = { ...spec };
  if (Array.isArray(out.layer)) {
    const layers = (out.layer as unknown[]).map((l) => (isObj(l) ? legendFromLinesAndPoints(l) : l));
    const kinds = layers.filter(isObj).map(markType);
    const hasPrimary = kinds.some((k) => k === "line" || k === "point" || k === "circle");
    // Series drawn as points (inline data) get a circle in the legend, the others a stroke.
    const colourField = layers.filter(isObj).map((l) => (isObj(l.encoding) && isObj(l.encoding.color) ? l.encoding.color.field : undefined)).find((f): f is string => typeof f === "string");
    const pointSeries = colourField === undefined ? [] : layers.filter((l): l is Json => isObj(l) && (markType(l) === "point" || markType(l) === "circle")).flatMap((l) => seriesOf(l, colourField));
    const hasLines = layers.some((l) => isObj(l) && markType(l) === "line");
    out.layer = layers.map((l) => {
      if (!isObj(l) || !hasPrimary) return l;
      const k = markType(l);
      const enc0 = isObj(l.encoding) ? l.encoding : null;
      // Every layer of the unit gets the same explicit, opaque legend: Vega-Lite merges the
      // layers' legends into one, and a `legend: null` on any layer (or two different explicit
      // legends) can make the merged legend vanish altogether.
      if (enc0 === null || !isObj(enc0.color) || enc0.color.legend !== undefined) return l;
      const legend = hasLines && pointSeries.length > 0 ? legendShapedByMark(pointSeries) : { symbolOpacity: 1 };
      return { ...l, encoding: { ...enc0, color: { ...enc0.color, legend } } };
    });
  }
  for (const k of ["vconcat", "hconcat", "concat"]) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((s) => (isObj(s) ? legendFromLinesAndPoints(s) : s));
  if (isObj(out.spec)) out.spec = legendFromLinesAndPoints(out.spec);
  return out;
}

/**
 * The house style applied to a finished spec: shared config (the spec's own config wins where it
 * sets something the style does not), panels per row limited, legend symbols from lines and
 * points only. Pure: returns a new spec.
 */
export function styled(spec: object): object {
  const s = spec as Json;
  const own = isObj(s.config) ? s.config : {};
  const config: Json = { ...STYLE_CONFIG };
  for (const [k, v] of Object.entries(own)) config[k] = isObj(v) && isObj(config[k]) ? { ...(config[k] as Json), ...v, ...styleWins(k) } : config[k] ?? v;
  return legendFromLinesAndPoints(limitPanelsPerRow({ ...s, config }));
}

/** Style settings a figure's own config may not override (they are what the issue asked for). */
function styleWins(section: string): Json {
  const c = (STYLE_CONFIG as Json)[section];
  if (!isObj(c)) return {};
  const keep = ["symbolOpacity", "labelLimit", "labelFontSize", "titleFontSize", "orient", "direction", "columns"];
  return Object.fromEntries(Object.entries(c).filter(([k]) => keep.includes(k)));
}

/**
 * A domain that holds every value with a margin (4% of the span, multiplicative on a log
 * scale), so points and error bars at the edge are drawn whole instead of clipped.
 */
export function paddedDomain(values: readonly number[], log = false): [number, number] | undefined {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return undefined;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  if (log) {
    const f = Math.pow(hi / lo || 1, 0.04) || 1.1;
    return [lo / Math.max(f, 1.05), hi * Math.max(f, 1.05)];
  }
  const pad = 0.04 * (hi - lo || Math.abs(hi) || 1);
  return [lo - pad, hi + pad];
}
