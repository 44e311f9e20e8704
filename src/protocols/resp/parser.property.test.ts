/**
 * Properties of the RESP request parser over generated input:
 * (a) a valid stream of commands (binary arguments with CR/LF inside bulks, inline commands with
 *     quotes and escapes, empty commands, large bulks) yields exactly its commands however it
 *     is cut into reads, down to one byte per read, and arguments handed out stay intact while
 *     later input arrives;
 * (b) random bytes and mutated valid streams never make the parser throw: it either yields
 *     commands or reports a protocol error through `error`, gives the same outcome however the
 *     input is cut, and what it holds stays bounded by its limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIG_ARG_BYTES, DEFAULT_LIMITS, type ParserLimits, RespParser } from './parser.js';

const NO_QBUF_LIMIT: ParserLimits = { ...DEFAULT_LIMITS, maxQueryBuffer: 2 ** 40 };
/** Smallest accumulation buffer the parser allocates (MIN_ACC_BYTES). */
const MIN_ACC_BYTES = 4096;

interface Internals {
  data: Buffer;
  owned: boolean;
  big: Buffer | null;
}

/** Plain checks on the hot path: expect() per argument costs more than the parsing. */
function assert(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

interface Outcome {
  commands: Buffer[][];
  error: string | null;
}

/**
 * Feed `chunks` one after the other, pulling every command after each, and check on the way that
 * handed-out arguments are never overwritten and that the parser's holdings stay bounded.
 */
function parse(chunks: Buffer[], limits: ParserLimits = NO_QBUF_LIMIT, auth = false): Outcome {
  const p = new RespParser(limits);
  p.authRequired = auth;
  const commands: Buffer[][] = [];
  const handed: Array<[Buffer, Buffer]> = [];
  const bound = Math.max(limits.maxInlineSize, limits.maxBulkLen) + 2;
  let largest = 0;
  for (const chunk of chunks) {
    largest = Math.max(largest, chunk.length);
    p.feed(chunk);
    // The limit applies on each read, as in Redis: parsing may then add the arguments' overhead,
    // which the next read counts.
    assert(
      p.error !== null || p.pendingBytes <= limits.maxQueryBuffer,
      'pending within client-query-buffer-limit',
    );
    for (let argv = p.next(); argv !== null; argv = p.next()) {
      assert(argv.length > 0, 'a command has arguments');
      const copy = argv.map((a) => Buffer.from(a));
      for (let i = 0; i < argv.length; i++) handed.push([argv[i], copy[i]]);
      commands.push(copy);
    }
    if (p.error !== null) {
      assert(p.next() === null, 'nothing after an error');
      break;
    }
    // Between commands the parser holds one unfinished line or bulk at most.
    assert(p.buffered <= bound, `buffered ${p.buffered} > ${bound}`);
    const inner = p as unknown as Internals;
    const held = (inner.owned ? inner.data.length : 0) + (inner.big?.length ?? 0);
    assert(held <= Math.max(MIN_ACC_BYTES, 2 * (bound + largest)), `holds ${held} bytes`);
  }
  for (const [view, copy] of handed) assert(view.equals(copy), 'an argument handed out was overwritten');
  const e = p.error;
  if (e !== null && e.reply !== null) expect(e.reply).toMatch(/^ERR Protocol error: /);
  if (e !== null && e.reply === null) expect(e.reason).toBe('reached max query buffer length');
  return { commands, error: e === null ? null : (e.reply ?? `(close) ${e.reason}`) };
}

/** `stream` cut at `cuts` (positions, any order, duplicates and out-of-range ones folded). */
function cutAt(stream: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const c of [...at, stream.length]) {
    out.push(stream.subarray(last, c));
    last = c;
  }
  return out;
}

function bytewise(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) out.push(stream.subarray(i, i + 1));
  return out;
}

function multibulk(args: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** An inline argument that round-trips any bytes: double quotes with every byte as \xHH. */
function quoted(b: Buffer): string {
  let s = '"';
  for (const c of b) s += `\\x${c.toString(16).padStart(2, '0')}`;
  return `${s}"`;
}

// ---- generators ---------------------------------------------------------------------------------

const crlfHeavy = fc
  .array(fc.constantFrom(13, 10, 0, 42, 36, 48, 49, 45, 32, 34, 255), { maxLength: 24 })
  .map((a) => Buffer.from(a));
const argArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a)) },
  { weight: 3, arbitrary: crlfHeavy },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: BIG_ARG_BYTES - 3, max: BIG_ARG_BYTES * 3 })
      .chain((n) =>
        fc.uint8Array({ minLength: 1, maxLength: 16 }).map((p) => Buffer.alloc(n, Buffer.from(p))),
      ),
  },
);
const word = fc.stringMatching(/^[A-Za-z0-9:_.-]{1,12}$/);

interface Cmd {
  wire: Buffer;
  args: Buffer[];
}

const multibulkCmd: fc.Arbitrary<Cmd> = fc
  .array(argArb, { minLength: 1, maxLength: 6 })
  .map((args) => ({ wire: multibulk(args), args }));
