/**
 * Turns a spec's one-line `syntax` (the notation of Redis's docs) into the structured argument
 * list COMMAND DOCS reports, so the synopsis is written once, in the table, and redis-cli's
 * hints come out of it. The notation:
 *
 *   word            an argument named `word` (lower case)
 *   WORD            a literal token; `WORD value` is an argument introduced by that token
 *   [ ... ]         optional;  < a | b >  one of;  `x [x ...]` or `x ...`  repeatable
 *
 * `parseSyntax` returns null for text it cannot read (unbalanced brackets), which the table
 * test reports, so a bad synopsis cannot reach a client.
 */

export interface DocArg {
  name: string;
  /** Redis's argument types: key, string, integer, double, pattern, unix-time, pure-token, oneof, block. */
  type: string;
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  arguments?: DocArg[];
}

const TOKEN_RE = /\[|\]|<|>|\||\.\.\.|[^\s[\]<>|]+/g;
const LITERAL_RE = /^[A-Z][A-Z0-9_-]*$/;

const KEY_NAMES = new Set(['key', 'source', 'destination', 'newkey']);
const INTEGER_NAMES = new Set([
  'seconds',
  'milliseconds',
  'count',
  'timeout',
  'numreplicas',
  'index',
  'index1',
  'index2',
  'db',
  'offset',
  'start',
  'end',
  'decrement',
  'client-id',
  'protover',
  'cursor',
  'len',
  'min-match-len',
]);

function typeOf(name: string): string {
  if (KEY_NAMES.has(name)) return 'key';
  if (name === 'pattern') return 'pattern';
  if (name.startsWith('unix-time')) return 'unix-time';
  if (INTEGER_NAMES.has(name)) return 'integer';
  return 'string';
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: string[]) {}

  /** alt := seq ('|' seq)*  -> one argument (single, block or oneof) */
  alt(close: string): DocArg | null {
    const parts: DocArg[] = [];
    for (;;) {
      const seq = this.seq();
      if (seq === null || seq.length === 0) return null;
      parts.push(seq.length === 1 ? seq[0] : block(seq));
      const t = this.toks[this.pos++];
      if (t === '|') continue;
      if (t !== close) return null;
      break;
    }
    if (parts.length === 1) return parts[0];
    return { name: parts.map((p) => p.name).join('_'), type: 'oneof', arguments: parts };
  }

  /**
   * seq := item*  (stops before '|', ']', '>' or the end). A `...` that ends a sequence of
   * several arguments repeats all of them (`[key value ...]`); otherwise the one before it.
   */
  seq(): DocArg[] | null {
    const out: DocArg[] = [];
    let pendingToken: string | null = null;
    const flush = () => {
      if (pendingToken !== null) out.push(pureToken(pendingToken));
      pendingToken = null;
    };
    for (;;) {
      const t = this.toks[this.pos];
      if (t === undefined || t === '|' || t === ']' || t === '>') break;
      this.pos++;
      if (t === '...') {
        flush();
        if (out.length === 0) return null;
        const next = this.toks[this.pos];
        const endsGroup = next === ']' || next === '>' || next === '|';
        if (endsGroup && out.length > 1) return [{ ...block(out), multiple: true }];
        out[out.length - 1].multiple = true;
        continue;
      }
      if (t === '[' && this.toks[this.pos] === '...' && this.toks[this.pos + 1] === ']') {
        // `[...]`: the previous argument repeats.
        this.pos += 2;
        flush();
        if (out.length === 0) return null;
        out[out.length - 1].multiple = true;
        continue;
      }
      let arg: DocArg | null;
      if (t === '[') {
        arg = this.alt(']');
        if (arg === null) return null;
        arg = { ...arg, optional: true };
      } else if (t === '<') {
        arg = this.alt('>');
        if (arg === null) return null;
      } else if (LITERAL_RE.test(t)) {
        flush();
        pendingToken = t;
        continue;
      } else {
        arg = { name: t, type: typeOf(t) };
      }
      if (pendingToken !== null && arg.token === undefined && !arg.optional) {
        // `TOKEN value` / `TOKEN <a | b>`: the token introduces the argument that follows.
        arg = { ...arg, token: pendingToken };
        pendingToken = null;
      }
      flush();
      if (!foldRepeat(out, arg)) out.push(arg);
    }
    flush();
    return out;
  }

  done(): boolean {
    return this.pos === this.toks.length;
  }
}

function pureToken(token: string): DocArg {
  return { name: token.toLowerCase(), type: 'pure-token', token };
}

function block(args: DocArg[]): DocArg {
  return { name: args.map((a) => a.name).join('_'), type: 'block', arguments: args };
}

function sameShape(a: DocArg, b: DocArg): boolean {
  if (a.name !== b.name || a.type !== b.type || a.token !== b.token) return false;
  const aa = a.arguments ?? [];
  const ba = b.arguments ?? [];
  return aa.length === ba.length && aa.every((x, i) => sameShape(x, ba[i]));
}

/**
 * `x [x ...]` and `k v [k v ...]`: an optional repeat of the arguments just before it makes
 * them one repeatable argument. Returns true when `arg` was folded into `out`.
 */
function foldRepeat(out: DocArg[], arg: DocArg): boolean {
  if (arg.optional !== true || arg.multiple !== true) return false;
  const { optional: _o, multiple: _m, ...plain } = arg;
  const body = plain.type === 'block' ? (plain.arguments ?? []) : [plain];
  if (body.length === 0 || body.length > out.length) return false;
  const tail = out.slice(out.length - body.length);
  // `TOKEN x [x ...]`: the token introduces the first value only (Redis's `multiple` without
  // `multiple_token`), so the repeat matches an argument that carries a token it does not.
  const same = (x: DocArg, y: DocArg) => sameShape(y.token === undefined ? { ...x, token: undefined } : x, y);
  if (!tail.every((x, i) => !x.optional && !x.multiple && same(x, body[i]))) return false;
  const folded = plain.type === 'block' ? { ...plain, multiple: true } : { ...tail[0], multiple: true };
  out.splice(out.length - body.length, body.length, folded);
  return true;
}

/** Structured arguments for a synopsis; [] for an empty one; null when it cannot be read. */
export function parseSyntax(syntax: string): DocArg[] | null {
  const toks = syntax.match(TOKEN_RE) ?? [];
  if (toks.length === 0) return [];
  const p = new Parser(toks);
  const seq = p.seq();
  if (seq === null || !p.done()) return null;
  return seq;
}

/** The synopsis redis-cli prints for these arguments (its cliConcatArguments), for tests and docs. */
export function renderArgs(args: readonly DocArg[], sep = ' '): string {
  return args.map(renderArg).join(sep);
}

function renderArg(a: DocArg): string {
  let repeat = '';
  if (a.type === 'oneof') repeat = renderArgs(a.arguments ?? [], '|');
  else if (a.type === 'block') repeat = renderArgs(a.arguments ?? [], ' ');
  else if (a.type !== 'pure-token') repeat = a.name;
  let token = a.token ?? '';
  if (token !== '' && a.type !== 'pure-token') token += ' ';
  let s = token + repeat;
  if (a.multiple) s += ` [${repeat} ...]`;
  return a.optional ? `[${s}]` : s;
}
