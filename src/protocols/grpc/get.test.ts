import { describe, expect, it } from 'vitest';
import { ValueType } from '../../gen/cairn/v1/cairn_pb.js';
import { getResponse } from './get.js';

const b = (s: string) => Buffer.from(s);

describe('getResponse: a whole value as the Get message', () => {
  it('keeps a string in `value`, with its type', () => {
    const r = getResponse({ type: 'string', value: b('v') });
    expect(r.value).toEqual(b('v'));
    expect(r.type).toBe(ValueType.STRING);
    expect(r.collection.case).toBeUndefined();
  });

  it('puts each collection in its oneof case, `value` empty', () => {
    const h = getResponse({ type: 'hash', fields: [[b('f'), b('v')]] });
    expect(h.type).toBe(ValueType.HASH);
    expect(h.value.length).toBe(0);
    expect(h.collection.case).toBe('hash');
    expect(h.collection.case === 'hash' && h.collection.value.fields[0]).toMatchObject({
      field: b('f'),
      value: b('v'),
    });
    const z = getResponse({ type: 'zset', members: [[b('m'), Number.NEGATIVE_INFINITY]] });
    expect(z.type).toBe(ValueType.ZSET);
    expect(z.collection.case === 'zset' && z.collection.value.members[0]).toMatchObject({
      member: b('m'),
      score: Number.NEGATIVE_INFINITY,
    });
    expect(getResponse({ type: 'list', items: [b('a')] }).collection).toMatchObject({ case: 'list' });
    expect(getResponse({ type: 'set', members: [b('a')] }).type).toBe(ValueType.SET);
  });
});
