/**
 * `cairn snapshot inspect FILE` prints a snapshot's header, trailer and per-database counts;
 * `cairn snapshot verify FILE` checks every checksum and prints OK or the problem. Both read
 * the whole file as a stream and exit 1 when it cannot be loaded.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { decodeStream } from './decoder.js';
import { SnapshotError } from './format.js';

const USAGE = 'usage: cairn snapshot inspect|verify FILE';

interface Out {
  write(s: string): unknown;
}

export async function snapshotCommand(args: string[], out: Out, err: Out): Promise<number> {
  const [sub, file] = args;
  if ((sub !== 'inspect' && sub !== 'verify') || file === undefined || args.length !== 2) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    err.write(`cairn snapshot: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const now = Date.now();
  const perDb = new Map<number, { keys: number; withTtl: number; expired: number; bytes: number }>();
  try {
    const { header, trailer } = await decodeStream(
      file,
      createReadStream(file, { highWaterMark: 1024 * 1024 }),
      sub === 'inspect'
        ? {
            record(db, key, value, expireAt) {
              let s = perDb.get(db);
              if (s === undefined) {
                s = { keys: 0, withTtl: 0, expired: 0, bytes: 0 };
                perDb.set(db, s);
              }
              s.keys++;
              s.bytes += key.length + value.length;
              if (expireAt !== 0) {
                s.withTtl++;
                if (expireAt <= now) s.expired++;
              }
            },
          }
        : {},
    );
    if (sub === 'verify') {
      out.write(
        `OK ${file}: format ${header.format}, ${trailer.records} keys, ${size} bytes, all checksums match\n`,
      );
      return 0;
    }
    const lines = [
      `file:           ${file}`,
      `size:           ${size} bytes`,
      `format:         ${header.format}`,
      `created:        ${new Date(header.createdAt).toISOString()} (${header.createdAt})`,
      `written by:     cairn ${header.cairnVersion}, engine ${header.engine}`,
      `databases:      ${header.databases}`,
      `keys at start:  ${header.keysAtStart}`,
      `records:        ${trailer.records} in ${trailer.blocks} key blocks`,
      `file crc32:     ${trailer.crc32.toString(16).padStart(8, '0')}`,
      'checksums:      all match',
    ];
    for (const [db, s] of [...perDb].sort((a, b) => a[0] - b[0])) {
      lines.push(
        `db${db}:            keys=${s.keys} with_ttl=${s.withTtl} expired_now=${s.expired} key_and_value_bytes=${s.bytes}`,
      );
    }
    out.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof SnapshotError) {
      err.write(`cairn: ${e.message}\n`);
      return 1;
    }
    err.write(`cairn snapshot: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
}
