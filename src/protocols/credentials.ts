/**
 * Credentials carried by HTTP requests (`Authorization`) and gRPC calls (metadata), checked
 * against the same ACL users as RESP's AUTH, by running AUTH itself through the dispatcher:
 * - `Bearer <token>`: the default user's password (Upstash-style); a token `user:password`
 *   opens that user, or else is tried as the default user's password;
 * - `Basic base64(user:password)`;
 * - gRPC metadata `username` + `password`, or `password` alone for the default user.
 */
import type { CommandContext } from '../commands/context.js';
import type { Reply } from '../commands/reply.js';
import { ErrorReply, Errors } from '../errors.js';

const AUTH = Buffer.from('AUTH');
const DEFAULT = Buffer.from('default');

export const badAuthHeader = new ErrorReply(
  'NOAUTH',
  'NOAUTH unsupported Authorization header: use Bearer or Basic',
);

/** The AUTH argvs to try in order for an Authorization header value; null when malformed. */
export function authAttempts(header: string): Buffer[][] | null {
  const sp = header.indexOf(' ');
  if (sp < 0) return null;
  const scheme = header.slice(0, sp).toLowerCase();
  const cred = header.slice(sp + 1).trim();
  if (scheme === 'bearer') {
    const token = Buffer.from(cred, 'utf8');
    const colon = token.indexOf(0x3a);
    const asDefault = [AUTH, DEFAULT, token];
    return colon > 0 ? [[AUTH, token.subarray(0, colon), token.subarray(colon + 1)], asDefault] : [asDefault];
  }
  if (scheme === 'basic') {
    const plain = Buffer.from(cred, 'base64');
    const colon = plain.indexOf(0x3a);
    if (colon < 0) return null;
    return [[AUTH, plain.subarray(0, colon), plain.subarray(colon + 1)]];
  }
  return null;
}

/** Whatever runs a command through the dispatcher (the door's host). */
interface Executor {
  execute(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply>;
}

/**
 * Try each attempt in order: null when one logged the client in, else the last error
 * (WRONGPASS). AUTH answers synchronously; only a wrong password moves on to the next form.
 */
export function tryAuth(host: Executor, ctx: CommandContext, attempts: Buffer[][]): ErrorReply | null {
  let last: ErrorReply = Errors.wrongPass;
  for (const argv of attempts) {
    const r = host.execute(ctx, argv);
    if (r instanceof Promise) throw new Error('AUTH must answer synchronously');
    if (!(r instanceof ErrorReply)) return null;
    last = r;
  }
  return last;
}

/** gRPC metadata as AUTH attempts; null when the call carries no credentials. */
export function metadataAttempts(get: (key: string) => string | undefined): Buffer[][] | null {
  const authorization = get('authorization');
  if (authorization !== undefined) return authAttempts(authorization) ?? [];
  const password = get('password');
  if (password === undefined) return null;
  const username = get('username');
  return [[AUTH, Buffer.from(username ?? 'default', 'utf8'), Buffer.from(password, 'utf8')]];
}
