/**
 * Pub/sub sessions for the differential test: up to three clients (A, B, C) of each server,
 * the same bytes sent to redis-server and Cairn, and every top-level reply, push and message
 * each client receives compared byte for byte (masks only where script.ts says why).
 *
 * Redis keeps channels and patterns in hash tables, so where one command touches several of
 * them in the server's order (UNSUBSCRIBE without arguments, several patterns matching one
 * message, PUBSUB CHANNELS with several results) the scripts arrange for one name at a time.
 */
import { clientInfo, helloId, type Mask } from './script.js';

export type Who = 'A' | 'B' | 'C';
/** Replies a client receives after a step: a count, or one count per protocol. */
export type Count = number | { 2: number; 3: number };

export interface PubSubStep {
  on: Who;
  /** Commands sent in one write (several: a pipeline). */
  send: string[][];
  /** Raw bytes instead of commands (inline commands). */
  raw?: string;
  /** How many replies each client receives because of this step. */
  expect: Partial<Record<Who, Count>>;
  mask?: Mask;
  /** The server closes this client's connection after the step. */
  closes?: Who;
}

export interface PubSubScript {
  name: string;
  /** Clients used (connected before the first step). */
  clients: Who[];
  steps: PubSubStep[];
}

const words = (c: string | string[]): string[] => (Array.isArray(c) ? c : c.split(' '));

/** `on` sends the commands; `expect` says who receives how many replies. */
export function step(
  on: Who,
  commands: string | Array<string | string[]>,
  expect: PubSubStep['expect'],
): PubSubStep {
  const list = typeof commands === 'string' ? [commands] : commands;
  return { on, send: list.map(words), expect };
}

export const masked = (mask: Mask, s: PubSubStep): PubSubStep => ({ ...s, mask });

/** ACL LOG entries: the age and the client-info line (ids, addresses) differ by server. */
const aclLog: Mask = (r) =>
  clientInfo(
    Buffer.from(
      r
        .toString('latin1')
        .replace(/(\$11\r\nage-seconds\r\n)(?:\$\d+\r\n[^\r]*|,[^\r]*)\r\n/g, '$1<age>\r\n')
        // Redis 7.0 names the command being refused (cmd=), Cairn the last one that ran.
        .replace(/ cmd=[^ ]*/g, ' cmd=<masked>')
        // Cairn's CLIENT INFO fields of Redis 7.2 (see clientInfo), here not followed by a newline.
        .replace(/ lib-(?:name|ver)=[^ \r\n]*/g, ''),
      'latin1',
    ),
  );

