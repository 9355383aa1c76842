/**
 * The candidate closest to `word`, when it is close enough to be a likely typo
 * (`lane` for `after` is not; `ownes` for `owns` is). Used for "did you mean `x`?" hints.
 */
export function suggestName(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  // One edit per three characters, at least one: catches typos, not unrelated words.
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = measureEditDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function measureEditDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** `did you mean `x`?` sentence, or '' when nothing is close. */
export function describeSuggestion(word: string, candidates: Iterable<string>): string {
  const suggestion = suggestName(word, candidates);
  return suggestion === undefined ? '' : ` Did you mean \`${suggestion}\`?`;
}
