/**
 * "Did you mean …?" for unknown flags, commands and experiment ids.
 *
 * Hand-written rather than a dependency: the CLI compares a typo against at most a few dozen
 * names, and the optimal-string-alignment distance (Levenshtein plus adjacent swaps, so
 * `--ordre` is one edit from `--order`) is a dozen lines.
 *
 * @module
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input` (case-insensitive), or `undefined` when none is close: at
 * most 1 edit for names up to 4 letters, 2 up to 8, 3 beyond. Ties go to the earlier candidate.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const x = input.toLowerCase();
  const limit = x.length <= 4 ? 1 : x.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const dist = editDistance(x, c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

/** `" (did you mean X?)"` when a candidate is close, else `""`: appended to an error line. */
export function didYouMean(input: string, candidates: readonly string[], render: (name: string) => string = (n) => n): string {
  const c = closest(input, candidates);
  return c === undefined ? "" : ` (did you mean ${render(c)}?)`;
}
