/**
 * Redis's glob matching (stringmatchlen) over bytes: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, and
 * `\x` escapes. Used by KEYS, SCAN MATCH, CONFIG GET, and ACL key patterns.
 */
export function globMatch(pattern: Uint8Array, str: Uint8Array, nocase = false): boolean {
  return match(pattern, 0, str, 0, nocase, 0, { skipLonger: false });
}

/**
 * Redis's skipLongerMatches: once the rest of a pattern after `*` failed because the string
 * ran out, trying longer skips for any enclosing `*` cannot succeed either. This keeps
 * patterns like `*a*a*a*...b` linear-ish instead of exponential.
 */
interface MatchState {
  skipLonger: boolean;
}

const STAR = 42;
const QMARK = 63;
const LBRACKET = 91;
const RBRACKET = 93;
const BACKSLASH = 92;
const CARET = 94;
const DASH = 45;
/** Recursion limit, as Redis guards against patterns like `*a*a*a*...`. */
const MAX_NESTING = 1000;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function match(
  p: Uint8Array,
  pi: number,
  s: Uint8Array,
  si: number,
  nocase: boolean,
  nesting: number,
  st: MatchState,
): boolean {
  if (nesting > MAX_NESTING) return false;
  while (pi < p.length && si <= s.length) {
    const c = p[pi];
    if (c === STAR) {
      while (pi + 1 < p.length && p[pi + 1] === STAR) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) {
        if (match(p, pi + 1, s, k, nocase, nesting + 1, st)) return true;
        if (st.skipLonger) return false;
      }
      st.skipLonger = true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === QMARK) {
      si++;
      pi++;
      continue;
    }
    if (c === LBRACKET) {
      pi++;
      const not = p[pi] === CARET;
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= p.length) {
          pi--;
          break;
        }
        if (p[pi] === BACKSLASH && pi + 2 < p.length) {
          pi++;
          if (p[pi] === s[si]) matched = true;
        } else if (p[pi] === RBRACKET) {
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === DASH) {
          let start = p[pi];
          let end = p[pi + 2];
          let ch = s[si];
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            ch = lower(ch);
          }
          pi += 2;
          if (ch >= start && ch <= end) matched = true;
        } else if (nocase ? lower(p[pi]) === lower(s[si]) : p[pi] === s[si]) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
      pi++;
      continue;
    }
    if (c === BACKSLASH && pi + 1 < p.length) pi++;
    if (nocase ? lower(p[pi]) !== lower(s[si]) : p[pi] !== s[si]) return false;
    si++;
    pi++;
  }
  if (si !== s.length) return false;
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}
