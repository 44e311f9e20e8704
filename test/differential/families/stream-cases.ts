/**
 * The scripted stream cases of differential-stream-cases.test.ts: each is a list of commands
 * sent to both servers, whose replies must agree. None blocks (a BLOCK runs inside MULTI,
 * where it answers at once).
 */

export interface StreamCase {
  name: string;
  commands(): Array<Array<string | Buffer>>;
}

type Cmd = Array<string | Buffer>;

const TOP = '18446744073709551615';

/** A fixed pseudo-random sequence (the same on every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function xadds(key: string, from: number, to: number, fields: (i: number) => string[]): Cmd[] {
  const out: Cmd[] = [];
  for (let i = from; i <= to; i++) out.push(['XADD', key, `${i}-0`, ...fields(i)]);
  return out;
}

const info = (key: string): Cmd[] => [
  ['XINFO', 'STREAM', key],
  ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'],
];

export const streamCases: StreamCase[] = [
  {
    name: 'ID forms as string2ull reads them',
    commands: () => [
      ['XADD', 's', ' 5', 'a', '1'],
      ['XADD', 's', '+6-+1', 'a', '1'],
      ['XADD', 's', '7--0', 'a', '1'],
      ['XADD', 's', '8-18446744073709551617', 'a', '1'],
      ['XADD', 's', '9--18446744073709551615', 'a', '1'],
      ['XADD', 's', '\t11', 'a', '1'],
      ['XADD', 's', '013-01', 'a', '1'],
      ['XADD', 's', Buffer.from('14\0junk-9'), 'a', '1'],
      ['XADD', 's', Buffer.from('15-2\0x'), 'a', '1'],
      ['XADD', 's', `${'0'.repeat(125)}16`, 'a', '1'],
      ['XADD', 's', `${'0'.repeat(126)}17`, 'a', '1'],
      ['XADD', 's', '0x20', 'a', '1'],
      ['XADD', 's', '21-', 'a', '1'],
      ['XADD', 's', '-22', 'a', '1'],
      ['XADD', 's', '23-**', 'a', '1'],
      ['XADD', 's', '*-1', 'a', '1'],
      ['XADD', 'fut', '9000000000000-5', 'a', '1'],
      ['XADD', 'fut', Buffer.from('*\0x'), 'a', '1'],
      ['XADD', 's', '30-*', 'a', '1'],
      ['XADD', 's', '30-*', 'a', '1'],
      ['XADD', 's', '29-*', 'a', '1'],
      ['XRANGE', 's', '-', '+'],
      ['XRANGE', 's', ' 5', '(+7'],
      ['XRANGE', 's', '(', '+'],
      ['XRANGE', 's', '(-', '+'],
      ['XRANGE', 's', '-', '(+'],
      ['XRANGE', 's', `(${TOP}-${TOP}`, '+'],
      ['XRANGE', 's', '-', '(0-0'],
      ['XRANGE', 's', '(5-0', '(5-1'],
      ['XREVRANGE', 's', '(30', '(6'],
      ['XRANGE', 's', '-', '+', 'COUNT', '2', 'COUNT', '1'],
      ['XRANGE', 's', '-', '+', 'COUNT'],
      ['XRANGE', 's', '-', '+', 'LIMIT', '1'],
      ['XRANGE', 'nokey', 'x', '+'],
      ['XRANGE', 'nokey', '-', '+', 'COUNT', '0'],
      ['XDEL', 's', '5', Buffer.from('6-1\0')],
      ['XDEL', 'nokey', 'bad'],
      ['XLEN', 's'],
    ],
  },
  {
    name: 'XADD options and their errors',
    commands: () => [
      ['XADD', 's', 'NOMKSTREAM', '*', 'a', '1'],
      ['EXISTS', 's'],
      ['XADD', 's', '0', 'a', '1'],
      ['XADD', 's', '0-0', 'a', '1'],
      ['XADD', 's', '0-*', 'a', '1'],
      ['XADD', 's', 'LIMIT', '5', '1-0', 'a', '1'],
      ['XADD', 's', 'LIMIT', '0', '1-0', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '5', 'LIMIT', '5', '1-0', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '-1', '1-0', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '1', 'MINID', '5', '1-0', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '~', '1-0', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '=', '5', 'a', '1'],
      ['XADD', 's', 'MINID', '~', '3-', '1-0', 'a', '1'],
      ['XADD', 's', 'LIMIT', '-1', 'MAXLEN', '1', '1-0', 'a', '1'],
      ['XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', 'x', '1-0', 'a', '1'],
      ['XADD', 's', 'NOMKSTREAM', 'NOMKSTREAM', '1-0', 'a', '1'],
      ['XADD', 's', '1-1', 'a'],
      ['XADD', 's', '1-1', 'a', '1', 'b'],
      ['XADD', 's', 'maxlen', '0', '2-0', 'a', '1', 'a', '2'],
      ['XADD', 'str', '1-0', 'a', '1'],
      ['SET', 'str', 'x'],
      ['XADD', 'str', '1-0', 'a', '1'],
      ['XADD', 'str', 'MAXLEN', '-1', '1-0', 'a', '1'],
      ['XADD', 'top', `${TOP}-${TOP}`, 'a', '1'],
      ['XADD', 'top', '*', 'a', '1'],
      ['XADD', 'top', `${TOP}-*`, 'a', '1'],
      ['XINFO', 'STREAM', 's'],
    ],
  },
  {
    name: 'nodes by count: approximate and exact trims, LIMIT, tombstones',
    commands: () => [
      ['CONFIG', 'SET', 'stream-node-max-entries', '10'],
      ...xadds('s', 1, 95, (i) => ['n', String(i)]),
      ...info('s'),
      ['XDEL', 's', '11-0', '12-0', '25-0', '26-0', '27-0'],
      ['XTRIM', 's', 'MAXLEN', '~', '80'],
      ['XTRIM', 's', 'MAXLEN', '~', '60', 'LIMIT', '15'],
      ['XTRIM', 's', 'MAXLEN', '~', '60', 'LIMIT', '25'],
      ['XTRIM', 's', 'MINID', '~', '57'],
      ['XTRIM', 's', 'MINID', '=', '57'],
      ['XTRIM', 's', 'MAXLEN', '=', '30'],
      ...info('s'),
      // A node whose last entry is a tombstone and whose live entries all fall before MINID.
      ['XDEL', 's', '70-0'],
      ['XTRIM', 's', 'MINID', '70'],
      ...info('s'),
      ...xadds('s', 96, 130, (i) => ['n', String(i)]),
      ['XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '0'],
      ...info('s'),
      ['XADD', 's', 'MAXLEN', '~', '5', '131-0', 'n', '131'],
      ['XDEL', 's', '131-0'],
      ['XADD', 's', '132-0', 'n', '132'],
      ...info('s'),
      ['CONFIG', 'SET', 'stream-node-max-entries', '0'],
      ...xadds('t', 1, 300, (i) => ['n', String(i)]),
      ['XTRIM', 't', 'MAXLEN', '~', '10'],
      ...info('t'),
    ],
  },
  {
    name: 'nodes by bytes: listpack sizes decide where nodes end',
    commands: () => {
      const next = lcg(7);
      const sizes = [0, 1, 5, 12, 60, 62, 63, 64, 65, 127, 128, 200, 500, 4000, 4100];
      const ints = [
        '0',
        '127',
        '128',
        '-1',
        '4095',
        '4096',
        '-4097',
        '32767',
        '32768',
        '8388607',
        '8388608',
        '2147483647',
        '2147483648',
        '-9223372036854775808',
        '9223372036854775807',
        '9223372036854775808',
        '01',
        '-0',
        '+1',
      ];
      const cmds: Cmd[] = [['CONFIG', 'SET', 'stream-node-max-bytes', '400']];
      for (let i = 1; i <= 200; i++) {
        const f: string[] = [];
        const n = 1 + Math.floor(next() * 3);
        const same = next() < 0.5;
        for (let j = 0; j < n; j++) {
          f.push(same ? ['a', 'b', 'c'][j] : `f${Math.floor(next() * 4)}`);
          f.push(
            next() < 0.5
              ? ints[Math.floor(next() * ints.length)]
              : 'v'.repeat(sizes[Math.floor(next() * sizes.length)]),
          );
        }
        const ms = i * 1000 + Math.floor(next() * 900);
        cmds.push(['XADD', 'b', next() < 0.1 ? `${ms}-${Math.floor(next() * 70000)}` : `${ms}-*`, ...f]);
        if (i % 25 === 0) cmds.push(['XINFO', 'STREAM', 'b'], ['XTRIM', 'b', 'MAXLEN', '~', String(i - 60)]);
      }
      cmds.push(
        ['CONFIG', 'SET', 'stream-node-max-bytes', '0'],
        ['XADD', 'b', '201000-*', 'z', '1'],
        ['XINFO', 'STREAM', 'b'],
      );
      cmds.push(['CONFIG', 'SET', 'stream-node-max-bytes', '4096']);
      for (let i = 0; i < 40; i++) cmds.push(['XADD', 'w', `${i + 1}`, 'k', 'x'.repeat(300)]);
      cmds.push(['XINFO', 'STREAM', 'w'], ['XTRIM', 'w', 'MAXLEN', '~', '20'], ['XLEN', 'w']);
      return cmds;
    },
  },
  {
    name: 'a large stream: radix tree figures and trimming',
    commands: () => {
      const next = lcg(11);
      const cmds: Cmd[] = [];
      let ms = 1_700_000_000_000;
      for (let i = 0; i < 6000; i++) {
        ms += Math.floor(next() * (next() < 0.01 ? 10_000_000 : 300));
        cmds.push(['XADD', 'big', `${ms}-${Math.floor(next() * 3)}`, 'i', String(i)]);
      }
      cmds.push(...info('big'));
      cmds.push(['XTRIM', 'big', 'MAXLEN', '~', '4321'], ['XINFO', 'STREAM', 'big']);
      cmds.push(['XTRIM', 'big', 'MAXLEN', '~', '10'], ['XINFO', 'STREAM', 'big']);
      cmds.push(['XTRIM', 'big', 'MINID', '~', '1700000900000'], ['XINFO', 'STREAM', 'big']);
      cmds.push(['XREVRANGE', 'big', '+', '-', 'COUNT', '3'], ['XRANGE', 'big', '-', '+', 'COUNT', '3']);
      return cmds;
    },
  },
  ...groupCases(),
];

function groupCases(): StreamCase[] {
  return [
    {
      name: 'groups: create, setid, lag and entries-read through deletions',
      commands: () => [
        ['XGROUP', 'CREATE', 's', 'g', '$'],
        ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
        ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
        ...xadds('s', 1, 10, (i) => ['n', String(i)]),
        ['XGROUP', 'CREATE', 's', 'mid', '5-0'],
        ['XGROUP', 'CREATE', 's', 'er', '5-0', 'ENTRIESREAD', '5'],
        ['XGROUP', 'CREATE', 's', 'bad', '5-0', 'ENTRIESREAD', '-2'],
        ['XGROUP', 'CREATE', 's', 'x', '-'],
        ['XGROUP', 'CREATE', 's', 'x', '+'],
        ['XGROUP', 'SETID', 's', 'x', '+'],
        ['XGROUP', 'SETID', 's', 'mid', '+'],
        ['XGROUP', 'SETID', 's', 'mid', '3', 'ENTRIESREAD', '3'],
        ['XGROUP', 'SETID', 's', 'mid', '3', 'BOGUS', '3'],
        ['XGROUP', 'SETID', 's', 'mid', '3', 'ENTRIESREAD'],
        ['XINFO', 'GROUPS', 's'],
        ['XREADGROUP', 'GROUP', 'mid', 'c', 'COUNT', '2', 'STREAMS', 's', '>'],
        ['XDEL', 's', '7-0'],
        ['XINFO', 'GROUPS', 's'],
        ['XREADGROUP', 'GROUP', 'mid', 'c', 'COUNT', '3', 'STREAMS', 's', '>'],
        ['XINFO', 'GROUPS', 's'],
        ['XREADGROUP', 'GROUP', 'er', 'c', 'STREAMS', 's', '>'],
        ['XTRIM', 's', 'MAXLEN', '3'],
        ['XINFO', 'GROUPS', 's'],
        ['XDEL', 's', '8-0', '9-0', '10-0'],
        ['XINFO', 'GROUPS', 's'],
        ['XSETID', 's', '20-0', 'ENTRIESADDED', '30', 'MAXDELETEDID', '15-0'],
        ['XINFO', 'GROUPS', 's'],
        ['XINFO', 'STREAM', 's'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XGROUP', 'CREATECONSUMER', 's', 'mid', 'c'],
        ['XGROUP', 'CREATECONSUMER', 's', 'mid', 'd'],
        ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'd'],
        ['XGROUP', 'DELCONSUMER', 's', 'mid', 'c'],
        ['XGROUP', 'DELCONSUMER', 's', 'mid', 'zz'],
        ['XGROUP', 'HELP'],
        ['XGROUP', 'FOO', 's', 'g'],
        ['XGROUP', 'CREATE', 'nokey', 'g', 'bad'],
        ['XGROUP', 'CREATE', 'nokey', 'g', '0', 'BOGUS'],
        ['XGROUP', 'SETID', 'nokey', 'g', '0', 'x'],
        ['XGROUP', 'CREATE', 's', 'g9', '0', 'MKSTREAM', 'MKSTREAM', 'ENTRIESREAD', '1', 'ENTRIESREAD', '2'],
        ['XINFO', 'CONSUMERS', 's', 'mid'],
        ['XINFO', 'CONSUMERS', 's', 'nog'],
        ['XINFO', 'HELP'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT'],
        ['XINFO', 'STREAM', 'nokey', 'FULL', 'COUNT', 'x'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1'],
      ],
    },
    {
      name: 'PEL: delivery, NOACK, history, reassignment after SETID',
      commands: () => [
        ...xadds('s', 1, 6, (i) => ['n', String(i)]),
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'NOACK', 'STREAMS', 's', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '1-0'],
        ['XREADGROUP', 'GROUP', 'g', 'nobody', 'STREAMS', 's', '0'],
        ['XPENDING', 's', 'g'],
        ['XPENDING', 's', 'g', '-', '+', '10'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'dave', 'COUNT', '3', 'STREAMS', 's', '>'],
        ['XPENDING', 's', 'g', '-', '+', '10'],
        ['XPENDING', 's', 'g', '(1', '(6', '10', 'carol'],
        ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
        ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '2'],
        ['XPENDING', 's', 'g', 'IDLE', '1000000', '-', '+', '2'],
        ['XPENDING', 's', 'g', 'IDLE', '5', '-', '+'],
        ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '2'],
        ['XPENDING', 's', 'g', '-', '+'],
        ['XPENDING', 's', 'g', '-', '+', 'x'],
        ['XPENDING', 's', 'nog', '-', '+', '10'],
        ['XPENDING', 'nokey', 'g', 'bad', '+', '10'],
        ['XDEL', 's', '3-0'],
        ['XREADGROUP', 'GROUP', 'g', 'dave', 'STREAMS', 's', '0'],
        ['XACK', 's', 'g', '1-0', '2-0', '1-0', '9-0'],
        ['XACK', 's', 'g', 'bad'],
        ['XACK', 'nokey', 'g', 'bad'],
        ['XACK', 's', 'nog', '1-0'],
        ['XINFO', 'STREAM', 's', 'FULL'],
        ['XINFO', 'CONSUMERS', 's', 'g'],
        ['XREAD', 'COUNT', '2', 'STREAMS', 's', 's', '0', '3'],
        ['XREAD', 'STREAMS', 's', 'nokey', '$', '$'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'nokey', '>', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'],
        ['XREADGROUP', 'STREAMS', 's', '>'],
        ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'],
        ['XREAD', 'NOACK', 'STREAMS', 's', '0'],
        ['XREAD', 'STREAMS', 's', 'x', '>'],
        ['XREAD', 'STREAMS', 's', '>'],
        ['XREAD', 'BLOCK', '-1', 'STREAMS', 's', '$'],
        ['XREAD', 'BLOCK', 'x', 'STREAMS', 's', '$'],
        ['MULTI'],
        ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
        ['EXEC'],
        ['EVAL', "return redis.pcall('xread', 'block', '0', 'streams', KEYS[1], '$')", '1', 's'],
        [
          'EVAL',
          "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', KEYS[1], '>')",
          '1',
          's',
        ],
        ['EVAL', "return redis.call('xread', 'count', '1', 'streams', KEYS[1], '0')", '1', 's'],
        ['COMMAND', 'GETKEYS', 'XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '1', '2'],
        ['COMMAND', 'GETKEYS', 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', 'b', '>', '>'],
        ['TYPE', 's'],
        ['OBJECT', 'ENCODING', 's'],
        ['SCAN', '0', 'TYPE', 'stream'],
        ['COPY', 's', 'copied'],
        ['XINFO', 'STREAM', 'copied', 'FULL'],
        ['XACK', 'copied', 'g', '4-0', '5-0', '6-0'],
        ['XPENDING', 's', 'g'],
        ['XPENDING', 'copied', 'g'],
        ['RENAME', 'copied', 'renamed'],
        ['XINFO', 'GROUPS', 'renamed'],
      ],
    },
    {
      name: 'XCLAIM and XAUTOCLAIM: options, deleted entries, cursors',
      commands: () => [
        ...xadds('s', 1, 12, (i) => ['n', String(i)]),
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'],
        ['XCLAIM', 's', 'g', 'bob', '0', '1-0', '2-0'],
        ['XCLAIM', 's', 'g', 'bob', '1000000', '3-0'],
        ['XCLAIM', 's', 'g', 'bob', '0', '3-0', 'IDLE', '5000000', 'RETRYCOUNT', '7'],
        ['XCLAIM', 's', 'g', 'carol', '0', '4-0', 'TIME', '1', 'JUSTID'],
        ['XCLAIM', 's', 'g', 'carol', '0', '5-0', 'TIME', '-1'],
        ['XCLAIM', 's', 'g', 'carol', '0', '5-0', 'TIME', '99999999999999'],
        ['XCLAIM', 's', 'g', 'carol', '0', '6-0', 'IDLE', '-10'],
        ['XCLAIM', 's', 'g', 'dave', '0', '20-0', '1-0', 'FORCE'],
        ['XDEL', 's', '7-0', '8-0'],
        ['XADD', 's', '20-0', 'n', '20'],
        ['XCLAIM', 's', 'g', 'dave', '0', '20-0', '7-0', 'FORCE', 'LASTID', '30-0'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'FORCE', 'JUSTID', 'RETRYCOUNT', '-3'],
        ['XCLAIM', 's', 'g', 'dave', 'x', '9-0'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'IDLE'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'IDLE', 'x'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'TIME', 'x'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'RETRYCOUNT', 'x'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'LASTID', 'x'],
        ['XCLAIM', 's', 'g', 'dave', '0', '9-0', 'JUSTID', '10-0'],
        ['XCLAIM', 's', 'nog', 'dave', 'x', '9-0'],
        ['XCLAIM', 'nokey', 'g', 'dave', '0', '9-0'],
        ['XPENDING', 's', 'g', '-', '+', '20'],
        ['XINFO', 'GROUPS', 's'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', '3'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '(4-0', 'COUNT', '2', 'JUSTID'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '1000000', '0', 'COUNT', '2'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', '0'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', '576460752303423488'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'COUNT', 'x'],
        ['XAUTOCLAIM', 's', 'g', 'erin', 'x', '0'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', 'x'],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', `(${TOP}-${TOP}`],
        ['XAUTOCLAIM', 's', 'g', 'erin', '0', '0', 'BOGUS'],
        ['XAUTOCLAIM', 'nokey', 'g', 'erin', '0', '0'],
        ['XDEL', 's', '9-0', '10-0', '11-0'],
        ['XAUTOCLAIM', 's', 'g', 'frank', '0', '0', 'COUNT', '2'],
        ['XAUTOCLAIM', 's', 'g', 'frank', '0', '0'],
        ['XAUTOCLAIM', 's', 'g', 'frank', '0', '0', 'JUSTID'],
        ['XINFO', 'STREAM', 's', 'FULL'],
        ...xadds('t', 1, 50, (i) => ['n', String(i)]),
        ['XGROUP', 'CREATE', 't', 'g', '0'],
        ['XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 't', '>'],
        ['XTRIM', 't', 'MAXLEN', '5'],
        ['XAUTOCLAIM', 't', 'g', 'b', '0', '0', 'COUNT', '3'],
        ['XAUTOCLAIM', 't', 'g', 'b', '1000000', '0', 'COUNT', '1'],
        ['XPENDING', 't', 'g'],
      ],
    },
    {
      name: 'DEBUG RELOAD keeps streams, groups and PELs',
      commands: () => [
        ['CONFIG', 'SET', 'stream-node-max-entries', '3'],
        ...xadds('s', 1, 20, (i) => ['n', String(i), 'm', 'x'.repeat(i)]),
        ['XDEL', 's', '2-0', '5-0', '20-0'],
        ['XGROUP', 'CREATE', 's', 'g', '0', 'ENTRIESREAD', '0'],
        ['XGROUP', 'CREATE', 's', 'h', '$'],
        ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '4', 'STREAMS', 's', '>'],
        ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '4', 'STREAMS', 's', '>'],
        ['XCLAIM', 's', 'g', 'carol', '0', '3-0', 'TIME', '12345', 'RETRYCOUNT', '9'],
        ['XGROUP', 'CREATECONSUMER', 's', 'h', 'idle'],
        ['XSETID', 's', '25-0', 'ENTRIESADDED', '40', 'MAXDELETEDID', '21-0'],
        ['XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
        ['DEBUG', 'RELOAD'],
        ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
        ['XINFO', 'STREAM', 'empty', 'FULL'],
        ['XTRIM', 's', 'MAXLEN', '~', '10'],
        ['XINFO', 'STREAM', 's'],
        ['XADD', 's', '26-0', 'n', '26'],
        ['XINFO', 'STREAM', 's'],
      ],
    },
  ];
}
