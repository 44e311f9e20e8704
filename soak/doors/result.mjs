/**
 * What one operation of the soak came to, whichever door carried it:
 *   ok       the server answered; `value` is normalised (set: 'OK', get: Buffer | null,
 *            del and incr: a number)
 *   refused  the server answered with an error, so nothing was written (`code`: its kind)
 *   unknown  no answer (the connection went away, the call was cancelled): the write may or
 *            may not have happened
 *   never    the request was cut before its last byte: the server must not run it
 *
 * An operation is { op: 'set' | 'get' | 'del' | 'incr', key, value?, ttlMs?, by?, seq? }.
 */
export const ok = (value) => ({ status: 'ok', value });
export const refused = (code, message) => ({ status: 'refused', code, message });
export const unknown = (code, message) => ({ status: 'unknown', code, message });
export const NEVER = { status: 'never' };

/** The first word of a RESP error (`OOM`, `ERR`, `WRONGTYPE`). */
export function respCode(message) {
  const m = /^([A-Z]+)\b/.exec(String(message));
  return m === null ? 'ERR' : m[1];
}

/** A short name for a transport error: its errno code, or its class name. */
export function transportCode(err) {
  const code = err?.cause?.code ?? err?.code;
  if (typeof code === 'string') return code;
  if (err?.name !== undefined && err.name !== 'Error') return err.name;
  return String(err?.message ?? err).slice(0, 40);
}

/** Wait a little before killing a client: nothing, a microtask, a macrotask or a millisecond. */
export function killDelay(rng) {
  const r = rng();
  if (r < 0.25) return Promise.resolve();
  if (r < 0.5) return new Promise((res) => setImmediate(res));
  if (r < 0.75) return new Promise((res) => setTimeout(res, 0));
  return new Promise((res) => setTimeout(res, 1 + Math.floor(rng() * 3)));
}

/** RESP argv of an operation. */
export function argvOf(op) {
  switch (op.op) {
    case 'set':
      return op.ttlMs === undefined
        ? ['SET', op.key, op.value]
        : ['SET', op.key, op.value, 'PX', String(op.ttlMs)];
    case 'get':
      return ['GET', op.key];
    case 'del':
      return ['DEL', op.key];
    case 'incr':
      return ['INCRBY', op.key, String(op.by)];
    default:
      throw new Error(`unknown op ${op.op}`);
  }
}
