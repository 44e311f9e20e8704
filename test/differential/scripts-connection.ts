/**
 * Connection commands (HELLO, AUTH, CLIENT, SELECT, RESET, PING, ECHO, QUIT) and pipelining:
 * several commands in one write (RESP and inline), a protocol switch mid-pipeline, CLIENT REPLY,
 * commands after QUIT. Replies byte for byte; masks only where script.ts says why.
 */
import {
  A,
  B,
  clientId,
  clientInfo,
  helloId,
  type KnownDifference,
  masked,
  raw,
  type Script,
} from './script.js';

export const connectionScripts: Script[] = [
  {
    name: 'HELLO: versions, errors, SETNAME and AUTH',
    lines: [
      masked(helloId, A('HELLO')),
      masked(helloId, A('HELLO 3')),
      A('PING'),
      A('GET missing'),
      masked(helloId, A('HELLO 2')),
      A('GET missing'),
      A('HELLO 4'),
      A('HELLO 1'),
      A('HELLO 0'),
      A('HELLO -1'),
      A('HELLO abc'),
      A('HELLO 3 FOO'),
      A('HELLO 3 SETNAME'),
      A(['HELLO', '3', 'SETNAME', 'a b']),
      masked(helloId, A('HELLO 2 SETNAME conn-a')),
      A('CLIENT GETNAME'),
      masked(helloId, A('HELLO 2 AUTH default anything')),
      A('HELLO 2 AUTH nosuchuser x'),
      A('HELLO 2 AUTH default'),
      masked(helloId, A('HELLO 3 AUTH default x SETNAME both')),
      A('CLIENT GETNAME'),
      A('HELLO 2 AUTH nosuchuser x SETNAME ok'),
      A('CLIENT GETNAME'),
    ],
  },
  {
    name: 'AUTH without a configured password',
    lines: [A('AUTH x'), A('AUTH default x'), A('AUTH nosuchuser x'), A('AUTH a b c'), A('AUTH'), A('PING')],
  },
  {
    name: 'CLIENT ID, SETNAME, GETNAME and their errors',
    lines: [
      masked(clientId, A('CLIENT ID')),
      A('CLIENT GETNAME'),
      A(['CLIENT', 'SETNAME', 'a b']),
      A(['CLIENT', 'SETNAME', 'a\nb']),
      A(['CLIENT', 'SETNAME', 'caf\xe9']),
      A('CLIENT SETNAME conn-a'),
      A('CLIENT GETNAME'),
      B('CLIENT GETNAME'),
      A(['CLIENT', 'SETNAME', '']),
      A('CLIENT GETNAME'),
      A('CLIENT SETNAME x y'),
      A('CLIENT GETNAME x'),
      A('CLIENT ID x'),
      A('CLIENT'),
      A('CLIENT FOO'),
      A('CLIENT LIST TYPE foo'),
      A('CLIENT LIST ID abc'),
    ],
  },
  {
    name: 'CLIENT INFO: fields, name, database',
    lines: [
      masked(clientInfo, A('CLIENT INFO')),
      A('CLIENT SETNAME info-a'),
      A('SELECT 2'),
      masked(clientInfo, A('CLIENT INFO')),
      masked(clientInfo, B('CLIENT INFO')),
    ],
  },
  {
    name: 'SELECT, RESET and the state RESET clears',
    lines: [
      A('SELECT 16'),
      A('SELECT -1'),
      A('SELECT abc'),
      A('SELECT 1 2'),
      A('SELECT 15'),
      A('SET x in15'),
      B('GET x'),
      A('CLIENT SETNAME before-reset'),
      masked(helloId, A('HELLO 3')),
      A('MULTI'),
      A('SET y 1'),
      A('RESET'),
      A('GET x'),
      A('CLIENT GETNAME'),
      A('EXEC'),
      A('GET missing'),
      A('RESET x'),
    ],
  },
  {
    name: 'PING, ECHO, QUIT',
    lines: [
      A('PING'),
      A('PING hello'),
      A('PING a b'),
      A('ECHO'),
      A('ECHO a b'),
      A(['ECHO', '']),
      A(['ECHO', 'bin\x00\xff\r\n']),
      raw('SET q 1\r\nQUIT\r\nSET q 2\r\n', 2),
      B('GET q'),
    ],
  },
  {
    name: 'a mixed pipeline, with a protocol switch, in one write',
    lines: [
      masked(
        helloId,
        A(
          'PING',
          'SELECT 1',
          'SET a b',
          'GET a',
          'MULTI',
          'INCR n',
          'GET a',
          'EXEC',
          'SELECT 0',
          'GET a',
          'ECHO x',
          'NOSUCHCOMMAND',
          'GET',
          'HELLO 3',
          'PING',
          'GET missing',
          'MGET a missing',
          'HELLO 2',
          'GET missing',
          'EXEC',
        ),
      ),
    ],
  },
  {
    name: 'inline commands pipelined',
    lines: [
      raw('PING\r\n\r\nSET x 1\r\nGET x\nINCR x\r\nSET y "a b"\r\nGET y\r\nECHO \'c d\'\r\nGET x y\r\n', 8),
    ],
  },
  {
    name: 'CLIENT REPLY OFF, SKIP and ON in a pipeline',
    lines: [
      raw(
        'CLIENT REPLY OFF\r\nSET a 1\r\nCLIENT REPLY ON\r\nCLIENT REPLY SKIP\r\nGET a\r\nGET a\r\nPING\r\n',
        3,
      ),
      A('CLIENT REPLY'),
      A('CLIENT REPLY MAYBE'),
    ],
  },
  {
    name: '400 commands in one write',
    lines: [
      A(
        ...Array.from({ length: 400 }, (_, i) =>
          i % 4 === 0
            ? `SET p${i % 37} v${i}`
            : i % 4 === 1
              ? 'INCR ctr'
              : i % 4 === 2
                ? `GET p${i % 37}`
                : `APPEND p${i % 37} x`,
        ),
      ),
      A('DBSIZE'),
    ],
  },
];