/** Inline: plain words, quoted binary arguments, blanks between, "\n" or "\r\n" at the end. */
const inlineCmd: fc.Arbitrary<Cmd> = fc
  .tuple(
    word,
    fc.array(
      fc.oneof(
        word.map((w) => Buffer.from(w)),
        fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
      ),
      {
        maxLength: 4,
      },
    ),
    fc.constantFrom(' ', '  ', '\t'),
    fc.constantFrom('\r\n', '\n'),
  )
  .map(([name, rest, blank, end]) => {
    const texts = rest.map((b) =>
      /^[A-Za-z0-9:_.-]+$/.test(b.toString('latin1')) ? b.toString('latin1') : quoted(b),
    );
    return {
      wire: Buffer.from(`${[name, ...texts].join(blank)}${end}`, 'latin1'),
      args: [Buffer.from(name), ...rest],
    };
  });
/** RESP3 clients still send commands as multibulk arrays of bulks: HELLO 3 then commands. */
const hello3: fc.Arbitrary<Cmd> = fc.constant({
  wire: multibulk([Buffer.from('HELLO'), Buffer.from('3')]),
  args: [Buffer.from('HELLO'), Buffer.from('3')],
});
/** Inputs that yield no command: `*0`, negative counts, blank lines. */
const nothing: fc.Arbitrary<Cmd> = fc
  .constantFrom('*0\r\n', '*-1\r\n', '*-42\r\n', '\r\n', '\n', '   \r\n', '\t\n')
  .map((s) => ({ wire: Buffer.from(s), args: [] }));

const streamArb = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: multibulkCmd },
      { weight: 3, arbitrary: inlineCmd },
      { weight: 1, arbitrary: hello3 },
      { weight: 1, arbitrary: nothing },
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((cmds) => ({
    stream: Buffer.concat(cmds.map((c) => c.wire)),
    expected: cmds.filter((c) => c.args.length > 0).map((c) => c.args),
  }));

const show = (cmds: Buffer[][]) =>
  JSON.stringify(cmds.map((c) => c.map((a) => a.toString('latin1').slice(0, 40))));

function sameCommands(got: Buffer[][], want: Buffer[][]): void {
  const same =
    got.length === want.length &&
    got.every((argv, i) => argv.length === want[i].length && argv.every((a, j) => a.equals(want[i][j])));
  if (!same) expect(show(got)).toBe(show(want));
}

/** Outcomes compared cheaply, and shown in full when they differ. */
function sameOutcome(got: Outcome, want: Outcome): void {
  if (got.error !== want.error) expect(got.error).toBe(want.error);
  sameCommands(got.commands, want.commands);
}

// ---- (a) valid streams --------------------------------------------------------------------------

describe('a valid stream of commands', () => {
  it('yields exactly its commands, fed whole or cut anywhere', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 24 }), ({ stream, expected }, cuts) => {
        const whole = parse([stream]);
        expect(whole.error).toBeNull();
        sameCommands(whole.commands, expected);
        const cut = parse(cutAt(stream, cuts));
        expect(cut.error).toBeNull();
        sameCommands(cut.commands, expected);
      }),
      { numRuns: 400 },
    );
  });

  it('yields exactly its commands fed one byte per read', () => {
    const small = streamArb.filter(({ stream }) => stream.length <= 2048);
    fc.assert(
      fc.property(small, ({ stream, expected }) => {
        const got = parse(bytewise(stream));
        expect(got.error).toBeNull();
        sameCommands(got.commands, expected);
      }),
      { numRuns: 100 },
    );
  });

  it('yields its commands in reads of random sizes, before authentication too', () => {
    // Unauthenticated clients may send 10 arguments of 16 KB at most; keep to that.
    const unauth = streamArb.filter(({ expected }) =>
      expected.every((argv) => argv.length <= 10 && argv.every((a) => a.length <= 16 * 1024)),
    );
    fc.assert(
      fc.property(
        unauth,
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
        (s, sizes) => {
          const chunks: Buffer[] = [];
          for (let off = 0, k = 0; off < s.stream.length; k++) {
            const n = sizes[k % sizes.length];
            chunks.push(s.stream.subarray(off, off + n));
            off += n;
          }
          const got = parse(chunks, NO_QBUF_LIMIT, true);
          expect(got.error).toBeNull();
          sameCommands(got.commands, s.expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---- (b) hostile streams ------------------------------------------------------------------------

type Mutation = (b: Buffer) => Buffer;

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => (b: Buffer) => {
    if (b.length === 0) return b;
    const c = Buffer.from(b);
    c[at % c.length] = v;
    return c;
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, ins]) => (b: Buffer) => {
    const i = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), Buffer.from(ins), b.subarray(i)]);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 16 })).map(([at, n]) => (b: Buffer) => {
    const i = at % (b.length + 1);
    return Buffer.concat([b.subarray(0, i), b.subarray(i + n)]);
  }),
  // Count lines are where the interesting decisions are: rewrite a number.
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        '-1',
        '0',
        '-0',
        '01',
        '+1',
        '99999999999999999999',
        '9223372036854775808',
        '1048577',
        '',
        'x',
      ),
    )
    .map(([at, digits]) => (b: Buffer) => {
      const s = b.toString('latin1');
      const starts = [...s.matchAll(/[*$](-?\d+)\r/g)];
      if (starts.length === 0) return b;
      const m = starts[at % starts.length];
      const from = (m.index ?? 0) + 1;
      return Buffer.from(s.slice(0, from) + digits + s.slice(from + m[1].length), 'latin1');
    }),
);

