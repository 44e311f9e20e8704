/**
 * Redis's sdssplitargs over bytes: inline commands (`SET k "a b"\r\n`, telnet style), a
 * function library's shebang line (`#!lua name="lib"`).
 */

/** C isspace() in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Redis's sdssplitargs over bytes [s, e): blanks separate arguments; "double quotes" take
 * \xHH, \n, \r, \t, \b, \a and \<char> escapes; 'single quotes' take \' only; a closing quote must
 * be followed by a blank or the end. A NUL byte ends the line, as it does for the C string.
 * Returns null for unbalanced quotes. Plain arguments are views into `d`.
 */
export function splitArgs(d: Buffer, s: number, e: number): Buffer[] | null {
  const out: Buffer[] = [];
  let i = s;
  const at = (k: number): number => (k < e ? d[k] : 0);
  for (;;) {
    while (i < e && d[i] !== 0 && isSpace(d[i])) i++;
    if (i >= e || d[i] === 0) return out;
    const start = i;
    let quoted = false;
    for (; i < e; i++) {
      const c = d[i];
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) break;
      if (c === 34 || c === 39) {
        quoted = true;
        break;
      }
    }
    if (!quoted) {
      out.push(d.subarray(start, i));
      if (i < e && d[i] !== 0) i++;
      continue;
    }
    const bytes: number[] = [];
    for (let k = start; k < i; k++) bytes.push(d[k]);
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = at(i);
      const c1 = at(i + 1);
      if (inq) {
        if (c === 92 && c1 === 120 && hexValue(at(i + 2)) >= 0 && hexValue(at(i + 3)) >= 0) {
          bytes.push(hexValue(at(i + 2)) * 16 + hexValue(at(i + 3)));
          i += 3;
        } else if (c === 92 && c1 !== 0) {
          i++;
          bytes.push(escapeByte(c1));
        } else if (c === 34) {
          if (c1 !== 0 && !isSpace(c1)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          bytes.push(c);
        }
      } else if (insq) {
        if (c === 92 && c1 === 39) {
          i++;
          bytes.push(39);
        } else if (c === 39) {
          if (c1 !== 0 && !isSpace(c1)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          bytes.push(c);
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        bytes.push(c);
      }
      if (c !== 0) i++;
    }
    out.push(Buffer.from(bytes));
  }
}

function escapeByte(c: number): number {
  switch (c) {
    case 110: // n
      return 10;
    case 114: // r
      return 13;
    case 116: // t
      return 9;
    case 98: // b
      return 8;
    case 97: // a
      return 7;
    default:
      return c;
  }
}
