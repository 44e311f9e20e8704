/**
 * Between HTTP requests and the command table. Each TCP connection is registered as a client of
 * the `http` door (so it counts toward `maxclients`, CLIENT LIST and the per-door connection
 * gauge); each request runs its commands on a fresh ephemeral session, authenticated from the
 * `Authorization` header through the AUTH command itself, so HTTP obeys the same rules as RESP.
 * Routes never touch the keyspace: they build argv and call `run`.
 */
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { ClientState, CommandContext, PubSubMessage } from '../../commands/context.js';
import type { TableEntry } from '../../commands/registry.js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply, Errors } from '../../errors.js';
import { isLoopback } from '../../security/protected-mode.js';
import { authAttempts, badAuthHeader, tryAuth } from '../credentials.js';
import type { ClientInit, DoorHost } from '../door.js';
import { adoptSession } from '../subscriptions.js';
import type { HttpExclusions } from './excluded.js';
import { RequestContext } from './request-context.js';
import { SseStreams } from './sse.js';

/** Per-connection state, kept on the socket. */
interface Conn {
  /** The registered client; null when `maxclients` refused the connection. */
  readonly client: ClientState | null;
  /** Made once per connection, used for each request's ephemeral session. */
  readonly init: ClientInit;
  /** Aborted when the connection goes away: cancels whatever its request is waiting for. */
  readonly abort: AbortController;
  /** From a loopback address (protected mode), read once: a connection's peer never changes. */
  readonly loopback: boolean;
  /** Where the registered client's pub/sub messages go while the connection carries a stream. */
  sink: ((msg: PubSubMessage) => void) | null;
}

const kConn = Symbol('cairn.http.conn');
type TrackedSocket = Socket & { [kConn]?: Conn };

export const maxClientsReached = new ErrorReply('UNAVAILABLE', 'ERR max number of clients reached');
/** A request on a socket the door never saw connect (injected requests in tests). */
function unattached(req: FastifyRequest): ClientInit {
  return { door: 'http', addr: `${req.ip}:0`, laddr: '?:0', close: () => req.raw.socket?.end() };
}

export class HttpBridge {
  /** False once the door stops accepting: new requests get 503. */
  accepting = true;
  /** Open Server-Sent-Events streams (pub/sub, stream tails), ended at shutdown. */
  readonly sse: SseStreams;
  private maxBulkBytes: number;
  private maxArgs: number;
  private requestTimeoutMs: number;
  private protectedMode: boolean;
  /** The table's PTTL entry, looked up once (null: renamed away); see pttlEntry. */
  private pttl: TableEntry | null | undefined;
  private readonly stopWatching: () => void;

  constructor(
    readonly host: DoorHost,
    readonly exclusions: HttpExclusions,
  ) {
    const config = host.server.config;
    this.sse = new SseStreams(config, host.server.clock, host.logger);
    this.maxBulkBytes = config.int('proto-max-bulk-len');
    this.maxArgs = config.int('proto-max-multibulk-len');
    this.requestTimeoutMs = config.int('http-request-timeout-ms');
    this.protectedMode = config.bool('protected-mode');
    this.stopWatching = config.onChange((name) => {
      if (name === 'proto-max-bulk-len') this.maxBulkBytes = config.int(name);
      else if (name === 'proto-max-multibulk-len') this.maxArgs = config.int(name);
      else if (name === 'http-request-timeout-ms') this.requestTimeoutMs = config.int(name);
      else if (name === 'protected-mode') this.protectedMode = config.bool(name);
    });
  }

  /** Register a new TCP connection as an `http` client; unregister it when it closes. */
  attach(socket: TrackedSocket): void {
    const init: ClientInit = {
      door: 'http',
      addr: `${socket.remoteAddress}:${socket.remotePort}`,
      laddr: `${socket.localAddress}:${socket.localPort}`,
      // CLIENT KILL: a subscribed stream leaves its channels at once (as Redis frees a killed
      // client), not when the socket's close arrives after the FIN.
      close: () => {
        if (conn.client?.pubsub) this.host.server.pubsub.unsubscribeAll(conn.client);
        socket.end();
      },
      // CLIENT LIST figures: what is buffered on this connection either way.
      bufferStats: () => ({ qbuf: socket.readableLength, obl: 0, omem: socket.writableLength }),
    };
    // The registered client subscribes for a Server-Sent-Events stream (streamClient).
    init.deliver = (msg) => conn.sink?.(msg);
    const client = this.host.openClient(init);
    const loopback = isLoopback(socket.remoteAddress ?? '');
    const conn: Conn = { client, init, abort: new AbortController(), loopback, sink: null };
    socket[kConn] = conn;
    socket.once('close', () => {
      conn.abort.abort();
      if (conn.client !== null) this.host.closeClient(conn.client);
    });
  }

