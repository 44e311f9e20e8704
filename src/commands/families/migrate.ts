/**
 * MIGRATE (Redis's cluster.c migrateCommand): send keys to another server as RESTORE commands
 * carrying DUMP payloads (Redis 7.0's RDB format, so the target may be Redis or Cairn), then
 * delete them here unless COPY. Replies and errors are Redis's: NOKEY when none of the keys
 * exists, "IOERR error or timeout ..." for a connection that fails or stays silent for
 * `timeout` ms, "Target instance replied with error: ..." for a refusal.
 *
 * Connections are cached per host:port for 10 s (at most 64), with the database last SELECTed
 * on them, as Redis does (INFO stats `migrate_cached_sockets`). One difference: Redis blocks
 * the whole server while it talks to the target; Cairn waits without blocking, so the other
 * clients run meanwhile, and a migrated key is deleted here only if it still holds the value
 * that was sent.
 */
import { createConnection, type Socket } from 'node:net';
import { ErrorReply, Errors } from '../../errors.js';
import { createDumpPayload } from '../../persistence/rdb/dump.js';
import { argIs, parseInt64 } from '../args.js';
import type { CommandContext, ServerApi } from '../context.js';
import { type Reply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { lookupValue } from './lookup.js';

/** Redis's MIGRATE_SOCKET_CACHE_ITEMS and MIGRATE_SOCKET_CACHE_TTL. */
const CACHE_ITEMS = 64;
const CACHE_TTL_MS = 10_000;

const NOKEY = new SimpleReply('NOKEY');
const OK_REPLY = new SimpleReply('OK');
const keysNeedEmptyKey = new ErrorReply(
  'ERR',
  'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string',
);
const connectError = new ErrorReply('ERR', 'IOERR error or timeout connecting to the client');
const writeError = new ErrorReply('ERR', 'IOERR error or timeout writing to target instance');

interface Cached {
  readonly socket: Socket;
  /** The database last SELECTed on this connection; -1 forces a SELECT. */
  lastDb: number;
  timer: NodeJS.Timeout;
  /** Reply lines read and not yet consumed; `waiter` is told when more arrive. */
  lines: string[];
  partial: string;
  closed: boolean;
  waiter: (() => void) | null;
}

/** Cached connections of each server, by `host:port`. */
const caches = new WeakMap<ServerApi, Map<string, Cached>>();

function cacheOf(server: ServerApi): Map<string, Cached> {
  let m = caches.get(server);
  if (m === undefined) {
    m = new Map();
    caches.set(server, m);
  }
  return m;
}

/** Open connections MIGRATE keeps (INFO stats `migrate_cached_sockets`). */
export function migrateCachedSockets(server: ServerApi): number {
  return caches.get(server)?.size ?? 0;
}

function close(cache: Map<string, Cached>, name: string): void {
  const c = cache.get(name);
  if (c === undefined) return;
  cache.delete(name);
  clearTimeout(c.timer);
  c.socket.destroy();
}

function touch(cache: Map<string, Cached>, name: string, c: Cached): void {
  clearTimeout(c.timer);
  c.timer = setTimeout(() => close(cache, name), CACHE_TTL_MS);
  c.timer.unref();
}

function connect(
  cache: Map<string, Cached>,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Cached | ErrorReply> {
  const name = `${host}:${port}`;
  const found = cache.get(name);
  if (found !== undefined && !found.closed) {
    touch(cache, name, found);
    return Promise.resolve(found);
  }
  if (found !== undefined) close(cache, name);
  if (cache.size >= CACHE_ITEMS) close(cache, cache.keys().next().value as string);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(connectError);
    }, timeoutMs);
    // Redis connects without waiting and learns of a refused connection when it writes.
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(writeError);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      const c: Cached = {
        socket,
        lastDb: -1,
        timer: setTimeout(() => undefined, 0),
        lines: [],
        partial: '',
        closed: false,
        waiter: null,
      };
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        const text = c.partial + chunk.toString('latin1');
        const parts = text.split('\r\n');
        c.partial = parts.pop() ?? '';
        c.lines.push(...parts);
        c.waiter?.();
      });
      socket.on('close', () => {
        c.closed = true;
        cache.delete(name);
        clearTimeout(c.timer);
        c.waiter?.();
      });
      cache.set(name, c);
      touch(cache, name, c);
      resolve(c);
    });
  });
}

/** The next reply line (`+OK`, `-ERR ...`), or null on a timeout or a closed connection. */
function readLine(c: Cached, timeoutMs: number): Promise<string | null> {
  if (c.lines.length > 0) return Promise.resolve(c.lines.shift()!);
  if (c.closed) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.waiter = null;
      resolve(null);
    }, timeoutMs);
    c.waiter = () => {
      if (c.lines.length === 0 && !c.closed) return;
      clearTimeout(timer);
      c.waiter = null;
      resolve(c.lines.length > 0 ? c.lines.shift()! : null);
    };
  });
}

function resp(args: ReadonlyArray<Buffer | string>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Options {
  copy: boolean;
  replace: boolean;
  user: Buffer | null;
  password: Buffer | null;
  firstKey: number;
  numKeys: number;
}

function parseOptions(argv: Buffer[]): Options | ErrorReply {
  const o: Options = { copy: false, replace: false, user: null, password: null, firstKey: 3, numKeys: 1 };
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (argIs(argv[j], 'copy')) o.copy = true;
    else if (argIs(argv[j], 'replace')) o.replace = true;
    else if (argIs(argv[j], 'auth')) {
      if (more < 1) return Errors.syntax;
      o.password = argv[++j];
    } else if (argIs(argv[j], 'auth2')) {
      if (more < 2) return Errors.syntax;
      o.user = argv[++j];
      o.password = argv[++j];
    } else if (argIs(argv[j], 'keys')) {
      if (argv[3].length !== 0) return keysNeedEmptyKey;
      o.firstKey = j + 1;
      o.numKeys = argv.length - j - 1;
      break;
    } else return Errors.syntax;
  }
  return o;
}

