/**
 * Redis's protected mode: while `protected-mode` is on and the default user needs no password,
 * only loopback clients are served. Everyone else is refused on every door: RESP gets Redis's
 * DENIED error and the connection is closed, HTTP answers 403, gRPC PERMISSION_DENIED.
 *
 * As in Redis 7, `bind` plays no part: a server bound to 127.0.0.1 can still be reached from a
 * local non-loopback address, and a server bound to 0.0.0.0 is exactly the case this guards.
 */
import type { ServerApi } from '../commands/context.js';
import { ErrorReply } from '../errors.js';

/** Redis 7's text, byte for byte (a test compares it with a real redis-server's). */
export const DENIED_MESSAGE =
  'DENIED Redis is running in protected mode because protected mode is enabled and no password is set ' +
  'for the default user. In this mode connections are only accepted from the loopback interface. If you ' +
  'want to connect from external computers to Redis you may adopt one of the following solutions: ' +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback " +
  'interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis ' +
  'is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change ' +
  'permanent. 2) Alternatively you can just disable the protected mode by editing the Redis ' +
  "configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' " +
  'option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one ' +
  'of the above things in order for the server to start accepting connections from the outside.';

/** The refusal as an error reply: 403 `forbidden` over HTTP, PERMISSION_DENIED over gRPC. */
export const DENIED = new ErrorReply('NOPERM', DENIED_MESSAGE);

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6 (`::ffff:127.x.y.z`). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (a.startsWith('127.')) return true;
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  return a.startsWith('::ffff:127.');
}

/**
 * The decision, pure: refuse a client from `remoteAddress` when protected mode is `enabled` and
 * the server is `open` (its default user needs no password). An unknown address (a socket
 * already gone) is not loopback.
 */
export function protectedModeRefuses(remoteAddress: string, open: boolean, enabled: boolean): boolean {
  return enabled && open && !isLoopback(remoteAddress);
}

/** Should this server refuse a client from `remoteAddress` now? (The cheap checks go first.) */
export function refusedByProtectedMode(server: ServerApi, remoteAddress: string | undefined): boolean {
  const config = server.config;
  if (!config.bool('protected-mode')) return false;
  // Open: the default user needs no password (no requirepass, and no ACL rule gave it one).
  return protectedModeRefuses(remoteAddress ?? '', server.acl.defaultUserIsOpen(), true);
}
