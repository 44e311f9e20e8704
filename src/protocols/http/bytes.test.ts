import { describe, expect, it } from 'vitest';
import { routableUrl } from './app.js';
import {
  decodeText,
  encodeBytes,
  encodeList,
  percentDecode,
  queryPairs,
  queryValues,
  rawSegments,
  segmentAt,
  textBytes,
} from './bytes.js';

const B = (...b: number[]) => Buffer.from(b);

describe('percentDecode', () => {
  it('decodes escapes to bytes, any byte included', () => {
    expect(percentDecode('a%2Fb')).toEqual(Buffer.from('a/b'));
    expect(percentDecode('%FF%00%fe')).toEqual(B(0xff, 0, 0xfe));
    expect(percentDecode('%E2%82%AC')).toEqual(Buffer.from('€'));
    expect(percentDecode('')).toEqual(Buffer.alloc(0));
    expect(percentDecode('a+b')).toEqual(Buffer.from('a+b'));
    expect(percentDecode('a+b', 0, 3, true)).toEqual(Buffer.from('a b'));
  });

  it('refuses malformed escapes', () => {
    for (const bad of ['%', '%F', '%ZZ', 'a%', 'a%G1', '%%']) expect(percentDecode(bad), bad).toBeNull();
  });

  it('decodes a slice only', () => {
    expect(percentDecode('xx%41yy', 2, 5)).toEqual(Buffer.from('A'));
  });
});

describe('segments and queries', () => {
  it('splits a raw path into decoded segments', () => {
    expect(rawSegments('/set/a%2Fb/v', 0)).toEqual([
      Buffer.from('set'),
      Buffer.from('a/b'),
      Buffer.from('v'),
    ]);
    expect(rawSegments('/get/k/?x=1', 0)).toEqual([Buffer.from('get'), Buffer.from('k')]);
    expect(rawSegments('/set//v', 0)).toEqual([Buffer.from('set'), Buffer.alloc(0), Buffer.from('v')]);
    expect(rawSegments('/a/%ZZ', 0)).toBeNull();
    expect(segmentAt('/v1/keys/%FFx/ttl?q', 9)).toEqual(B(0xff, 0x78));
    expect(segmentAt('/v1/keys/k?q=/', 9)).toEqual(Buffer.from('k'));
  });

  it('reads query values as bytes', () => {
    expect(queryValues('/x?key=a&key=%FF&other=1&key=c+d', 'key')).toEqual([
      Buffer.from('a'),
      B(0xff),
      Buffer.from('c d'),
    ]);
    expect(queryValues('/x', 'key')).toEqual([]);
    expect(queryValues('/x?key=%Z', 'key')).toBeNull();
    expect(queryPairs('/x?EX=10&NX&&a=')).toEqual([
      [Buffer.from('EX'), Buffer.from('10')],
      [Buffer.from('NX'), null],
      [Buffer.from('a'), Buffer.alloc(0)],
    ]);
  });
});

describe('text and encodings', () => {
  it('says utf8 for valid UTF-8 and base64 otherwise', () => {
    expect(encodeBytes(Buffer.from('héllo'))).toEqual({ text: 'héllo', encoding: 'utf8' });
    expect(encodeBytes(B(0xc3, 0x28))).toEqual({ text: 'wyg=', encoding: 'base64' });
    expect(encodeList([Buffer.from('a'), null])).toEqual({ items: ['a', null], encoding: 'utf8' });
    expect(encodeList([Buffer.from('a'), B(0xff)])).toEqual({ items: ['YQ==', '/w=='], encoding: 'base64' });
  });

  it('decodes base64 strictly and refuses lone surrogates', () => {
    expect(decodeText('/w==', 'base64')).toEqual(B(0xff));
    expect(decodeText('_w', 'base64')).toEqual(B(0xff));
    expect(decodeText('a b', 'base64')).toBeNull();
    expect(decodeText('abcde', 'base64')).toBeNull();
    expect(decodeText('ü', 'utf8')).toEqual(Buffer.from('ü'));
    expect(textBytes('\ud800')).toBeNull();
    expect(textBytes('\ud83d\ude00')).toEqual(Buffer.from('😀'));
  });
});

describe('routableUrl', () => {
  it('leaves URLs the router decodes alone, hides invalid UTF-8 from it', () => {
    expect(routableUrl('/v1/keys/abc')).toBe('/v1/keys/abc');
    expect(routableUrl('/v1/keys/%E2%82%AC')).toBe('/v1/keys/%E2%82%AC');
    expect(routableUrl('/v1/keys/%FF%41/ttl?x=%FF')).toBe('/v1/keys/%25FF%41/ttl?x=%FF');
    expect(routableUrl('/v1/keys/%ZZ')).toBe('/v1/keys/%ZZ');
  });
});