function migrate(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const o = parseOptions(argv);
  if (o instanceof ErrorReply) return o;
  const timeoutArg = parseInt64(argv[5]);
  const dbArg = parseInt64(argv[4]);
  if (timeoutArg === null || dbArg === null) return Errors.notInteger;
  const timeoutMs = timeoutArg <= 0n ? 1000 : Number(timeoutArg);
  const db = Number(dbArg);
  const server = ctx.server;
  const ks = server.keyspace;
  const srcDb = ctx.client.db;
  const keys: Buffer[] = [];
  for (let j = 0; j < o.numKeys; j++) {
    const key = argv[o.firstKey + j];
    if (lookupValue(ctx, key) !== null) keys.push(Buffer.from(key));
  }
  if (keys.length === 0) return NOKEY;
  const host = argv[1].toString('utf8');
  const port = Number(argv[2].toString('latin1'));
  const config = server.config;
  const dumpOptions = {
    listMaxListpackSize: config.int('list-max-listpack-size'),
    listCompressDepth: config.int('list-compress-depth'),
    compress: config.bool('rdbcompression'),
  };
  const run = async (retry: boolean): Promise<Reply> => {
    const cache = cacheOf(server);
    const c = await connect(cache, host, port, timeoutMs);
    if (c instanceof ErrorReply) return c;
    const out: Buffer[] = [];
    if (o.password !== null)
      out.push(resp(o.user === null ? ['AUTH', o.password] : ['AUTH', o.user, o.password]));
    const select = c.lastDb !== db;
    if (select) out.push(resp(['SELECT', String(db)]));
    // Serialized now, as the keys are at this instant; a key that expired since is left out.
    const sent: Buffer[] = [];
    const now = server.clock.now();
    for (const key of keys) {
      const e = ks.peekEntry(srcDb, key);
      if (e === null || (e.expireAt !== 0 && e.expireAt <= now)) continue;
      const ttl = e.expireAt === 0 ? 0 : Math.max(1, e.expireAt - now);
      const payload = createDumpPayload(e.value, dumpOptions);
      out.push(resp(['RESTORE', key, String(ttl), payload, ...(o.replace ? ['REPLACE'] : [])]));
      sent.push(key);
    }
    // Keys others change while we wait for the target are not deleted here afterwards.
    const changed = new Set<string>();
    const stop = server.events.subscribe((d, k) => {
      if (d === srcDb && k !== null) changed.add(k.toString('latin1'));
    });
    try {
      c.socket.write(Buffer.concat(out));
      const authReply = o.password !== null ? await readLine(c, timeoutMs) : '+OK';
      const selectReply = select && authReply !== null ? await readLine(c, timeoutMs) : '+OK';
      if (authReply === null || selectReply === null) return ioError(cache, host, port, retry, run);
      let targetError: string | null = null;
      let deleted = 0;
      for (let j = 0; j < sent.length; j++) {
        const line = await readLine(c, timeoutMs);
        if (line === null) {
          if (targetError === null && j === 0) return ioError(cache, host, port, retry, run);
          close(cache, `${host}:${port}`);
          return targetError === null ? readError : targetErr(targetError);
        }
        const failed = authReply[0] === '-' ? authReply : selectReply[0] === '-' ? selectReply : line;
        if (failed[0] === '-') {
          if (targetError === null) {
            c.lastDb = -1;
            targetError = failed.slice(1);
          }
        } else if (!o.copy) {
          const key = sent[j];
          if (!changed.has(key.toString('latin1')) && ks.delete(srcDb, key)) {
            deleted++;
            server.notify('g', 'del', key, srcDb);
          }
        }
      }
      server.dirty += deleted;
      if (targetError !== null) return targetErr(targetError);
      c.lastDb = db;
      return OK_REPLY;
    } finally {
      stop();
    }
  };
  return run(true);
}

const readError = new ErrorReply('ERR', 'IOERR error or timeout reading to target instance');

function targetErr(text: string): ErrorReply {
  return new ErrorReply('ERR', `ERR Target instance replied with error: ${text}`);
}

/** A cached connection may have been closed by the target: reconnect once, as Redis does. */
function ioError(
  cache: Map<string, Cached>,
  host: string,
  port: number,
  retry: boolean,
  run: (retry: boolean) => Promise<Reply>,
): Promise<Reply> | Reply {
  close(cache, `${host}:${port}`);
  return retry ? run(false) : readError;
}

/** MIGRATE's keys: argv[3], or every argument after KEYS (when argv[3] is empty). */
function migrateKeys(argv: readonly Buffer[]): number[] {
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toString('latin1').toLowerCase();
    if (opt === 'auth' && more >= 1) j++;
    else if (opt === 'auth2' && more >= 2) j += 2;
    else if (opt === 'keys') {
      if (argv[3].length !== 0) return [];
      const out: number[] = [];
      for (let k = j + 1; k < argv.length; k++) out.push(k);
      return out;
    }
  }
  return [3];
}

export const migrateCommands: readonly CommandSpec[] = [
  command({
    name: 'migrate',
    arity: -6,
    flags: ['write'],
    group: 'generic',
    categories: ['keyspace', 'dangerous'],
    summary: 'Atomically transfer a key from a Redis instance to another one.',
    since: '2.6.0',
    complexity:
      'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    syntax:
      'host port <key | ""> destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key [key ...]]',
    firstKey: 3,
    lastKey: 3,
    step: 1,
    getKeys: migrateKeys,
    handler: migrate,
  }),
];
