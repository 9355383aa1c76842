import picomatch from 'picomatch';
import { isGlob } from './glob-base';
import { normalizePattern } from './match-pattern';

/**
 * Why `pattern` is not a usable glob, or undefined when it is. picomatch reads an unclosed
 * `[abc` as the literal file name `[abc` and an unclosed `{a,b` as a literal brace, so such a
 * typo would silently own nothing; strict brackets make it an error the plan can report.
 * A stray closer in an otherwise literal path (`notes)`) is a real file name and passes.
 */
export function validatePattern(pattern: string): string | undefined {
  // Plans repeat patterns across lanes (a shared `forbids`): compile each once.
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  if (verdicts.size >= CACHE_LIMIT) verdicts.clear();
  const verdict = judgePattern(pattern);
  verdicts.set(pattern, verdict);
  return verdict;
}

const CACHE_LIMIT = 100_000;
/** picomatch refuses longer patterns (its `maxLength`). */
const MAX_PATTERN_LENGTH = 65_536;
const verdicts = new Map<string, string | undefined>();

function judgePattern(pattern: string): string | undefined {
  const p = normalizePattern(pattern);
  if (!isGlob(p) && !/[[{(]/.test(p)) return undefined;
  // Only a bracket, brace or parenthesis can be left open or stray (`*`, `?` and `**` always
  // compile), so most globs need no compiling here: a plan of 10,000 lanes owns 10,000 of them.
  if (!/[[\](){}]/.test(p) && p.length <= MAX_PATTERN_LENGTH) return undefined;
  try {
    picomatch.makeRe(p, { dot: true, strictBrackets: true });
    return undefined;
  } catch (error) {
    // picomatch says `Missing closing: "]" - use "\\]" to match literal characters`; the advice
    // does not hold here, where a literal path is compared as written.
    const why = (error instanceof Error ? error.message : String(error)).split(' - ')[0];
    return `\`${pattern}\` is not a valid glob: ${why.charAt(0).toLowerCase()}${why.slice(1)}.`;
  }
}