export const pubsubScripts: PubSubScript[] = [
  {
    name: 'SUBSCRIBE, PUBLISH, UNSUBSCRIBE with several channels',
    clients: ['A', 'B'],
    steps: [
      step('A', 'SUBSCRIBE a b a', { A: 3 }),
      step('B', 'PUBLISH a hello', { B: 1, A: 1 }),
      step('B', ['PUBLISH b one', 'PUBLISH c nobody', 'PUBLISH b two'], { B: 3, A: 2 }),
      step('A', 'UNSUBSCRIBE a zz', { A: 2 }),
      step('B', 'PUBLISH a gone', { B: 1 }),
      step('A', 'UNSUBSCRIBE', { A: 1 }),
      step('A', 'UNSUBSCRIBE', { A: 1 }),
      step('A', 'GET k', { A: 1 }),
    ],
  },
  {
    name: 'a pipeline: subscribe, publish to itself, ping, unsubscribe, publish',
    clients: ['A', 'B'],
    steps: [
      // RESP2: the PUBLISH is refused (subscribed mode); RESP3: it runs and A receives its own message.
      step(
        'A',
        [
          'SUBSCRIBE x y z',
          'PUBLISH x self',
          'PING',
          'PING msg',
          'UNSUBSCRIBE x y z',
          'PUBLISH x after',
          'PING',
        ],
        { A: { 2: 11, 3: 12 } },
      ),
      step('B', ['SUBSCRIBE p', 'PING', 'PUBLISH p x'], { B: { 2: 3, 3: 4 } }),
      step('A', 'PUBLISH p from-a', { A: 1, B: 1 }),
    ],
  },
  {
    name: 'patterns, and a channel and a pattern matching the same message',
    clients: ['A', 'B'],
    steps: [
      step('A', 'PSUBSCRIBE news.* h?llo [ab]c', { A: 3 }),
      step('B', ['PUBLISH news.eu m1', 'PUBLISH hallo m2', 'PUBLISH bc m3', 'PUBLISH cc m4'], { B: 4, A: 3 }),
      step('A', 'SUBSCRIBE news.eu', { A: 1 }),
      step('B', 'PUBLISH news.eu both', { B: 1, A: 2 }),
      step('A', 'PUNSUBSCRIBE news.* zz', { A: 2 }),
      step('A', 'PUNSUBSCRIBE h?llo', { A: 1 }),
      step('A', 'PUNSUBSCRIBE', { A: 1 }),
      step('A', 'PUNSUBSCRIBE', { A: 1 }),
      step('A', 'UNSUBSCRIBE', { A: 1 }),
      step('A', 'PING', { A: 1 }),
    ],
  },
  {
    name: 'shard channels: their own count, no patterns',
    clients: ['A', 'B'],
    steps: [
      step('A', 'SSUBSCRIBE s1 s2', { A: 2 }),
      step('A', ['SUBSCRIBE c', 'PSUBSCRIBE s*'], { A: 2 }),
      step('B', ['SPUBLISH s1 m', 'SPUBLISH c m', 'PUBLISH s1 m'], { B: 3, A: 2 }),
      step('A', 'SUNSUBSCRIBE s1 nope', { A: 2 }),
      step('A', 'SUNSUBSCRIBE', { A: 1 }),
      step('A', 'SUNSUBSCRIBE', { A: 1 }),
      step('A', ['UNSUBSCRIBE', 'PUNSUBSCRIBE'], { A: 2 }),
      step('B', ['PUBSUB SHARDCHANNELS', 'PUBSUB SHARDNUMSUB s1 s2'], { B: 2 }),
    ],
  },
  {
    name: 'wrong arity and PUBSUB errors',
    clients: ['A'],
    steps: [
      step(
        'A',
        [
          'SUBSCRIBE',
          'PSUBSCRIBE',
          'SSUBSCRIBE',
          'PUBLISH a',
          'PUBLISH a b c',
          'SPUBLISH a',
          'PUBSUB',
          'PUBSUB foo',
          'PUBSUB CHANNELS a b',
          'PUBSUB SHARDCHANNELS a b',
          'PUBSUB NUMPAT x',
          'PUBSUB HELP',
          'PUBSUB HELP x',
          'pubsub numsub',
        ],
        { A: 14 },
      ),
    ],
  },
  {
    name: 'subscribed mode: refusals, PING, unknown commands, QUIT',
    clients: ['A', 'B'],
    steps: [
      step('A', 'SUBSCRIBE x', { A: 1 }),
      step(
        'A',
        [
          'GET k',
          'SET a',
          'NOSUCH cmd',
          'MULTI',
          'PUBSUB NUMSUB x',
          'CLIENT ID',
          'ECHO e',
          'PING',
          'PING m',
          'PING a b',
        ],
        { A: 10 },
      ),
      step('B', 'PUBSUB NUMSUB x', { B: 1 }),
      { ...step('A', 'QUIT', { A: 1 }), closes: 'A' },
      step('B', 'PUBSUB NUMSUB x', { B: 1 }),
    ],
  },
  {
    name: 'introspection with one name at a time',
    clients: ['A', 'B', 'C'],
    steps: [
      step('A', 'SUBSCRIBE chan-x chan-y', { A: 2 }),
      step('B', ['SUBSCRIBE chan-x', 'PSUBSCRIBE p*', 'PSUBSCRIBE p* q*'], { B: 4 }),
      step(
        'C',
        [
          'PUBSUB NUMSUB chan-x chan-y chan-z',
          'PUBSUB NUMPAT',
          'PUBSUB CHANNELS chan-y',
          'PUBSUB CHANNELS *-y',
          'PUBSUB CHANNELS nothing*',
          'PUBSUB SHARDCHANNELS',
          'PUBSUB SHARDNUMSUB',
        ],
        { C: 7 },
      ),
      step('B', 'PUNSUBSCRIBE q*', { B: 1 }),
      step('C', 'PUBSUB NUMPAT', { C: 1 }),
    ],
  },
  {
    name: 'RESET leaves every subscription',
    clients: ['A', 'B'],
    steps: [
      step('A', ['SUBSCRIBE a', 'PSUBSCRIBE b*', 'SSUBSCRIBE c'], { A: 3 }),
      step('A', 'RESET', { A: 1 }),
      step('B', ['PUBLISH a x', 'PUBLISH bb x', 'SPUBLISH c x', 'PUBSUB NUMPAT'], { B: 4 }),
      step('A', ['GET k', 'UNSUBSCRIBE'], { A: 2 }),
    ],
  },
  {
    name: 'MULTI: SUBSCRIBE queues and runs in EXEC, SSUBSCRIBE is refused there',
    clients: ['A', 'B'],
    steps: [
      // EXEC's array announces one reply per command: the second confirmation follows it.
      step('A', ['MULTI', 'SUBSCRIBE a b', 'EXEC'], { A: 4 }),
      step('B', 'PUBLISH b m', { B: 1, A: 1 }),
      step('A', ['UNSUBSCRIBE a b'], { A: 2 }),
      step('A', ['MULTI', 'SSUBSCRIBE s', 'PSUBSCRIBE p', 'EXEC'], { A: 4 }),
    ],
  },
  {
    name: 'MULTI: messages to the client itself go inside EXEC, subscribed mode does not apply there',
    clients: ['A', 'B'],
    steps: [
      // EXEC's array counts the five commands; the frames past the fifth follow it at top level.
      step(
        'A',
        ['MULTI', 'SUBSCRIBE foo', 'PING abc', 'PUBLISH foo bar', 'PUBLISH foo vaz', 'PING def', 'EXEC'],
        {
          A: 9,
        },
      ),
      step('B', 'PUBLISH foo after', { B: 1, A: 1 }),
      step('A', 'UNSUBSCRIBE foo', { A: 1 }),
      step('A', ['MULTI', 'SUBSCRIBE a', 'PUBLISH a x', 'GET k', 'EXEC'], { A: 6 }),
    ],
  },
  {
    name: 'HELLO while subscribed',
    clients: ['A'],
    steps: [
      step('A', 'SUBSCRIBE a', { A: 1 }),
      // RESP2: HELLO is refused in subscribed mode. RESP3: HELLO 2 switches, and RESP2 rules apply.
      masked(helloId, step('A', 'HELLO 2', { A: 1 })),
      step('A', ['GET k', 'PING'], { A: 2 }),
      step('A', 'UNSUBSCRIBE a', { A: 1 }),
      masked(helloId, step('A', 'HELLO 3', { A: 1 })),
      step('A', ['SUBSCRIBE z', 'GET k', 'PING'], { A: 3 }),
    ],
  },
  {
    name: 'CLIENT REPLY OFF does not silence confirmations and messages',
    clients: ['A', 'B'],
    steps: [
      step('A', 'CLIENT REPLY OFF', {}),
      step('A', 'SUBSCRIBE a', { A: 1 }),
      step('B', 'PUBLISH a m', { B: 1, A: 1 }),
      step('A', ['PING', 'UNSUBSCRIBE a'], { A: 1 }),
      step('A', 'CLIENT REPLY ON', { A: 1 }),
    ],
  },
  {
    name: 'binary and empty channel names, inline commands',
    clients: ['A', 'B'],
    steps: [
      step('A', [['SUBSCRIBE', '', 'caf\xe9\x00\r\n']], { A: 2 }),
      step(
        'B',
        [
          ['PUBLISH', '', ''],
          ['PUBLISH', 'caf\xe9\x00\r\n', 'bin\x00ary'],
        ],
        { B: 2, A: 2 },
      ),
      { ...step('A', [], { A: 2 }), raw: 'PSUBSCRIBE x* y*\r\n' },
      { ...step('B', [], { B: 1, A: 1 }), raw: 'PUBLISH xx hi\r\n' },
    ],
  },
  {
    name: 'CLIENT INFO of a subscriber (RESP3; RESP2 refuses it)',
    clients: ['A'],
    steps: [
      step('A', ['SUBSCRIBE a b', 'PSUBSCRIBE p', 'SSUBSCRIBE s'], { A: 4 }),
      masked(clientInfo, step('A', 'CLIENT INFO', { A: 1 })),
    ],
  },
];

