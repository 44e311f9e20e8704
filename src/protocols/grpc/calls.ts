/**
 * What every gRPC call goes through before it reaches the command table: refuse while closing,
 * honour an already expired deadline, authenticate from metadata, pick the database, and build
 * the command context with the call's cancellation signal and deadline.
 *
 * Authentication: against the ACL users (see ../credentials.ts): metadata
 * `authorization: Bearer <password>` or `Basic ...`, or `username` + `password`. Without
 * credentials a call runs as the default user when it needs no password, else fails with
 * UNAUTHENTICATED (NOAUTH); with wrong ones UNAUTHENTICATED (WRONGPASS).
 */
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { ClientState, CommandContext, PubSubMessage, ServerApi } from '../../commands/context.js';
import { ErrorReply, Errors } from '../../errors.js';
import { badAuthHeader, metadataAttempts, tryAuth } from '../credentials.js';
import type { DoorHost } from '../door.js';
import { CallLoad } from './load.js';

const noop = (): void => {};
/** What every server call offers (grpc-js does not export its ServerSurfaceCall type). */
export type SurfaceCall = Omit<ServerUnaryCall<unknown, unknown>, 'request'>;

const tooManyClients = new ErrorReply('TOO_LARGE', 'ERR max number of clients reached');

/** A call's deadline as Unix ms (grpc-js gives a Date, a number, or Infinity for none); 0 = none. */
export function deadlineOf(call: SurfaceCall): number {
  const d = call.getDeadline();
  if (d instanceof Date) return d.getTime();
  return Number.isFinite(d) ? d : 0;
}

/**
 * A call's command context. The abort signal is made on first use: most commands finish
 * synchronously and never look at it, and grpc-js reports every call as "cancelled" once it
 * has ended, so an eager AbortController would build and dispatch an abort (with its
 * DOMException) for every completed call. Measured: that alone was ~15% of a unary call's
 * server CPU time.
 */
class CallContext implements CommandContext {
  private controller: AbortController | null = null;

  constructor(
    readonly client: ClientState,
    readonly server: ServerApi,
    private readonly call: SurfaceCall,
    readonly deadline: number,
  ) {}

  /** Aborted when the client cancels the call or its deadline passes. */
  get signal(): AbortSignal {
    if (this.controller === null) {
      const ac = new AbortController();
      this.controller = ac;
      if (this.call.cancelled) ac.abort();
      else this.call.once('cancelled', () => ac.abort());
    }
    return this.controller.signal;
  }
}

function metadataValue(md: Metadata, key: string): string | undefined {
  const v = md.get(key);
  return v.length > 0 ? v[0].toString() : undefined;
}

export class CallGate {
  /** Set by the door's stopAccepting: new calls get UNAVAILABLE. */
  closing = false;

  constructor(
    private readonly host: DoorHost,
    private readonly laddr: string,
    /** Load shedding and maxclients (load.ts); handlers count the calls they keep open. */
    readonly load: CallLoad = new CallLoad(host, null),
  ) {}

  /**
   * The context a call's commands run in, or the error to answer with. `listed` registers the
   * client (CLIENT LIST, maxclients) for long-lived streams; `close` ends such a stream;
   * `deliver` takes the client's pub/sub messages (Subscribe).
   */
  open(
    call: SurfaceCall,
    db: number,
    listed = false,
    close: () => void = noop,
    deliver?: (msg: PubSubMessage) => void,
  ): CommandContext | ErrorReply {
    const host = this.host;
    if (this.closing || host.server.closing) return Errors.shuttingDown;
    const refused = this.load.refuse();
    if (refused !== null) return refused;
    const deadline = deadlineOf(call);
    if (deadline !== 0 && deadline <= Date.now()) return Errors.timeout;
    if (db >= host.server.keyspace.databases) return Errors.dbIndexOutOfRange;
    const init = { door: 'grpc' as const, addr: call.getPeer(), laddr: this.laddr, close, deliver };
    let client: ClientState | null;
    if (listed) {
      client = host.openClient(init);
      if (client === null) return tooManyClients;
    } else {
      client = host.ephemeralClient(init);
    }
    const attempts = metadataAttempts((key) => metadataValue(call.metadata, key));
    if (attempts !== null) {
      const err = attempts.length === 0 ? badAuthHeader : tryAuth(host, host.context(client), attempts);
      if (err !== null) {
        if (listed) host.closeClient(client);
        return err;
      }
    } else if (!client.authenticated) {
      if (listed) host.closeClient(client);
      return Errors.noAuth;
    }
    client.db = db;
    // Every reply kind has a message in the proto, so handlers may answer in RESP3 shapes.
    client.resp = 3;
    return new CallContext(client, host.server, call, deadline);
  }
}
