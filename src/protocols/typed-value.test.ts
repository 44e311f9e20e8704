import { describe, expect, it } from 'vitest';
import { DoubleReply, MapReply, type Reply, SetReply, SimpleReply } from '../commands/reply.js';
import { ErrorReply, Errors } from '../errors.js';
import { collectionOf, type ReadResult, readWhole, scoreOf } from './typed-value.js';

const b = (s: string) => Buffer.from(s);

/** A scripted session: answers by command name, records what ran. */
function script(answers: Record<string, Reply | Promise<Reply>>) {
  const ran: string[] = [];
  const run = (argv: Buffer[]) => {
    const name = argv[0].toString();
    ran.push(argv.map(String).join(' '));
    const a = answers[name];
    if (a === undefined) throw new Error(`unexpected ${name}`);
    return a;
  };
  return { run, ran };
}

describe('readWhole', () => {
  it('reads a string: TYPE, then GET', () => {
    const s = script({ TYPE: new SimpleReply('string'), GET: b('v') });
    expect(readWhole(s.run, b('k'))).toEqual({ type: 'string', value: b('v') });
    expect(s.ran).toEqual(['TYPE k', 'GET k']);
  });

  it('answers null for a missing key and passes errors on', () => {
    const missing = script({ TYPE: new SimpleReply('none') });
    expect(readWhole(missing.run, b('k'))).toBeNull();
    expect(missing.ran).toEqual(['TYPE k']);
    const noperm = new ErrorReply('NOPERM', 'NOPERM nope');
    expect(readWhole(script({ TYPE: noperm }).run, b('k'))).toBe(noperm);
    // A type this module cannot read (a module's type in Redis) is WRONGTYPE.
    expect(readWhole(script({ TYPE: new SimpleReply('ReJSON-RL') }).run, b('k'))).toBe(Errors.wrongType);
  });

  it('reads a stream with XRANGE, an empty one as no entries', () => {
    const s = script({
      TYPE: new SimpleReply('stream'),
      XRANGE: [[b('1-0'), [b('f'), b('v'), b('f'), b('w')]]],
    });
    expect(readWhole(s.run, b('k'))).toEqual({
      type: 'stream',
      entries: [
        {
          id: '1-0',
          fields: [
            [b('f'), b('v')],
            [b('f'), b('w')],
          ],
        },
      ],
    });
    expect(s.ran).toEqual(['TYPE k', 'XRANGE k - +']);
    const empty = script({ TYPE: new SimpleReply('stream'), XRANGE: [] });
    expect(readWhole(empty.run, b('k'))).toEqual({ type: 'stream', entries: [] });
  });

  it('reads a collection with its read command', () => {
    const s = script({
      TYPE: new SimpleReply('zset'),
      ZRANGE: [b('a'), b('1'), b('b'), b('inf')],
    });
    expect(readWhole(s.run, b('k'))).toEqual({
      type: 'zset',
      members: [
        [b('a'), 1],
        [b('b'), Number.POSITIVE_INFINITY],
      ],
    });
    expect(s.ran).toEqual(['TYPE k', 'ZRANGE k 0 -1 WITHSCORES']);
    const h = script({ TYPE: new SimpleReply('hash'), HGETALL: new MapReply([[b('f'), b('v')]]) });
    expect(readWhole(h.run, b('k'))).toEqual({ type: 'hash', fields: [[b('f'), b('v')]] });
    expect(h.ran).toEqual(['TYPE k', 'HGETALL k']);
  });

  it('follows replies that arrive later', async () => {
    const s = script({
      TYPE: Promise.resolve(new SimpleReply('list')),
      LRANGE: Promise.resolve([b('x'), b('y')]),
    });
    expect(await readWhole(s.run, b('k'))).toEqual({ type: 'list', items: [b('x'), b('y')] });
    expect(s.ran).toEqual(['TYPE k', 'LRANGE k 0 -1']);
  });

  it('answers null when the collection went away between the commands', () => {
    expect(
      readWhole(script({ TYPE: new SimpleReply('set'), SMEMBERS: new SetReply([]) }).run, b('k')),
    ).toBeNull();
  });
});

describe('collectionOf: both protocols’ shapes', () => {
  const hash: ReadResult = { type: 'hash', fields: [[b('f'), b('v')]] };
  it('hash: RESP3 map and RESP2 flat array', () => {
    expect(collectionOf('hash', new MapReply([[b('f'), b('v')]]))).toEqual(hash);
    expect(collectionOf('hash', [b('f'), b('v')])).toEqual(hash);
  });

  it('set: RESP3 set and RESP2 array', () => {
    expect(collectionOf('set', new SetReply([b('m')]))).toEqual({ type: 'set', members: [b('m')] });
    expect(collectionOf('set', [b('m')])).toEqual({ type: 'set', members: [b('m')] });
  });

  it('zset: RESP3 pairs with doubles and RESP2 flat strings', () => {
    const want = { type: 'zset', members: [[b('a'), 1.5]] };
    expect(collectionOf('zset', [[b('a'), new DoubleReply(1.5)]])).toEqual(want);
    expect(collectionOf('zset', [b('a'), b('1.5')])).toEqual(want);
  });

  it('an empty reply is a missing key; a malformed one an internal error', () => {
    expect(collectionOf('list', [])).toBeNull();
    expect(collectionOf('hash', new MapReply([]))).toBeNull();
    expect((collectionOf('hash', [b('odd')]) as ErrorReply).kind).toBe('INTERNAL');
    expect((collectionOf('zset', [b('a'), b('x')]) as ErrorReply).kind).toBe('INTERNAL');
  });

  it('reads scores in every spelling', () => {
    expect(scoreOf(b('-inf'))).toBe(Number.NEGATIVE_INFINITY);
    expect(scoreOf(b('0.10000000000000001'))).toBe(0.1);
    expect(scoreOf(new DoubleReply(-0))).toBe(-0);
    expect(scoreOf(b(''))).toBeNull();
  });
});
