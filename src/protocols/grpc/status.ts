/**
 * Errors as gRPC statuses. The code comes from the shared error table (`ErrorReply.grpc`), the
 * details are the message without its RESP prefix, and the trailing metadata `cairn-error-code`
 * carries Cairn's stable code so clients can branch without parsing text.
 */
import { Metadata, type StatusObject } from '@grpc/grpc-js';
import { ErrorReply } from '../../errors.js';

export const ERROR_CODE_METADATA = 'cairn-error-code';
/** gRPC's retry pushback trailer: how long a client should wait before trying again. */
export const RETRY_PUSHBACK_METADATA = 'grpc-retry-pushback-ms';

/** An error the client may retry after a while (load shedding): sent with a pushback trailer. */
export class RetryableReply extends ErrorReply {
  constructor(
    kind: ErrorReply['kind'],
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(kind, message);
  }
}

/** A key the RPC needed does not exist (Get, Ttl). RESP answers null instead. */
export const KEY_NOT_FOUND = new ErrorReply('NOT_FOUND', 'ERR no such key');
/** if_absent / if_present / if_all_absent was not met. */
export const CONDITION_NOT_MET = new ErrorReply('CONDITION_FAILED', 'ERR condition not met');
export function missingField(what: string): ErrorReply {
  return new ErrorReply('ERR', `ERR ${what} is required`);
}

/** Statuses are immutable once built (grpc-js clones the metadata it sends), so cache them. */
const cache = new WeakMap<ErrorReply, Partial<StatusObject>>();

export function toStatus(err: ErrorReply): Partial<StatusObject> {
  let s = cache.get(err);
  if (s === undefined) {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA, err.code);
    if (err instanceof RetryableReply) metadata.set(RETRY_PUSHBACK_METADATA, String(err.retryAfterMs));
    s = { code: err.grpc, details: err.text, metadata };
    cache.set(err, s);
  }
  return s;
}

/** A handler bug or an unexpected rejection: INTERNAL, and the server carries on. */
export function internalStatus(e: unknown): Partial<StatusObject> {
  return toStatus(new ErrorReply('INTERNAL', `ERR internal error: ${(e as Error)?.message ?? String(e)}`));
}
