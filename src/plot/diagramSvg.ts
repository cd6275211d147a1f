/**
 * Draws diagrams in the paper's style: thin edges for contractions, fuzzy coloured bands
 * for ties, time flowing left to right (the root, the measurement, is rightmost).
 * Input rows are plain records (`parents`, `ties`, a caption); no physics here.
 */
export interface DrawableDiagram {
  readonly order: number;
  readonly parents: readonly number[];
  readonly ties: readonly (readonly number[])[];
  readonly coefficient?: string;
  readonly caption?: string;
}

const TIE_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const CELL_W = 170;
const CELL_H = 120;

/** Node positions for one diagram inside a `w × h` box. */
export function layoutDiagram(d: DrawableDiagram, w: number, h: number): { x: number[]; y: number[] } {
  const n = d.order + 1;
  const ch: number[][] = Array.from({ length: n }, () => []);
  d.parents.forEach((p, i) => ch[p].push(i + 1));
  const depth = new Array<number>(n).fill(0);
  const order: number[] = [0];
  for (let k = 0; k < order.length; k++) for (const c of ch[order[k]]) (depth[c] = depth[order[k]] + 1), order.push(c);
  const maxDepth = Math.max(1, ...depth);
  const slot = new Array<number>(n).fill(0);
  let leaves = 0;
  const place = (v: number): void => {
    if (ch[v].length === 0) slot[v] = leaves++;
    else {
      ch[v].forEach(place);
      slot[v] = ch[v].reduce((s, c) => s + slot[c], 0) / ch[v].length;
    }
  };
  place(0);
  const dx = (w - 30) / maxDepth;
  const dy = (h - 20) / Math.max(1, leaves);
  return {
    x: depth.map((dep) => w - 15 - dep * dx),
    y: slot.map((s) => 10 + (s + 0.5) * dy),
  };
}

/** One SVG document with a grid of diagrams and their captions. */
export function renderDiagramsSvg(rows: readonly DrawableDiagram[], columns = 6): string {
  const cols = Math.max(1, Math.min(columns, rows.length));
  const nrows = Math.ceil(rows.length / cols);
  const W = cols * CELL_W;
  const H = Math.max(1, nrows) * CELL_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<defs><filter id="fuzz" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="3"/></filter></defs>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  rows.forEach((d, k) => {
    const ox = (k % cols) * CELL_W;
    const oy = Math.floor(k / cols) * CELL_H;
    const { x, y } = layoutDiagram(d, CELL_W, CELL_H - 25);
    parts.push(`<g transform="translate(${ox},${oy})">`);
    d.ties.forEach((cls, t) => {
      const pts = [...cls].sort((a, b) => x[a] - x[b] || y[a] - y[b]).map((v) => `${x[v].toFixed(1)},${y[v].toFixed(1)}`);
      const colour = TIE_COLOURS[t % TIE_COLOURS.length];
      parts.push(
        `<polyline points="${pts.join(" ")}" fill="none" stroke="${colour}" stroke-width="9" stroke-linecap="round" stroke-linejoin="round" opacity="0.55" filter="url(#fuzz)"/>`,
      );
    });
    d.parents.forEach((p, i) => {
      parts.push(`<line x1="${x[i + 1].toFixed(1)}" y1="${y[i + 1].toFixed(1)}" x2="${x[p].toFixed(1)}" y2="${y[p].toFixed(1)}" stroke="black" stroke-width="1"/>`);
    });
    const colourOf = new Array<string>(d.order + 1).fill("black");
    d.ties.forEach((cls, t) => cls.forEach((v) => (colourOf[v] = TIE_COLOURS[t % TIE_COLOURS.length])));
    for (let v = 0; v <= d.order; v++) {
      const r = v === 0 ? 5 : 3.5;
      const fill = v === 0 ? "white" : colourOf[v];
      const stroke = v === 0 ? colourOf[0] : colourOf[v];
      parts.push(`<circle cx="${x[v].toFixed(1)}" cy="${y[v].toFixed(1)}" r="${r}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`);
    }
    const caption = d.caption ?? (d.coefficient !== undefined ? `${d.coefficient} · η^${d.order}` : "");
    parts.push(`<text x="${CELL_W / 2}" y="${CELL_H - 8}" font-size="11" text-anchor="middle">${escapeXml(caption)}</text>`);
    parts.push(`</g>`);
  });
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