/** Limits as the config allows them (inline size at least 1024) and smaller bulk/count limits. */
const limitsArb: fc.Arbitrary<ParserLimits> = fc.record({
  maxBulkLen: fc.constantFrom(0, 5, 64, 1024 * 1024, DEFAULT_LIMITS.maxBulkLen),
  maxMultibulkLen: fc.constantFrom(1, 3, 1024 * 1024),
  maxInlineSize: fc.constantFrom(16, 40, 1024, 64 * 1024),
  maxQueryBuffer: fc.constant(2 ** 40),
});

const hostileArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc
    .array(
      fc.constantFrom(
        '*',
        '$',
        '\r',
        '\n',
        '\r\n',
        '1',
        '0',
        '-',
        '9',
        ' ',
        '"',
        "'",
        '\\',
        'x',
        '\0',
        'PING',
      ),
      {
        maxLength: 120,
      },
    )
    .map((a) => Buffer.from(a.join(''), 'latin1')),
  fc
    .tuple(streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([{ stream }, muts]) => muts.reduce<Buffer>((b, m) => m(b), stream)),
  // Lines and counts right at the inline bounds the limits below use (16, 40).
  fc
    .array(
      fc.tuple(
        fc.constantFrom('', '*', '$', '*1\r\n$'),
        fc.constantFrom(14, 15, 16, 17, 38, 39, 40, 41),
        fc.constantFrom('1', 'a', ' '),
        fc.constantFrom('\r\n', '\n', '\r'),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((lines) => Buffer.from(lines.map(([head, n, fill, end]) => head + fill.repeat(n) + end).join(''))),
);

describe('random and mutated input', () => {
  it('never throws, reports errors through `error`, and the cut does not change the outcome', () => {
    fc.assert(
      fc.property(
        hostileArb,
        limitsArb,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (b, limits, auth, cuts) => {
          const whole = parse([b], limits, auth);
          sameOutcome(parse(cutAt(b, cuts), limits, auth), whole);
          if (b.length <= 1024) sameOutcome(parse(bytewise(b), limits, auth), whole);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('closes without a reply past client-query-buffer-limit, however the input is cut', () => {
    const limits: ParserLimits = { ...DEFAULT_LIMITS, maxQueryBuffer: 512 };
    fc.assert(
      fc.property(hostileArb, fc.array(fc.nat(), { maxLength: 12 }), (b, cuts) => {
        const got = parse(cutAt(b, cuts), limits);
        if (got.error?.startsWith('(close)'))
          expect(got.error).toBe('(close) reached max query buffer length');
      }),
      { numRuns: 300 },
    );
  });

  it('stops for good after a protocol error', () => {
    const p = new RespParser();
    p.feed(Buffer.from('*1\r\n$x\r\n'));
    expect(p.next()).toBeNull();
    expect(p.error?.reply).toBe('ERR Protocol error: invalid bulk length');
    p.feed(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    expect(p.next()).toBeNull();
  });
});

describe('found by fuzzing', () => {
  const limits: ParserLimits = { ...NO_QBUF_LIMIT, maxInlineSize: 16 };
  const line = 'SET k 0123456789'; // exactly maxInlineSize bytes

  it('bounds an inline line without its CR: one of exactly the bound passes in any reads', () => {
    const stream = Buffer.from(`${line}\r\nPING\r\n`);
    const want = [line.split(' ').map((s) => Buffer.from(s)), [Buffer.from('PING')]];
    sameCommands(parse([stream], limits).commands, want);
    // The '\r' alone at the end of a read used to count against the bound.
    const split = parse([Buffer.from(`${line}\r`), Buffer.from('\nPING\r\n')], limits);
    expect(split.error).toBeNull();
    sameCommands(split.commands, want);
    sameCommands(parse(bytewise(stream), limits).commands, want);
  });

  it('still refuses a line one byte longer, whether its end has come or not', () => {
    const long = `${line}x`;
    expect(parse([Buffer.from(`${long}\r\n`)], limits).error).toBe(
      'ERR Protocol error: too big inline request',
    );
    expect(parse([Buffer.from(`${long}\r`)], limits).error).toBe(
      'ERR Protocol error: too big inline request',
    );
    expect(parse([Buffer.from(long)], limits).error).toBe('ERR Protocol error: too big inline request');
  });
});
