/**
 * Redis 7.0's ACLKillPubsubClientsIfNeeded: after ACL SETUSER changes a user, every subscriber
 * running as that user that holds a channel, pattern or shard channel the user may no longer
 * use is disconnected (it would otherwise keep receiving what it can no longer subscribe to).
 */
import type { AclUser } from '../../security/acl-user.js';
import type { PubSubApi, PubSubSubscriber } from './types.js';

/** True when `sub` holds something `user`'s channel rules no longer allow. */
export function holdsForbidden(sub: PubSubSubscriber, user: AclUser): boolean {
  const own = sub.pubsub;
  if (own === null || user.allChannels) return false;
  for (const p of own.pattern) if (!user.canAccessChannel(Buffer.from(p, 'latin1'), true)) return true;
  for (const c of own.channel) if (!user.canAccessChannel(Buffer.from(c, 'latin1'), false)) return true;
  for (const c of own.shard) if (!user.canAccessChannel(Buffer.from(c, 'latin1'), false)) return true;
  return false;
}

/** Disconnect `user`'s subscribers that lost a channel they hold; returns how many. */
export function dropSubscribersWithoutPermission(pubsub: PubSubApi, user: AclUser): number {
  if (user.allChannels) return 0;
  let n = 0;
  for (const sub of pubsub.subscribers()) {
    if (sub.acl === user && holdsForbidden(sub, user)) {
      // Like Redis's freeClient: no message reaches it from now on, even before it is gone.
      pubsub.unsubscribeAll(sub);
      sub.close();
      n++;
    }
  }
  return n;
}
