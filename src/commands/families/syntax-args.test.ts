import { describe, expect, it } from 'vitest';
import { parseSyntax, renderArgs } from './syntax-args.js';

describe('parseSyntax', () => {
  it('reads plain, optional and repeated arguments', () => {
    expect(parseSyntax('')).toEqual([]);
    expect(parseSyntax('key')).toEqual([{ name: 'key', type: 'key' }]);
    expect(parseSyntax('[message]')).toEqual([{ name: 'message', type: 'string', optional: true }]);
    expect(parseSyntax('key [key ...]')).toEqual([{ name: 'key', type: 'key', multiple: true }]);
    expect(parseSyntax('parameter value [parameter value ...]')).toEqual([
      {
        name: 'parameter_value',
        type: 'block',
        multiple: true,
        arguments: [
          { name: 'parameter', type: 'string' },
          { name: 'value', type: 'string' },
        ],
      },
    ]);
  });

  it('reads tokens, token-introduced values and choices', () => {
    expect(parseSyntax('[NX | XX]')).toEqual([
      {
        name: 'nx_xx',
        type: 'oneof',
        optional: true,
        arguments: [
          { name: 'nx', type: 'pure-token', token: 'NX' },
          { name: 'xx', type: 'pure-token', token: 'XX' },
        ],
      },
    ]);
    expect(parseSyntax('[EX seconds | KEEPTTL]')?.[0].arguments).toEqual([
      { name: 'seconds', type: 'integer', token: 'EX' },
      { name: 'keepttl', type: 'pure-token', token: 'KEEPTTL' },
    ]);
    expect(parseSyntax('[SKIPME <YES | NO>]')?.[0]).toMatchObject({
      type: 'oneof',
      token: 'SKIPME',
      optional: true,
    });
    expect(parseSyntax('[protover [AUTH username password] [SETNAME clientname]]')?.[0]).toMatchObject({
      type: 'block',
      optional: true,
      arguments: [
        { name: 'protover', type: 'integer' },
        {
          type: 'block',
          optional: true,
          arguments: [{ name: 'username', token: 'AUTH' }, { name: 'password' }],
        },
        { name: 'clientname', token: 'SETNAME', optional: true },
      ],
    });
  });

  it('renders back the synopsis redis-cli shows', () => {
    const cases: Array<[string, string]> = [
      ['key [key ...]', 'key [key ...]'],
      ['key value [NX | XX] [GET]', 'key value [NX|XX] [GET]'],
      [
        '[protover [AUTH username password] [SETNAME clientname]]',
        '[protover [AUTH username password] [SETNAME clientname]]',
      ],
      ['parameter value [parameter value ...]', 'parameter value [parameter value ...]'],
      ['[ID client-id [client-id ...]]', '[ID client-id [client-id ...]]'],
      [
        '[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]',
        '[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]',
      ],
    ];
    for (const [syntax, shown] of cases) expect(renderArgs(parseSyntax(syntax) ?? [])).toBe(shown);
  });

  it('refuses unbalanced text', () => {
    expect(parseSyntax('[a')).toBeNull();
    expect(parseSyntax('a]')).toBeNull();
    expect(parseSyntax('<a | b]')).toBeNull();
    expect(parseSyntax('[]')).toBeNull();
    expect(parseSyntax('...')).toBeNull();
  });
});
