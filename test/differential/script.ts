/**
 * Scripted sessions for the differential test: the same lines, on two clients (A and B) of
 * each server, sent to redis-server and Cairn at once; every reply compared byte for byte
 * unless a line names a mask for what truly differs between two servers (connection ids,
 * addresses, ages, memory figures: each mask says why).
 */

import { show } from './compare.js';
import { RawRespClient } from './resp-client.js';

/** Turns a raw reply into the text compared. */
export type Mask = (reply: Buffer) => string;

export interface Line {
  on: 'A' | 'B';
  /** Commands sent in one write (more than one: a pipeline). */
  commands: string[][];
  /** Raw bytes instead of commands (inline commands), expecting this many replies. */
  raw?: { bytes: string; replies: number };
  mask?: Mask;
  /** Wait this long (real time) before sending: TTLs run out meanwhile. */
  sleepMs?: number;
}

export interface Script {
  name: string;
  lines: Line[];
}

/** A script where Cairn is known to differ from Redis 7.0, first at `differsAt` ("line L, reply R"). */
export interface KnownDifference extends Script {
  differsAt: string;
}

/** A command line split on spaces; an argument with spaces needs the array form. */
const words = (c: string | string[]): string[] => (Array.isArray(c) ? c : c.split(' '));

/** Client A sends these commands in one write (one command unless several are given). */
export const A = (...commands: Array<string | string[]>): Line => ({
  on: 'A',
  commands: commands.map(words),
});
export const B = (...commands: Array<string | string[]>): Line => ({
  on: 'B',
  commands: commands.map(words),
});
export const masked = (mask: Mask, line: Line): Line => ({ ...line, mask });
export const after = (sleepMs: number, line: Line): Line => ({ ...line, sleepMs });
export const raw = (bytes: string, replies: number): Line => ({
  on: 'A',
  commands: [],
  raw: { bytes, replies },
});

/** HELLO's map: only the connection id differs between two servers. */
export const helloId: Mask = (r) => r.toString('latin1').replace(/(\$2\r\nid\r\n):\d+\r\n/g, '$1:<id>\r\n');
/** CLIENT ID: a per-server counter. */
export const clientId: Mask = (r) => r.toString('latin1').replace(/^:\d+\r\n$/, ':<id>\r\n');

/**
 * CLIENT INFO / CLIENT LIST: masked are the connection's identity and addresses (id, addr,
 * laddr, fd), its ages (age, idle: whole seconds, may tick between the two servers), the
 * memory and buffer figures (qbuf ... tot-mem: each server's own allocation) and `events`
 * (whether the event loop has a write pending at that instant: Redis flushes after the reply
 * is built, Cairn reports the reply it is building). Every other field, and the field order,
 * must match. Cairn appends lib-name and lib-ver (CLIENT SETINFO, Redis 7.2, kept for
 * node-redis); Redis 7.0 has neither, so they are dropped before comparing.
 */
const CLIENT_FIELDS_MASKED =
  /\b(id|addr|laddr|fd|age|idle|qbuf|qbuf-free|argv-mem|multi-mem|rbs|rbp|obl|oll|omem|tot-mem|events)=[^ \n]*/g;
export const clientInfo: Mask = (r) =>
  r
    .toString('latin1')
    .replace(/ lib-(?:name|ver)=[^ \n]*/g, '')
    .replace(CLIENT_FIELDS_MASKED, '$1=<masked>')
    // the lengths of the bulk strings the masks shortened
    .replace(/^([$=])\d+\r\n/gm, '$1<len>\r\n');

interface Side {
  A: RawRespClient;
  B: RawRespClient;
}

/** Run a script on fresh connections (optionally HELLO 3 first on both); throws on a difference. */
export async function runScript(
  script: Script,
  redisPort: number,
  cairnPort: number,
  resp: 2 | 3,
): Promise<void> {
  const sides: [Side, Side] = (await Promise.all(
    [redisPort, cairnPort].map(async (port) => ({
      A: await RawRespClient.connect(port),
      B: await RawRespClient.connect(port),
    })),
  )) as [Side, Side];
  const transcript: string[] = [];
  try {
    await Promise.all(sides.map((s) => s.A.call(['flushall'])));
    if (resp === 3)
      await Promise.all(sides.flatMap((s) => [s.A.call(['hello', '3']), s.B.call(['hello', '3'])]));
    for (const [i, line] of script.lines.entries()) {
      if (line.sleepMs) await new Promise((r) => setTimeout(r, line.sleepMs));
      const what = line.raw
        ? `raw ${JSON.stringify(line.raw.bytes)}`
        : line.commands.map((c) => c.join(' ')).join(' | ');
      transcript.push(`${line.on}: ${what}`);
      const [redis, cairn] = await Promise.all(
        sides.map((s, k) =>
          withTimeout(
            line.raw
              ? s[line.on].sendRaw(Buffer.from(line.raw.bytes, 'latin1'), line.raw.replies)
              : s[line.on].callMany(line.commands),
            `script "${script.name}" (RESP${resp}), line ${i + 1}: ${k === 0 ? 'redis' : 'cairn'} sent too few replies`,
          ),
        ),
      );
      const mask = line.mask ?? ((x: Buffer) => x.toString('latin1'));
      for (let j = 0; j < redis.length; j++) {
        if (mask(redis[j]) === mask(cairn[j])) continue;
        throw new Error(
          [
            `script "${script.name}" (RESP${resp}), line ${i + 1}, reply ${j + 1}: replies differ`,
            `  redis: ${show(redis[j])}`,
            `  cairn: ${show(cairn[j])}`,
            ...(line.mask
              ? [`  (masked: ${JSON.stringify(mask(redis[j]))} / ${JSON.stringify(mask(cairn[j]))})`]
              : []),
            '  transcript:',
            ...transcript.map((t) => `    ${t}`),
          ].join('\n'),
        );
      }
    }
  } finally {
    for (const s of sides) {
      s.A.close();
      s.B.close();
    }
  }
}

/** Fewer replies than expected would otherwise wait for the test's own timeout. */
function withTimeout<T>(p: Promise<T>, message: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
