/**
 * Draws space-time pictures: the grid of steps × training data with a diagram embedded, in the
 * style of the paper (thin edges for contractions, fuzzy coloured bands for ties). Pure
 * drawing from placements computed elsewhere; no mathematics here.
 *
 * @module
 */

/** One grid with one diagram placed on it. */
export interface SpacetimePanel {
  readonly caption: string;
  /** Batches of the schedule (step `t` uses the indices `batches[t]`). */
  readonly batches: readonly (readonly number[])[];
  readonly N: number;
  /** Steps at which a new epoch starts (drawn as dashed separators). */
  readonly epochStarts?: readonly number[];
  /** The diagram: `parents[i-1]` of node `i`; tie classes. */
  readonly parents: readonly number[];
  readonly ties: readonly (readonly number[])[];
  /** Cell of every node (node 0, the root, is placed in the root column / test row). */
  readonly steps: readonly number[];
  readonly data: readonly number[];
  /** Set for an illegal placement: the rule it breaks. */
  readonly illegal?: string;
}

/** A titled row of panels. */
export interface SpacetimeSection {
  readonly title: string;
  readonly note?: string;
  readonly panels: readonly SpacetimePanel[];
}

const TIE_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const CW = 30;
const CH = 24;
const LEFT = 34;
const TOP = 8;
const CAPTION = 34;
const MAX_WIDTH = 1120;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function panelSize(p: SpacetimePanel): { w: number; h: number } {
  const T = p.batches.length;
  return { w: LEFT + (T + 1) * CW + 12, h: TOP + (p.N + 1) * CH + 16 + CAPTION };
}

/** Wraps a caption into at most three lines of about `chars` characters. */
function wrap(text: string, chars: number): string[] {
  const words = text.split(" ");
  const lines: string[] = [""];
  for (const w of words) {
    const cur = lines[lines.length - 1];
    if (cur.length > 0 && cur.length + 1 + w.length > chars) lines.push(w);
    else lines[lines.length - 1] = cur.length === 0 ? w : `${cur} ${w}`;
  }
  return lines.slice(0, 3);
}

