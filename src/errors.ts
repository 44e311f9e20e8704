/**
 * One error vocabulary for every door. Each kind maps to the RESP error prefix a Redis client
 * expects, an HTTP status + stable code, and a gRPC status code, in this one table.
 * Handlers return `ErrorReply` values; exceptions are reserved for bugs.
 */

/** gRPC status codes (numeric, as on the wire) used by the table below. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export const ERROR_KINDS = {
  /** Generic command error (`ERR ...`): bad arguments, syntax, out of range. */
  ERR: { http: 400, code: 'bad_request', grpc: GrpcStatus.INVALID_ARGUMENT },
  /** Unknown command or subcommand. */
  UNKNOWN_COMMAND: { http: 400, code: 'unknown_command', grpc: GrpcStatus.UNIMPLEMENTED },
  /** Operation against a key holding the wrong kind of value. */
  WRONGTYPE: { http: 409, code: 'wrong_type', grpc: GrpcStatus.FAILED_PRECONDITION },
  /** A condition (NX/XX, if-absent/if-present) was not met. HTTP/gRPC only. */
  CONDITION_FAILED: { http: 409, code: 'condition_failed', grpc: GrpcStatus.FAILED_PRECONDITION },
  /** The key does not exist. HTTP/gRPC only: RESP answers null instead. */
  NOT_FOUND: { http: 404, code: 'not_found', grpc: GrpcStatus.NOT_FOUND },
  /** A value or request is larger than a configured bound. */
  TOO_LARGE: { http: 413, code: 'too_large', grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  /** maxmemory reached under noeviction. */
  OOM: { http: 507, code: 'out_of_memory', grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  /** Authentication required / failed. */
  NOAUTH: { http: 401, code: 'unauthenticated', grpc: GrpcStatus.UNAUTHENTICATED },
  WRONGPASS: { http: 401, code: 'unauthenticated', grpc: GrpcStatus.UNAUTHENTICATED },
  /** Authenticated but not allowed. */
  NOPERM: { http: 403, code: 'forbidden', grpc: GrpcStatus.PERMISSION_DENIED },
  /** Server still loading its snapshot. */
  LOADING: { http: 503, code: 'loading', grpc: GrpcStatus.UNAVAILABLE },
  /** Server is shutting down or shedding load. */
  UNAVAILABLE: { http: 503, code: 'unavailable', grpc: GrpcStatus.UNAVAILABLE },
  /** Load shed: the process is under pressure (shed-* options); retry later. HTTP and gRPC only. */
  OVERLOADED: { http: 503, code: 'overloaded', grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  /** Transaction discarded because of earlier errors. */
  EXECABORT: { http: 409, code: 'transaction_aborted', grpc: GrpcStatus.ABORTED },
  /** The request's deadline passed. */
  TIMEOUT: { http: 504, code: 'deadline_exceeded', grpc: GrpcStatus.DEADLINE_EXCEEDED },
  /** A blocked client released by CLIENT UNBLOCK ... ERROR. */
  UNBLOCKED: { http: 409, code: 'unblocked', grpc: GrpcStatus.ABORTED },
  /** The request was cancelled by the client. */
  CANCELLED: { http: 499, code: 'cancelled', grpc: GrpcStatus.CANCELLED },
  /** HTTP only: a body in a media type the route does not take. */
  UNSUPPORTED_MEDIA_TYPE: { http: 415, code: 'unsupported_media_type', grpc: GrpcStatus.INVALID_ARGUMENT },
  /** HTTP only: the request was not received in time (`http-request-timeout-ms`). */
  REQUEST_TIMEOUT: { http: 408, code: 'request_timeout', grpc: GrpcStatus.DEADLINE_EXCEEDED },
  /** HTTP only: request line and headers past `http-max-header-bytes`. */
  HEADERS_TOO_LARGE: { http: 431, code: 'too_large', grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  /** A script or function has run past busy-reply-threshold (only allow-busy commands run). */
  BUSY: { http: 503, code: 'busy', grpc: GrpcStatus.UNAVAILABLE },
  /** EVALSHA of a script that is not in the script cache. */
  NOSCRIPT: { http: 404, code: 'no_script', grpc: GrpcStatus.NOT_FOUND },
  /** SCRIPT KILL / FUNCTION KILL of a script that already wrote. */
  UNKILLABLE: { http: 409, code: 'unkillable', grpc: GrpcStatus.FAILED_PRECONDITION },
  /** SCRIPT KILL / FUNCTION KILL with nothing running. */
  NOTBUSY: { http: 409, code: 'not_busy', grpc: GrpcStatus.FAILED_PRECONDITION },
  /** Invariant broken inside Cairn (a bug). */
  INTERNAL: { http: 500, code: 'internal', grpc: GrpcStatus.INTERNAL },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

/**
 * A protocol-neutral error reply. `message` is the full RESP text including its prefix
 * (`ERR syntax error`, `WRONGTYPE Operation against ...`), exactly as Redis words it.
 */
export class ErrorReply {
  /**
   * INFO errorstats already counted this error where it arose (a script's command): the
   * script's own error reply does not count it again (Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
   * Set only on a fresh instance, never on a shared constant.
   */
  statsCounted = false;
  constructor(
    readonly kind: ErrorKind,
    readonly message: string,
  ) {}
  get http(): number {
    return ERROR_KINDS[this.kind].http;
  }
  get code(): string {
    return ERROR_KINDS[this.kind].code;
  }
  get grpc(): number {
    return ERROR_KINDS[this.kind].grpc;
  }
  /** The message without its RESP prefix word (for HTTP and gRPC bodies). */
  get text(): string {
    const sp = this.message.indexOf(' ');
    const head = sp < 0 ? this.message : this.message.slice(0, sp);
    return /^[A-Z]+$/.test(head) && sp > 0 ? this.message.slice(sp + 1) : this.message;
  }
}

/** Errors worded exactly as Redis 7 words them. */
export const Errors = {
  syntax: new ErrorReply('ERR', 'ERR syntax error'),
  notInteger: new ErrorReply('ERR', 'ERR value is not an integer or out of range'),
  notFloat: new ErrorReply('ERR', 'ERR value is not a valid float'),
  overflow: new ErrorReply('ERR', 'ERR increment or decrement would overflow'),
  incrFloatNaN: new ErrorReply('ERR', 'ERR increment would produce NaN or Infinity'),
  invalidExpire: (cmd: string) => new ErrorReply('ERR', `ERR invalid expire time in '${cmd}' command`),
  noSuchKey: new ErrorReply('ERR', 'ERR no such key'),
  wrongType: new ErrorReply('WRONGTYPE', 'WRONGTYPE Operation against a key holding the wrong kind of value'),
  dbIndexOutOfRange: new ErrorReply('ERR', 'ERR DB index is out of range'),
  invalidDbIndex: new ErrorReply('ERR', 'ERR invalid DB index'),
  stringTooLong: new ErrorReply('ERR', 'ERR string exceeds maximum allowed size (proto-max-bulk-len)'),
  offsetOutOfRange: new ErrorReply('ERR', 'ERR offset is out of range'),
  wrongArity: (cmd: string) => new ErrorReply('ERR', `ERR wrong number of arguments for '${cmd}' command`),
  unknownCommand: (name: string, args: string) =>
    new ErrorReply('UNKNOWN_COMMAND', `ERR unknown command '${name}', with args beginning with: ${args}`),
  unknownSubcommand: (sub: string, cmd: string) =>
    new ErrorReply('UNKNOWN_COMMAND', `ERR unknown subcommand '${sub}'. Try ${cmd} HELP.`),
  noAuth: new ErrorReply('NOAUTH', 'NOAUTH Authentication required.'),
  wrongPass: new ErrorReply('WRONGPASS', 'WRONGPASS invalid username-password pair or user is disabled.'),
  oom: new ErrorReply('OOM', "OOM command not allowed when used memory > 'maxmemory'."),
  loading: new ErrorReply('LOADING', 'LOADING Cairn is loading the dataset in memory'),
  execAbort: new ErrorReply('EXECABORT', 'EXECABORT Transaction discarded because of previous errors.'),
  shuttingDown: new ErrorReply('UNAVAILABLE', 'ERR Cairn is shutting down'),
  timeout: new ErrorReply('TIMEOUT', 'ERR command deadline exceeded'),
  cancelled: new ErrorReply('CANCELLED', 'ERR command cancelled'),
} as const;