/** Where Cairn is known to answer differently (each reported); see knownTransactionDifferences. */
export const knownConnectionDifferences: KnownDifference[] = [
  {
    differsAt: 'line 2, reply 1',
    // Redis 7.0 applies HELLO's options in order and stops at a failing AUTH: a SETNAME before
    // it has already renamed the client (Redis 7.2 made HELLO all or nothing, as Cairn is).
    name: 'HELLO with SETNAME before a failing AUTH',
    lines: [A('HELLO 2 SETNAME early AUTH nosuchuser x'), A('CLIENT GETNAME')],
  },
  {
    // Run by EXEC, Redis's CLIENT INFO shows the transaction under way (flags=x, multi=<queued
    // commands>, cmd=exec); Cairn shows flags=N multi=-1 cmd=client|info.
    name: 'CLIENT INFO inside EXEC',
    differsAt: 'line 4, reply 1',
    lines: [A('MULTI'), A('CLIENT INFO'), A('SET x 1'), masked(clientInfo, A('EXEC'))],
  },
];

/** With `requirepass secret` set on both servers. */
export const authScripts: Script[] = [
  {
    name: 'AUTH and HELLO AUTH with a password',
    lines: [
      A('GET x'),
      A('PING'),
      A('HELLO 3'),
      A('MULTI'),
      A('CLIENT ID'),
      A('AUTH wrong'),
      A('AUTH default wrong'),
      A('AUTH nosuchuser secret'),
      A('AUTH secret'),
      A('GET x'),
      B('HELLO 2 AUTH default wrong'),
      masked(helloId, B('HELLO 2 AUTH default secret')),
      masked(clientInfo, B('CLIENT INFO')),
      A('MULTI'),
      A('AUTH secret'),
      A('AUTH wrong'),
      A('EXEC'),
      A('GET x'),
      A('RESET'),
      A('GET x'),
    ],
  },
];