function drawPanel(p: SpacetimePanel, ox: number, oy: number): string {
  const T = p.batches.length;
  const { w } = panelSize(p);
  const out: string[] = [`<g transform="translate(${ox},${oy})">`];
  const gx = (t: number) => LEFT + t * CW;
  const gy = (row: number) => TOP + row * CH; // rows 0..N−1 data, N = test
  // Cells: batch membership shaded.
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < p.N; n++) {
      const inBatch = p.batches[t].includes(n);
      out.push(`<rect x="${gx(t)}" y="${gy(n)}" width="${CW}" height="${CH}" fill="${inBatch ? "#dcebf7" : "white"}" stroke="#bbb" stroke-width="0.6"/>`);
    }
  }
  // Root column and test row.
  out.push(`<rect x="${gx(T)}" y="${gy(p.N)}" width="${CW}" height="${CH}" fill="#f3f3f3" stroke="#bbb" stroke-width="0.6"/>`);
  for (const e of p.epochStarts ?? []) out.push(`<line x1="${gx(e)}" y1="${gy(0) - 3}" x2="${gx(e)}" y2="${gy(p.N) + 3}" stroke="#444" stroke-width="1.2" stroke-dasharray="3,2"/>`);
  out.push(`<line x1="${gx(T)}" y1="${gy(0)}" x2="${gx(T)}" y2="${gy(p.N + 1)}" stroke="#888" stroke-width="0.8"/>`);
  // Labels.
  for (let n = 0; n < p.N; n++) out.push(`<text x="${LEFT - 4}" y="${gy(n) + CH / 2 + 4}" font-size="10" text-anchor="end">x${n}</text>`);
  out.push(`<text x="${LEFT - 4}" y="${gy(p.N) + CH / 2 + 4}" font-size="10" text-anchor="end">test</text>`);
  for (let t = 0; t < T; t++) out.push(`<text x="${gx(t) + CW / 2}" y="${gy(p.N + 1) + 11}" font-size="9" text-anchor="middle">${t + 1}</text>`);
  out.push(`<text x="${gx(T) + CW / 2}" y="${gy(p.N + 1) + 11}" font-size="9" text-anchor="middle">T</text>`);
  // Node positions: spread nodes sharing a cell.
  const d = p.parents.length;
  const px = new Array<number>(d + 1);
  const py = new Array<number>(d + 1);
  const byCell = new Map<string, number[]>();
  for (let v = 0; v <= d; v++) {
    const key = v === 0 ? "root" : `${p.steps[v]},${p.data[v]}`;
    const list = byCell.get(key) ?? [];
    list.push(v);
    byCell.set(key, list);
  }
  for (const [key, list] of byCell) {
    list.forEach((v, i) => {
      const cx = key === "root" ? gx(T) + CW / 2 : gx(p.steps[v]) + CW / 2;
      const cy = key === "root" ? gy(p.N) + CH / 2 : gy(p.data[v]) + CH / 2;
      const spread = (i - (list.length - 1) / 2) * 8;
      px[v] = cx + spread;
      py[v] = cy + (list.length > 1 ? (i % 2 === 0 ? -3 : 3) : 0);
    });
  }
  const colourOf = new Array<string>(d + 1).fill("black");
  p.ties.forEach((cls, k) => {
    const colour = TIE_COLOURS[k % TIE_COLOURS.length];
    cls.forEach((v) => (colourOf[v] = colour));
    const pts = [...cls].sort((a, b) => px[a] - px[b] || py[a] - py[b]).map((v) => `${px[v].toFixed(1)},${py[v].toFixed(1)}`);
    out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-width="8" stroke-linecap="round" stroke-linejoin="round" opacity="0.5" filter="url(#fuzz)"/>`);
  });
  p.parents.forEach((q, i) => {
    const v = i + 1;
    out.push(`<line x1="${px[v].toFixed(1)}" y1="${py[v].toFixed(1)}" x2="${px[q].toFixed(1)}" y2="${py[q].toFixed(1)}" stroke="black" stroke-width="1"/>`);
  });
  for (let v = 0; v <= d; v++) {
    out.push(
      v === 0
        ? `<circle cx="${px[v].toFixed(1)}" cy="${py[v].toFixed(1)}" r="5" fill="white" stroke="black" stroke-width="1.5"/>`
        : `<circle cx="${px[v].toFixed(1)}" cy="${py[v].toFixed(1)}" r="3.6" fill="${colourOf[v]}" stroke="${colourOf[v]}"/>`,
    );
  }
  const capY = gy(p.N + 1) + 24;
  const lines = wrap(p.illegal === undefined ? p.caption : `✗ ${p.illegal}`, Math.max(18, Math.floor((w - 8) / 5.6)));
  lines.forEach((line, i) => out.push(`<text x="${LEFT}" y="${capY + i * 11}" font-size="9.5" fill="${p.illegal === undefined ? "#222" : "#c62828"}">${esc(line)}</text>`));
  if (p.illegal !== undefined) out.push(`<rect x="${LEFT - 2}" y="${gy(0) - 2}" width="${(T + 1) * CW + 4}" height="${(p.N + 1) * CH + 4}" fill="none" stroke="#c62828" stroke-width="2"/>`);
  out.push(`</g>`);
  return out.join("\n");
}

/** One SVG document with every section's panels, wrapped to a fixed width. */
export function renderSpacetimeSvg(sections: readonly SpacetimeSection[], title: string): string {
  const body: string[] = [];
  let y = 30;
  for (const s of sections) {
    body.push(`<text x="10" y="${y + 14}" font-size="14" font-weight="bold">${esc(s.title)}</text>`);
    y += 20;
    if (s.note !== undefined) {
      for (const line of wrap(s.note, 180)) {
        body.push(`<text x="10" y="${y + 11}" font-size="10.5" fill="#444">${esc(line)}</text>`);
        y += 13;
      }
    }
    y += 4;
    let x = 10;
    let rowH = 0;
    for (const p of s.panels) {
      const { w, h } = panelSize(p);
      if (x + w > MAX_WIDTH && x > 10) {
        x = 10;
        y += rowH + 6;
        rowH = 0;
      }
      body.push(drawPanel(p, x, y));
      x += w + 8;
      rowH = Math.max(rowH, h);
    }
    y += rowH + 14;
  }
  const H = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${MAX_WIDTH}" height="${H}" viewBox="0 0 ${MAX_WIDTH} ${H}" font-family="DejaVu Sans, sans-serif">`,
    `<defs><filter id="fuzz" x="-30%" y="-30%" width="160%" height="160%"><feGaussianBlur stdDeviation="2.5"/></filter></defs>`,
    `<rect width="${MAX_WIDTH}" height="${H}" fill="white"/>`,
    `<text x="10" y="20" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...body,
    `</svg>`,
  ].join("\n") + "\n";
}
