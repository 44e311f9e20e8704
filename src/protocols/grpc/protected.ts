/**
 * Protected mode on the gRPC door (src/security/protected-mode.ts): while the default user
 * needs no password, every call from a non-loopback client (health and reflection included)
 * ends with PERMISSION_DENIED before its handler runs. Calls that pass get a pass-through
 * wrapper (grpc-js wants one back) and no listener.
 */
import { ServerInterceptingCall, type ServerInterceptor, ServerListenerBuilder } from '@grpc/grpc-js';
import type { ServerApi } from '../../commands/context.js';
import { DENIED, refusedByProtectedMode } from '../../security/protected-mode.js';
import { toStatus } from './status.js';

export function protectedModeInterceptor(server: ServerApi): ServerInterceptor {
  const denied = { code: DENIED.grpc, details: DENIED.text, metadata: toStatus(DENIED).metadata };
  return (_method, call) => {
    if (!refusedByProtectedMode(server, call.getConnectionInfo().remoteAddress))
      return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder().withOnReceiveMetadata(() => call.sendStatus(denied)).build();
    return new ServerInterceptingCall(call, { start: (next) => next(listener) });
  };
}
