/**
 * Commands Execute does not run, and why. Every gRPC call gets a fresh client session that ends
 * with the call, so commands whose whole point is connection state make no sense here. Specs
 * flagged `nogrpc` are refused too; everything else in the table is reachable through Execute.
 * A test checks that every name here exists in the table.
 */
import type { CommandTable } from '../../commands/registry.js';
import { ErrorReply } from '../../errors.js';

/** Keyed by the table's full name: `quit`, or `client|reply` for a subcommand. */
export const GRPC_EXCLUDED: Readonly<Record<string, string>> = {
  multi: 'a call is its own session, so a transaction could not span calls',
  exec: 'a call is its own session, so a transaction could not span calls',
  discard: 'a call is its own session, so a transaction could not span calls',
  watch: 'WATCH needs a session that outlives one call (see the Watch RPC for change events)',
  unwatch: 'WATCH needs a session that outlives one call',
  select: 'set the request field `db` instead',
  quit: 'a gRPC call ends by itself',
  reset: 'it resets a connection session; gRPC sessions last one call',
  hello: 'it negotiates the RESP protocol; gRPC speaks protobuf',
  auth: 'send credentials as `authorization: Bearer <password>` metadata',
  shutdown: 'stop the server with a signal (SIGTERM), not over gRPC',
  'client|reply': 'every gRPC call answers',
  'client|setname': 'it names a session that ends with the call',
  'client|setinfo': 'it describes a session that ends with the call',
  'client|no-evict': 'it flags a session that ends with the call',
  subscribe: 'use the Subscribe RPC (a server stream of messages)',
  psubscribe: 'use the Subscribe RPC with `patterns`',
  ssubscribe: 'use the Subscribe RPC with `shard_channels`',
  unsubscribe: 'cancel the Subscribe call',
  punsubscribe: 'cancel the Subscribe call',
  sunsubscribe: 'cancel the Subscribe call',
};

/** Why a command is refused over gRPC, computed once per table. */
export class GrpcExclusions {
  /** Full name -> reason, including specs flagged `nogrpc`. */
  readonly byName = new Map<string, string>();
  private readonly containers = new Set<string>();

  constructor(table: CommandTable) {
    for (const [name, why] of Object.entries(GRPC_EXCLUDED)) this.byName.set(name, why);
    for (const e of table.all()) {
      if (e.spec.flags.includes('nogrpc') && !this.byName.has(e.fullName)) {
        this.byName.set(e.fullName, 'it is connection-scoped');
      }
    }
    for (const name of this.byName.keys()) {
      const bar = name.indexOf('|');
      if (bar > 0) this.containers.add(name.slice(0, bar));
    }
  }

  /** The refusal for argv, or null when the command may run. */
  check(argv: readonly Buffer[]): ErrorReply | null {
    if (argv.length === 0) return null;
    let name = argv[0].length <= 64 ? argv[0].toString('latin1').toLowerCase() : '';
    if (argv.length > 1 && this.containers.has(name)) {
      name = `${name}|${argv[1].length <= 64 ? argv[1].toString('latin1').toLowerCase() : ''}`;
    }
    const why = this.byName.get(name);
    if (why === undefined) return null;
    return new ErrorReply('ERR', `ERR '${name.replace('|', ' ')}' is not available over gRPC: ${why}`);
  }
}
