/**
 * CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: server-assisted client-side caching
 * (the tracking table itself is src/commands/tracking.ts). Options, checks and error texts
 * follow Redis 7.0's clientCommand, in its order: options are parsed (and a REDIRECT target
 * looked up) before ON/OFF is read, then ON checks the mode against the current one.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { argIs, parseInt64 } from '../args.js';
import type { ClientState, CommandContext } from '../context.js';
import { MapReply, OK, type Reply, SetReply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { byteOrder, type TrackingOptions } from '../tracking.js';

function err(text: string): ErrorReply {
  return new ErrorReply('ERR', `ERR ${text}`);
}

const singleRedirect = err('A client can only redirect to a single other client');
const noSuchRedirect = err('The client ID you want redirect to does not exist');
const prefixNeedsBcast = err('PREFIX option requires BCAST mode to be enabled');
const bcastSwitch = err(
  "You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
);
const optWithBcast = err('OPTIN and OPTOUT are not compatible with BCAST');
const optinAndOptout = err("You can't specify both OPTIN mode and OPTOUT mode");
const optSwitch = err(
  "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
);
const cachingNeedsTracking = err(
  'CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
);
const cachingYesNeedsOptin = err('CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
const cachingNoNeedsOptout = err('CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');

/** A prefix as Redis's `%s` prints it: up to its first NUL byte. */
function shown(p: Buffer | string): string {
  const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
}

/** Redis's stringCheckPrefix: one is a prefix of the other, so both would match some key. */
function overlaps(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return a.compare(b, 0, n, 0, n) === 0;
}

/**
 * Redis's checkPrefixCollisionsOrReply: a new prefix may not overlap a prefix the client has,
 * nor another new one. (Redis 7.0 then still enables tracking when the clash is between two
 * new prefixes past the first, answering both an error and OK; Cairn answers the error only.)
 */
function prefixCollision(c: ClientState, prefixes: readonly Buffer[]): ErrorReply | null {
  const existing = c.tracking === null ? [] : [...c.tracking.prefixes].sort(byteOrder);
  for (let i = 0; i < prefixes.length; i++) {
    for (const e of existing) {
      if (overlaps(Buffer.from(e, 'latin1'), prefixes[i]))
        return err(
          `Prefix '${shown(prefixes[i])}' overlaps with an existing prefix '${shown(e)}'. Prefixes for a single client must not overlap.`,
        );
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(prefixes[i], prefixes[j]))
        return err(
          `Prefix '${shown(prefixes[i])}' overlaps with another provided prefix '${shown(prefixes[j])}'. Prefixes for a single client must not overlap.`,
        );
    }
  }
  return null;
}

/** CLIENT TRACKING <ON | OFF> [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
function clientTracking(ctx: CommandContext, argv: Buffer[]): Reply {
  const c = ctx.client;
  const opts: TrackingOptions & { prefixes: Buffer[] } = {
    redirect: 0,
    bcast: false,
    optin: false,
    optout: false,
    noloop: false,
    prefixes: [],
  };
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const a = argv[j];
    if (argIs(a, 'redirect') && more > 0) {
      j++;
      if (opts.redirect !== 0) return singleRedirect;
      const id = parseInt64(argv[j]);
      if (id === null) return Errors.notInteger;
      // The target must exist now, even though it may go away later (then: tracking-redir-broken).
      const target =
        id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? ctx.server.clients.get(Number(id)) : undefined;
      if (target === undefined) return noSuchRedirect;
      opts.redirect = target.id;
    } else if (argIs(a, 'bcast')) opts.bcast = true;
    else if (argIs(a, 'optin')) opts.optin = true;
    else if (argIs(a, 'optout')) opts.optout = true;
    else if (argIs(a, 'noloop')) opts.noloop = true;
    else if (argIs(a, 'prefix') && more > 0) {
      j++;
      opts.prefixes.push(Buffer.from(argv[j]));
    } else return Errors.syntax;
  }
  const observers = ctx.server.observers;
  if (argIs(argv[2], 'off')) {
    observers.disableTracking(c);
    return OK;
  }
  if (!argIs(argv[2], 'on')) return Errors.syntax;
  const st = c.tracking;
  if (!opts.bcast && opts.prefixes.length > 0) return prefixNeedsBcast;
  if (st !== null && st.bcast !== opts.bcast) return bcastSwitch;
  if (opts.bcast && (opts.optin || opts.optout)) return optWithBcast;
  if (opts.optin && opts.optout) return optinAndOptout;
  if (st !== null && ((opts.optin && st.optout) || (opts.optout && st.optin))) return optSwitch;
  if (opts.bcast) {
    const clash = prefixCollision(c, opts.prefixes);
    if (clash !== null) return clash;
  }
  observers.enableTracking(c, opts);
  return OK;
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked (OPTIN / OPTOUT). */
function clientCaching(ctx: CommandContext, argv: Buffer[]): Reply {
  const st = ctx.client.tracking;
  if (st === null) return cachingNeedsTracking;
  if (argIs(argv[2], 'yes')) {
    if (!st.optin) return cachingYesNeedsOptin;
  } else if (argIs(argv[2], 'no')) {
    if (!st.optout) return cachingNoNeedsOptout;
  } else {
    return Errors.syntax;
  }
  st.caching = true;
  return OK;
}

