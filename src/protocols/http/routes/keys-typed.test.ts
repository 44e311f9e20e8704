import { describe, expect, it } from 'vitest';
import { ErrorReply } from '../../../errors.js';
import { WRITE_CHUNK_ELEMENTS, writeArgvs } from './keys-typed.js';
import { collectionBody } from './typed-body.js';

const b = (s: string) => Buffer.from(s);
const text = (argvs: Buffer[][] | ErrorReply) => (argvs as Buffer[][]).map((a) => a.map(String));

describe('writeArgvs: a PUT body as write commands', () => {
  it('maps each type onto its command', () => {
    const k = b('k');
    expect(text(writeArgvs(k, { type: 'hash', value: { f: 'v', g: 'w' } }))).toEqual([
      ['HSET', 'k', 'f', 'v', 'g', 'w'],
    ]);
    expect(text(writeArgvs(k, { type: 'list', value: ['a', 'b', 'a'] }))).toEqual([
      ['RPUSH', 'k', 'a', 'b', 'a'],
    ]);
    expect(text(writeArgvs(k, { type: 'set', value: ['1', '2'] }))).toEqual([['SADD', 'k', '1', '2']]);
    expect(
      text(
        writeArgvs(k, {
          type: 'zset',
          value: [
            { member: 'a', score: 1.5 },
            { member: 'b', score: '-inf' },
            { member: 'c', score: -0 },
            { member: 'd', score: 0.1 },
          ],
        }),
      ),
    ).toEqual([['ZADD', 'k', '1.5', 'a', '-inf', 'b', '-0', 'c', '0.1', 'd']]);
    expect(writeArgvs(k, { type: 'list', value: [] })).toEqual([]);
  });

  it('chunks large bodies so no command grows without bound', () => {
    const items = Array.from({ length: WRITE_CHUNK_ELEMENTS * 2 + 1 }, (_, i) => String(i));
    const argvs = writeArgvs(b('k'), { type: 'list', value: items }) as Buffer[][];
    expect(argvs.map((a) => a.length - 2)).toEqual([WRITE_CHUNK_ELEMENTS, WRITE_CHUNK_ELEMENTS, 1]);
    expect(argvs.flatMap((a) => a.slice(2).map(String))).toEqual(items);
  });

  it('decodes base64 elements and refuses what is not valid', () => {
    const bin = Buffer.from([0xff, 0]);
    const argvs = writeArgvs(b('k'), {
      type: 'hash',
      value: { [bin.toString('base64')]: 'AA==' },
      encoding: 'base64',
    });
    expect((argvs as Buffer[][])[0].slice(2)).toEqual([bin, Buffer.from([0])]);
    const bad = writeArgvs(b('k'), { type: 'set', value: ['not base64!'], encoding: 'base64' });
    expect(bad).toBeInstanceOf(ErrorReply);
    expect((bad as ErrorReply).message).toBe('ERR value is not valid base64');
    expect(writeArgvs(b('k'), { type: 'set', value: ['\ud800'] })).toBeInstanceOf(ErrorReply);
  });
});

describe('collectionBody: a value as GET answers it', () => {
  it('gives each type its JSON shape', () => {
    expect(collectionBody({ type: 'hash', fields: [[b('f'), b('v')]] })).toEqual({
      value: { f: 'v' },
      encoding: 'utf8',
    });
    expect(collectionBody({ type: 'list', items: [b('a')] })).toEqual({ value: ['a'], encoding: 'utf8' });
    expect(
      collectionBody({
        type: 'zset',
        members: [
          [b('a'), Number.NEGATIVE_INFINITY],
          [b('b'), 2.5],
        ],
      }),
    ).toEqual({
      value: [
        { member: 'a', score: '-inf' },
        { member: 'b', score: 2.5 },
      ],
      encoding: 'utf8',
    });
  });

  it('base64-encodes every string once one of them is not UTF-8', () => {
    const bin = Buffer.from([0xc3, 0x28]);
    expect(collectionBody({ type: 'set', members: [b('a'), bin] })).toEqual({
      value: ['YQ==', bin.toString('base64')],
      encoding: 'base64',
    });
    expect(collectionBody({ type: 'hash', fields: [[b('f'), bin]] })).toEqual({
      value: { [b('f').toString('base64')]: bin.toString('base64') },
      encoding: 'base64',
    });
  });

  it('keeps a field named __proto__ as an own property', () => {
    const { value } = collectionBody({ type: 'hash', fields: [[b('__proto__'), b('p')]] });
    expect(Object.keys(value as object)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('p');
  });
});
