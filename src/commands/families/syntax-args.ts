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
  alt(close: string | null): DocArg | null {
    const seqs: DocArg[][] = [];
    for (;;) {
      const seq = this.seq();
      if (seq === null || seq.length === 0) return null;
      seqs.push(seq);
      const t = this.toks[this.pos];
      if (t === '|') {
        this.pos++;
        continue;
      }
      if (close === null ? t !== undefined : t !== close) return null;
      if (close !== null) this.pos++;
      break;
    }
    const parts = seqs.map((s) => (s.length === 1 ? s[0] : block(s)));
    if (parts.length === 1) return parts[0];
    return { name: parts.map((p) => p.name).join('_'), type: 'oneof', arguments: parts };
  }

  /** seq := item*  (stops before '|', ']', '>' or the end) */
  seq(): DocArg[] | null {
    const out: DocArg[] = [];
    let pendingToken: string | null = null;
    for (;;) {
      const t = this.toks[this.pos];
      if (t === undefined || t === '|' || t === ']' || t === '>') break;
      this.pos++;
      let arg: DocArg | null;
      if (t === '...') {
        if (pendingToken !== null) {
          out.push(pureToken(pendingToken));
          pendingToken = null;
        }
        const prev = out[out.length - 1];
        if (prev === undefined) return null;
        prev.multiple = true;
        continue;
      }
      if (t === '[' && this.toks[this.pos] === '...' && this.toks[this.pos + 1] === ']') {
        // `[...]`: the previous argument repeats.
        this.pos += 2;
        const prev = out[out.length - 1];
        if (prev === undefined) return null;
        prev.multiple = true;
        continue;
      }
      if (t === '[') {
        arg = this.alt(']');
        if (arg === null) return null;
        arg = { ...arg, optional: true };
      } else if (t === '<') {
        arg = this.alt('>');
        if (arg === null) return null;
      } else if (LITERAL_RE.test(t)) {
        if (pendingToken !== null) out.push(pureToken(pendingToken));
        pendingToken = t;
        continue;
      } else {
        arg = { name: t, type: typeOf(t) };
      }
      if (pendingToken !== null) {
        // `TOKEN value` / `TOKEN <a | b>`: the token introduces the argument that follows.
        arg = arg.token === undefined && !arg.optional ? { ...arg, token: pendingToken } : arg;
        if (arg.token !== pendingToken) out.push(pureToken(pendingToken));
        pendingToken = null;
      }
      const prev = out[out.length - 1];
      if (isRepeatOf(arg, prev)) {
        prev.multiple = true;
        continue;
      }
      out.push(arg);
    }
    if (pendingToken !== null) out.push(pureToken(pendingToken));
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

/** `x [x ...]`: an optional repeat of the previous argument makes it `multiple`. */
function isRepeatOf(arg: DocArg, prev: DocArg | undefined): prev is DocArg {
  return (
    prev !== undefined &&
    arg.optional === true &&
    arg.multiple === true &&
    arg.name === prev.name &&
    arg.type === prev.type &&
    arg.token === prev.token &&
    arg.arguments === undefined
  );
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