/** ACL channel rules; `user` is a name unique to the run, created by the test on both servers. */
export function aclScripts(user: string): PubSubScript[] {
  return [
    {
      name: 'ACL channel rules: NOPERM, literal patterns, ACL LOG, DRYRUN, GETUSER',
      clients: ['A', 'B'],
      steps: [
        step('B', ['ACL LOG RESET', `ACL SETUSER ${user} on >pw ~* +@all &news.* &alerts`], { B: 2 }),
        step('A', `AUTH ${user} pw`, { A: 1 }),
        step('A', ['PUBLISH sport m', 'PUBLISH news.eu m', 'SPUBLISH sport m'], { A: 3 }),
        step(
          'A',
          ['SUBSCRIBE alerts secret', 'PSUBSCRIBE news.e*', 'PSUBSCRIBE news.*', 'SSUBSCRIBE alerts'],
          {
            A: 3,
          },
        ),
        step('A', 'UNSUBSCRIBE secret', { A: 1 }),
        masked(aclLog, step('B', 'ACL LOG', { B: 1 })),
        step(
          'B',
          [
            `ACL DRYRUN ${user} PUBLISH x m`,
            `ACL DRYRUN ${user} PSUBSCRIBE news.*`,
            `ACL DRYRUN ${user} PSUBSCRIBE news.e*`,
            `ACL DRYRUN ${user} SUBSCRIBE alerts nope`,
            `ACL GETUSER ${user}`,
          ],
          { B: 5 },
        ),
        step('B', [`ACL SETUSER ${user} &more`, `ACL SETUSER ${user} &*`, `ACL SETUSER ${user} &x`], {
          B: 3,
        }),
        step('B', [`ACL SETUSER ${user} ~* ~x`, `ACL SETUSER ${user} &a\tb`], { B: 2 }),
        // A holds news.* and alerts: losing them disconnects it (Redis 7.0).
        { ...step('B', `ACL SETUSER ${user} resetchannels &a`, { B: 1 }), closes: 'A' },
        step('B', ['ACL LOG RESET', `ACL DELUSER ${user}`], { B: 2 }),
      ],
    },
  ];
}
