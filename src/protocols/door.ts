/**
 * The contract between the server lifecycle and a door (RESP, HTTP, gRPC). A door turns its
 * wire format into `host.execute(ctx, argv)` calls on the shared command table and renders the
 * protocol-neutral replies. The lifecycle starts doors after the dataset is loaded and closes
 * them in a fixed order at shutdown: stop accepting, drain, force.
 */
import type { Logger } from 'pino';
import type { ClientState, CommandContext, Door, PubSubMessage, ServerApi } from '../commands/context.js';
import type { CommandTable } from '../commands/registry.js';
import type { Reply } from '../commands/reply.js';

export interface ClientInit {
  door: Door;
  addr: string;
  laddr: string;
  /** Close the underlying connection (after flushing pending replies). */
  close: () => void;
  bufferStats?: () => ReturnType<ClientState['bufferStats']>;
  /** Out-of-band delivery (see ClientState.push); absent: the client cannot receive pushes. */
  push?: (reply: Reply) => boolean;
  /**
   * Pub/sub messages for a client that renders them itself (an HTTP Server-Sent-Events stream,
   * a gRPC Subscribe stream); absent: messages go to `push` as Redis's push replies.
   */
  deliver?: (msg: PubSubMessage) => void;
}

export interface DoorHost {
  readonly server: ServerApi;
  readonly table: CommandTable;
  readonly logger: Logger;
  /**
   * Register a client (counts toward INFO clients and CLIENT LIST). Returns null when
   * `maxclients` is reached for this door; the door then refuses the client with its own
   * error (`ERR max number of clients reached`, 503, RESOURCE_EXHAUSTED).
   */
  openClient(init: ClientInit): ClientState | null;
  /** A short-lived client that is not listed (one HTTP request, one gRPC call). */
  ephemeralClient(init: ClientInit): ClientState;
  closeClient(client: ClientState): void;
  /** Run one command through the dispatcher. */
  execute(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply>;
  /** Make a command context for a client (doors may reuse it per connection). */
  context(client: ClientState, signal?: AbortSignal | null, deadlineMs?: number): CommandContext;
}

export interface DoorHandle {
  readonly door: Door;
  /** The port actually bound (useful with port 0); 0 when only TLS listens. */
  readonly port: number;
  /** The separate TLS port actually bound, when the door has one (RESP's tls-port). */
  readonly tlsPort?: number;
  readonly host: string;
  /**
   * Listen on `host` (Redis bind words) and `port` instead (CONFIG SET port / bind), keeping the
   * connections already open; resolves with the bound port. Only the RESP door has it.
   */
  rebind?(host: string, port: number): Promise<number>;
  /** Stop accepting new connections/requests; in-flight work carries on. */
  stopAccepting(): Promise<void>;
  /** Wait up to `graceMs` for in-flight work, then force-close everything. */
  close(graceMs: number): Promise<void>;
}

export interface DoorOptions {
  host: string;
  /** -1: no plaintext listener (RESP with a tls-port). */
  port: number;
  /** A separate TLS port (RESP's tls-port); absent or -1 = none. */
  tlsPort?: number;
}
