/**
 * What the `/v1/keys/{key}` routes share: the key's bytes from the raw request target (never
 * the router's string decoding), its JSON form, and the small reply conversions.
 */
import type { FastifyRequest } from 'fastify';
import type { Reply } from '../../../commands/reply.js';
import { ErrorReply } from '../../../errors.js';
import { type Encoding, encodeBytes, segmentAt } from '../bytes.js';
import { unexpected } from '../respond.js';

export const KEYS_PREFIX = '/v1/keys/';
export const JSON_UTF8 = 'application/json; charset=utf-8';

/** The key's bytes from the original request target (the router may have rewritten it). */
export function pathKey(req: FastifyRequest): Buffer | null {
  const url = req.originalUrl;
  const i = url.indexOf(KEYS_PREFIX);
  return i < 0 ? null : segmentAt(url, i + KEYS_PREFIX.length);
}

/** The key as JSON text: the path segment itself when it has no escapes (then it is ASCII). */
export function keyText(req: FastifyRequest, key: Buffer): { text: string; encoding: Encoding } {
  const url = req.originalUrl;
  const start = url.indexOf(KEYS_PREFIX) + KEYS_PREFIX.length;
  // Without escapes the segment's characters are the key's bytes, one each.
  const seg = url.slice(start, start + key.length);
  if (seg.length === key.length && !seg.includes('%') && !seg.includes('/') && !seg.includes('?')) {
    return { text: seg, encoding: 'utf8' };
  }
  return encodeBytes(key);
}

export function wantsRaw(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return accept?.includes('application/octet-stream') === true;
}

/** PTTL's reply as the `ttl_ms` field: null when the key never expires. */
export function ttlOf(r: Reply): number | null | ErrorReply {
  if (r instanceof ErrorReply) return r;
  if (typeof r !== 'number') return unexpected(r);
  return r < 0 ? null : r;
}
