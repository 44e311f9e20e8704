/**
 * CLIENT KILL, both forms (Redis's clientKillCommand):
 *   CLIENT KILL ip:port                       old form: OK or "No such client"; may kill itself
 *   CLIENT KILL <filter> <value> [...]        new form: the number killed; SKIPME yes by default
 * Filters: ID, ADDR, LADDR, TYPE, USER, SKIPME. The caller, when killed, still gets its reply:
 * ClientState.close flushes pending replies first.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { argIs, argLower, parseInt64 } from '../args.js';
import type { ClientState, CommandContext } from '../context.js';
import { OK, type Reply } from '../reply.js';
import { oneLine } from './redis-compat.js';

const INT64_MAX = 9223372036854775807n;
const noSuchClient = new ErrorReply('ERR', 'ERR No such client');
const badClientId = new ErrorReply('ERR', 'ERR client-id should be greater than 0');

/** Client types Redis knows: `replica` once it sent SYNC/PSYNC, `pubsub` while it holds a subscription, else `normal`. */
const CLIENT_TYPES = new Set(['normal', 'master', 'replica', 'slave', 'pubsub']);
type ClientTest = (c: ClientState) => boolean;
const isNormal: ClientTest = (c) => c.pubsub === null && !c.replica;
const isPubsub: ClientTest = (c) => c.pubsub !== null && !c.replica;
const isReplica: ClientTest = (c) => c.replica;
const isNone: ClientTest = () => false;

export function unknownClientType(arg: Buffer): ErrorReply {
  return new ErrorReply('ERR', `ERR Unknown client type '${oneLine(arg.toString('utf8'))}'`);
}

/** Parse a TYPE value into a test of a client's type (Redis's getClientType). */
export function parseClientType(arg: Buffer): ClientTest | ErrorReply {
  const t = argLower(arg);
  if (!CLIENT_TYPES.has(t)) return unknownClientType(arg);
  if (t === 'replica' || t === 'slave') return isReplica;
  return t === 'normal' ? isNormal : t === 'pubsub' ? isPubsub : isNone;
}

interface KillFilter {
  id: number;
  addr: string | null;
  laddr: string | null;
  /** The TYPE filter, null when none. */
  type: ClientTest | null;
  user: string | null;
  skipMe: boolean;
}

function parseFilter(argv: Buffer[]): KillFilter | ErrorReply {
  const f: KillFilter = { id: 0, addr: null, laddr: null, type: null, user: null, skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    const opt = argv[i];
    if (!hasValue) return Errors.syntax;
    const value = argv[i + 1];
    if (argIs(opt, 'id')) {
      const id = parseInt64(value);
      if (id === null || id < 1n || id > INT64_MAX) return badClientId;
      f.id = Number(id);
    } else if (argIs(opt, 'type')) {
      const t = parseClientType(value);
      if (t instanceof ErrorReply) return t;
      f.type = t;
    } else if (argIs(opt, 'addr')) {
      f.addr = value.toString('utf8');
    } else if (argIs(opt, 'laddr')) {
      f.laddr = value.toString('utf8');
    } else if (argIs(opt, 'user')) {
      const user = value.toString('utf8');
      if (user !== 'default') return new ErrorReply('ERR', `ERR No such user '${oneLine(user)}'`);
      f.user = user;
    } else if (argIs(opt, 'skipme')) {
      if (argIs(value, 'yes')) f.skipMe = true;
      else if (argIs(value, 'no')) f.skipMe = false;
      else return Errors.syntax;
    } else {
      return Errors.syntax;
    }
  }
  return f;
}

function matches(c: ClientState, self: ClientState, f: KillFilter): boolean {
  if (f.addr !== null && c.addr !== f.addr) return false;
  if (f.laddr !== null && c.laddr !== f.laddr) return false;
  if (f.type !== null && !f.type(c)) return false;
  if (f.id !== 0 && c.id !== f.id) return false;
  if (f.user !== null && c.user !== f.user) return false;
  return !(c === self && f.skipMe);
}

export function clientKill(ctx: CommandContext, argv: Buffer[]): Reply {
  const oldForm = argv.length === 3;
  let filter: KillFilter | ErrorReply;
  if (oldForm) {
    filter = {
      id: 0,
      addr: argv[2].toString('utf8'),
      laddr: null,
      type: null,
      user: null,
      skipMe: false,
    };
  } else {
    filter = parseFilter(argv);
    if (filter instanceof ErrorReply) return filter;
  }
  const self = ctx.client;
  // Collect first: closing a client may remove it from the registry while we iterate.
  const victims: ClientState[] = [];
  for (const c of ctx.server.clients.list()) if (matches(c, self, filter)) victims.push(c);
  for (const c of victims) c.close();
  if (oldForm) return victims.length === 0 ? noSuchClient : OK;
  return victims.length;
}
