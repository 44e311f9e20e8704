/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH sessions: queuing and its errors, runtime errors
 * inside EXEC, SELECT inside MULTI, and which of another client's commands invalidate a WATCH
 * (a write that changes nothing does not; one that rewrites the same value does; expiry does).
 */
import { A, after, B, type KnownDifference, type Script } from './script.js';

/** WATCH `key` on A, run `interference` on B, then a transaction on A. */
function watchCase(name: string, setup: string[], interference: Array<string | string[]>, key = 'k'): Script {
  return {
    name,
    lines: [
      ...(setup.length > 0 ? [A(...setup)] : []),
      A(`WATCH ${key}`),
      ...interference.map((c) => B(c)),
      A('MULTI'),
      A('INCR counter'),
      A('EXEC'),
      A('GET counter'),
    ],
  };
}

export const transactionScripts: Script[] = [
  {
    name: 'queuing, queue errors and EXECABORT',
    lines: [
      A('EXEC'),
      A('DISCARD'),
      A('MULTI'),
      A('MULTI'),
      A('WATCH a'),
      A('INCR'),
      A('NOSUCHCOMMAND x'),
      A('SET a 1'),
      A('EXEC'),
      A('GET a'),
      A('MULTI'),
      A('EXEC'),
      A('MULTI'),
      A('SET s abc'),
      A('INCR s'),
      A('APPEND s def'),
      A('GET s'),
      A('EXEC'),
      A('WATCH'),
      A('MULTI'),
      A('SET t 1'),
      A('DISCARD'),
      A('GET t'),
      A('EXEC'),
    ],
  },
  {
    name: 'SELECT, HELLO, PING and RESET inside MULTI',
    lines: [
      A('MULTI'),
      A('SELECT 1'),
      A('SET a db1'),
      A('SELECT 99'),
      A('PING'),
      A('ECHO hi'),
      A('EXEC'),
      A('GET a'),
      A('SELECT 0'),
      A('GET a'),
      A('MULTI'),
      A('SELECT 2'),
      A('DISCARD'),
      A('SET b db0'),
      A('GET b'),
      A('MULTI'),
      A('SET c 1'),
      A('RESET'),
      A('EXEC'),
      A('GET c'),
    ],
  },
  {
    name: 'a transaction pipelined in one write, twice in a row',
    lines: [
      A('MULTI', 'SET p 1', 'INCR p', 'INCRBY p x', 'GET p', 'EXEC', 'MULTI', 'DEL p', 'EXEC', 'EXISTS p'),
      A('WATCH p', 'MULTI', 'SET p 2', 'EXEC', 'GET p'),
    ],
  },
  watchCase('WATCH: another client writes the key', ['SET k 1'], ['SET k 2']),
  watchCase('WATCH: another client writes the same value', ['SET k 1'], ['SET k 1']),
  watchCase(
    'WATCH: another client only reads the key',
    ['SET k 1'],
    ['GET k', 'EXISTS k', 'TTL k', 'GETEX k'],
  ),
  watchCase('WATCH: another client writes the key in another database', ['SET k 1'], ['SELECT 1', 'SET k 2']),
  watchCase('WATCH: deleting a missing key changes nothing', [], ['DEL k', 'UNLINK k', 'GETDEL k']),
  watchCase('WATCH: a missing key is created', [], ['SET k 1']),
  watchCase(
    'WATCH: a refused SET NX changes nothing',
    ['SET k 1'],
    ['SET k 2 NX', 'SETNX k 3', 'MSETNX k 4 z 5'],
  ),
  watchCase('WATCH: INCRBY 0 rewrites the value', ['SET k 1'], ['INCRBY k 0']),
  watchCase('WATCH: APPEND of nothing', ['SET k 1'], [['APPEND', 'k', '']]),
  watchCase('WATCH: SETRANGE of nothing', ['SET k 1'], [['SETRANGE', 'k', '0', '']]),
  watchCase('WATCH: a TTL is set', ['SET k 1'], ['EXPIRE k 1000']),
  watchCase('WATCH: PERSIST on a key without TTL', ['SET k 1'], ['PERSIST k']),
  watchCase('WATCH: PERSIST removes a TTL', ['SET k 1 EX 1000'], ['PERSIST k']),
  watchCase('WATCH: EXPIRE NX refused', ['SET k 1 EX 1000'], ['EXPIRE k 5 NX']),
  watchCase('WATCH: GETEX PERSIST on a key without TTL', ['SET k 1'], ['GETEX k PERSIST']),
  watchCase('WATCH: RENAME away', ['SET k 1'], ['RENAME k k2']),
  watchCase('WATCH: RENAME onto the watched key', ['SET j 1'], ['RENAME j k']),
  watchCase('WATCH: MOVE to another database', ['SET k 1'], ['MOVE k 1']),
  watchCase('WATCH: COPY onto the watched key', ['SET j 1'], ['COPY j k']),
  watchCase('WATCH: FLUSHDB with the key present', ['SET k 1'], ['FLUSHDB']),
  watchCase('WATCH: FLUSHALL from another database', ['SET k 1'], ['SELECT 3', 'FLUSHALL']),
  watchCase('WATCH: SWAPDB with the key present', ['SET k 1'], ['SWAPDB 0 1']),
  watchCase('WATCH: SWAPDB of two databases without the key', ['SET k 1'], ['SWAPDB 1 2']),
  watchCase('WATCH: SWAPDB brings the key in', ['SELECT 1', 'SET k 1', 'SELECT 0'], ['SWAPDB 0 1']),
  watchCase('WATCH: the client writes the key itself', ['SET k 1'], []),
  {
    name: 'WATCH: the client writes the key itself before MULTI',
    lines: [A('SET k 1'), A('WATCH k'), A('SET k 2'), A('MULTI'), A('GET k'), A('EXEC')],
  },
  {
    name: 'UNWATCH and DISCARD forget the watched keys; EXEC does too',
    lines: [
      A('WATCH k'),
      A('UNWATCH'),
      B('SET k 1'),
      A('MULTI'),
      A('GET k'),
      A('EXEC'),
      A('WATCH k'),
      A('MULTI'),
      A('DISCARD'),
      B('SET k 2'),
      A('MULTI'),
      A('GET k'),
      A('EXEC'),
      A('WATCH k'),
      A('MULTI'),
      A('EXEC'),
      B('SET k 3'),
      A('MULTI'),
      A('GET k'),
      A('EXEC'),
    ],
  },
  {
    name: 'WATCH: the watched key expires unread before EXEC',
    lines: [
      // One write: the key is watched well before it expires, on both servers.
      A('SET k 1 PX 200', 'WATCH k'),
      after(350, A('MULTI')),
      A('SET other 1'),
      A('EXEC'),
      A('EXISTS other'),
    ],
  },
  {
    name: 'WATCH: a key already expired (unread) when watched',
    lines: [A('SET k 1 PX 50'), after(200, A('WATCH k')), A('MULTI'), A('SET other 1'), A('EXEC')],
  },
  {
    name: 'WATCH: a volatile key read by another client after it expired',
    lines: [A('SET k 1 PX 200', 'WATCH k'), after(350, B('GET k')), A('MULTI'), A('SET other 1'), A('EXEC')],
  },
];

/**
 * Where Cairn is known to answer differently (each reported), with where the first difference
 * shows ("line L, reply R"): the test asserts exactly that difference, so a fix shows up.
 */
export const knownTransactionDifferences: KnownDifference[] = [];

/**
 * Once known differences, now fixed: UNWATCH is queued inside MULTI, and FLUSHDB, FLUSHALL and
 * SWAPDB fail a WATCH only when the watched key exists in a database flushed or swapped
 * (Redis's touchAllWatchedKeysInDb).
 */
export const fixedTransactionScripts: Script[] = [
  {
    name: 'UNWATCH inside MULTI is queued',
    lines: [A('MULTI'), A('UNWATCH'), A('EXEC'), A('MULTI'), A('UNWATCH'), A('DISCARD')],
  },
  watchCase('WATCH: FLUSHDB with the key missing', ['SET other 1'], ['FLUSHDB']),
  watchCase('WATCH: FLUSHALL with the key missing', ['SET other 1'], ['FLUSHALL']),
  watchCase('WATCH: SWAPDB with the key missing in both', ['SET other 1'], ['SWAPDB 0 1']),
];
