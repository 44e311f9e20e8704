/**
 * The `ttl_ms` of `GET /v1/keys/{key}` on a string: PTTL's answer for the key the request's GET
 * has just read, taken from the keyspace (Keyspace.expireTimeAfterRead: the entry GET found,
 * not a second lookup) rather than from a second command. GET has run every check and all the
 * bookkeeping for the request (auth, ACL, CLIENT PAUSE, commandstats, keyspace hits and misses,
 * LRU/LFU access time, client tracking, MONITOR); the expiry read adds none of its own. A user
 * the ACL refuses PTTL still gets the PTTL command, and so the same refusal as always.
 */
import type { CommandContext } from '../../commands/context.js';
import type { Reply } from '../../commands/reply.js';
import type { HttpBridge } from './bridge.js';

const PTTL = Buffer.from('PTTL');

/** PTTL's reply for `key` right after a GET of it on `ctx`: ms left, -1 none, -2 missing. */
export function pttlAfterGet(bridge: HttpBridge, ctx: CommandContext, key: Buffer): Reply | Promise<Reply> {
  const server = ctx.server;
  const user = ctx.client.acl;
  // A renamed (rename-command) or refused PTTL answers as the command does.
  const entry = bridge.pttlEntry();
  if (entry === null || (!user.unrestricted && server.acl.check(user, entry, [PTTL, key]) !== null))
    return bridge.run(ctx, [PTTL, key]);
  const ks = server.keyspace;
  const db = ctx.client.db;
  const at = ks.expireTimeAfterRead !== undefined ? ks.expireTimeAfterRead(db, key) : ks.expireTime(db, key);
  return at < 0 ? at : Math.max(0, at - server.clock.now());
}