/** The redirect client id; 0 without redirect, -1 when tracking is off. */
function clientGetRedir(ctx: CommandContext): Reply {
  const st = ctx.client.tracking;
  return st === null ? -1 : st.redirect;
}

const bulk = (s: string) => Buffer.from(s);

function clientTrackingInfo(ctx: CommandContext): Reply {
  const st = ctx.client.tracking;
  const flags: Reply[] = [bulk(st === null ? 'off' : 'on')];
  if (st !== null) {
    if (st.bcast) flags.push(bulk('bcast'));
    if (st.optin) {
      flags.push(bulk('optin'));
      if (st.caching) flags.push(bulk('caching-yes'));
    }
    if (st.optout) {
      flags.push(bulk('optout'));
      if (st.caching) flags.push(bulk('caching-no'));
    }
    if (st.noloop) flags.push(bulk('noloop'));
    if (st.brokenRedirect) flags.push(bulk('broken_redirect'));
  }
  const prefixes = st === null ? [] : [...st.prefixes].sort(byteOrder).map((p) => Buffer.from(p, 'latin1'));
  return new MapReply([
    [bulk('flags'), new SetReply(flags)],
    [bulk('redirect'), st === null ? -1 : st.redirect],
    [bulk('prefixes'), prefixes],
  ]);
}

/** CLIENT HELP lines for these subcommands, in Redis 7.0's wording: the first two lead the list. */
export const TRACKING_HELP_HEAD = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
];
/** ... and these come just before NO-EVICT. */
export const TRACKING_HELP_TAIL = [
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
];

const SUB = { group: 'connection' } as const;
/** Redis's flags for these subcommands; changing tracking means nothing on a one-request session. */
const SELF: CommandFlag[] = ['no-script', 'loading', 'stale'];
const SESSION: CommandFlag[] = [...SELF, 'nohttp', 'nogrpc'];

export const clientTrackingSubcommands: readonly CommandSpec[] = [
  command({
    ...SUB,
    name: 'tracking',
    arity: -3,
    flags: SESSION,
    summary: 'Controls server-assisted client-side caching for the connection.',
    since: '6.0.0',
    complexity: 'O(1). Some options may introduce additional complexity.',
    syntax:
      '<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]',
    handler: clientTracking,
  }),
  command({
    ...SUB,
    name: 'caching',
    arity: 3,
    flags: SESSION,
    summary: 'Instructs the server whether to track the keys in the next request.',
    since: '6.0.0',
    complexity: 'O(1)',
    syntax: '<YES | NO>',
    handler: clientCaching,
  }),
  command({
    ...SUB,
    name: 'getredir',
    arity: 2,
    flags: SELF,
    summary: "Returns the client ID to which the connection's tracking notifications are redirected.",
    since: '6.0.0',
    complexity: 'O(1)',
    syntax: '',
    handler: clientGetRedir,
  }),
  command({
    ...SUB,
    name: 'trackinginfo',
    arity: 2,
    flags: SELF,
    summary: 'Returns information about server-assisted client-side caching for the connection.',
    since: '6.2.0',
    complexity: 'O(1)',
    syntax: '',
    handler: clientTrackingInfo,
  }),
];