  /**
   * A session for one request, authenticated from its Authorization header; or the error to
   * answer (503 closing or over maxclients, 401 bad credentials). A missing header on a server
   * with a password is left to the dispatcher, which answers NOAUTH.
   */
  begin(req: FastifyRequest): CommandContext | ErrorReply | Promise<CommandContext | ErrorReply> {
    return this.beginOn(req.raw.socket, req.headers.authorization, req);
  }

  /** Is this connection registered (attach)? Injected test requests are not. */
  tracks(socket: Socket): boolean {
    return (socket as TrackedSocket)[kConn] !== undefined;
  }

  /**
   * For the fast path: is this connection registered, and not refused by protected mode now
   * (as security/protected-mode.ts `refusedByProtectedMode` decides, with the address's
   * loopback-ness read once per connection)?
   */
  trackedAndAllowed(socket: Socket): boolean {
    const conn = (socket as TrackedSocket)[kConn];
    if (conn === undefined) return false;
    return conn.loopback || !this.protectedMode || !this.host.server.acl.defaultUserIsOpen();
  }

  /** PTTL's table entry (rename-command is applied before the doors start); null when renamed. */
  pttlEntry(): TableEntry | null {
    if (this.pttl === undefined) {
      const e = this.host.table.entries.get('pttl');
      this.pttl = e?.fullName === 'pttl' ? e : null;
    }
    return this.pttl;
  }

  /** `begin` from the raw parts (the fast path has no FastifyRequest; its sockets are tracked). */
  beginOn(
    socket: Socket,
    header: string | undefined,
    req?: FastifyRequest,
  ): CommandContext | ErrorReply | Promise<CommandContext | ErrorReply> {
    if (!this.accepting || this.host.server.closing) return Errors.shuttingDown;
    const conn = (socket as TrackedSocket)[kConn];
    if (conn !== undefined && conn.client === null) return maxClientsReached;
    const init = conn?.init ?? (req === undefined ? null : unattached(req));
    if (init === null) throw new Error('a request on an untracked connection');
    const client = this.host.ephemeralClient(init);
    const deadline = this.requestTimeoutMs > 0 ? this.host.server.clock.now() + this.requestTimeoutMs : 0;
    const ctx = new RequestContext(client, this.host.server, conn?.abort.signal ?? null, deadline);
    if (header === undefined) return ctx;
    const attempts = authAttempts(header);
    if (attempts === null) return badAuthHeader;
    return tryAuth(this.host, ctx, attempts) ?? ctx;
  }

  /**
   * The client a long-lived stream (Server-Sent Events) runs as: the connection's registered
   * client, so CLIENT LIST shows it and CLIENT KILL ends it, with the identity of the request's
   * authenticated session; its pub/sub messages go to `deliver` until `release`. A request
   * without a tracked connection (injected in tests) gets an unlisted client.
   */
  streamClient(
    req: FastifyRequest,
    session: ClientState,
    deliver: ((msg: PubSubMessage) => void) | null,
  ): { client: ClientState; signal: AbortSignal | null; release: () => void } {
    const conn = (req.raw.socket as TrackedSocket)[kConn];
    let client: ClientState;
    if (conn?.client != null) {
      client = conn.client;
      conn.sink = deliver;
    } else {
      client = this.host.ephemeralClient({ ...unattached(req), deliver: (m) => deliver?.(m) });
    }
    adoptSession(client, session);
    const release = () => {
      this.host.server.pubsub.unsubscribeAll(client);
      if (conn?.client === client) {
        conn.sink = null;
        client.acl = this.host.server.acl.defaultUser;
      }
    };
    return { client, signal: conn?.abort.signal ?? null, release };
  }

  /** Run one command after the door's own bounds (the RESP parser's limits, for HTTP). */
  run(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
    if (argv.length > this.maxArgs)
      return new ErrorReply('TOO_LARGE', 'ERR too many arguments in one command');
    for (let i = 0; i < argv.length; i++) {
      if (argv[i].length > this.maxBulkBytes)
        return new ErrorReply('TOO_LARGE', Errors.stringTooLong.message);
    }
    return this.host.execute(ctx, argv);
  }

  close(): void {
    this.stopWatching();
    this.sse.close();
  }
}
