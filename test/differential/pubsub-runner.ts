/**
 * Runs a pub/sub script (scripts-pubsub.ts) against redis-server and Cairn at once: each step's
 * bytes go to both servers in the same tick, then every client named in the step's `expect`
 * takes that many replies on both sides and they are compared. At the end every open client
 * sends PING and must have received nothing else.
 */
import { show } from './compare.js';
import { PushClient } from './push-client.js';
import type { Count, PubSubScript, Who } from './scripts-pubsub.js';

type Side = Partial<Record<Who, PushClient>>;

const count = (c: Count, resp: 2 | 3): number => (typeof c === 'number' ? c : c[resp]);

export async function runPubSubScript(
  script: PubSubScript,
  redisPort: number,
  cairnPort: number,
  resp: 2 | 3,
): Promise<void> {
  const sides: [Side, Side] = [{}, {}];
  const transcript: string[] = [];
  const label = `script "${script.name}" (RESP${resp})`;
  const compare = (
    who: Who,
    redis: Buffer[],
    cairn: Buffer[],
    where: string,
    mask = (b: Buffer) => b.toString('latin1'),
  ) => {
    for (let j = 0; j < redis.length; j++) {
      if (mask(redis[j]) === mask(cairn[j])) continue;
      throw new Error(
        [
          `${label}, ${where}, client ${who}, reply ${j + 1}: replies differ`,
          `  redis: ${show(redis[j])}`,
          `  cairn: ${show(cairn[j])}`,
          '  transcript:',
          ...transcript.map((t) => `    ${t}`),
        ].join('\n'),
      );
    }
  };
  try {
    for (const [k, port] of [redisPort, cairnPort].entries()) {
      for (const who of script.clients) sides[k][who] = await PushClient.connect(port);
    }
    if (resp === 3) {
      for (const side of sides) for (const c of Object.values(side)) c.send([['HELLO', '3']]);
      for (const side of sides) for (const c of Object.values(side)) await c.take(1);
    }
    const open = new Set<Who>(script.clients);
    for (const [i, st] of script.steps.entries()) {
      transcript.push(
        `${st.on}: ${st.raw !== undefined ? JSON.stringify(st.raw) : st.send.map((c) => c.join(' ')).join(' | ')}`,
      );
      for (const side of sides) {
        const c = side[st.on]!;
        if (st.raw !== undefined) c.sendRaw(Buffer.from(st.raw, 'latin1'));
        else c.send(st.send);
      }
      for (const [who, n] of Object.entries(st.expect) as Array<[Who, Count]>) {
        const where = `step ${i + 1}`;
        const [redis, cairn] = await Promise.all(
          sides.map((side, k) =>
            side[who]!.take(count(n, resp)).catch((err: Error) => {
              throw new Error(
                `${label}, ${where}, client ${who}, ${k === 0 ? 'redis' : 'cairn'}: ${err.message}\n  transcript:\n    ${transcript.join('\n    ')}`,
              );
            }),
          ),
        );
        compare(who, redis, cairn, where, st.mask);
      }
      if (st.closes !== undefined) {
        await Promise.all(sides.map((side) => side[st.closes!]!.whenClosed()));
        open.delete(st.closes);
      }
    }
    for (const who of open) {
      for (const side of sides) side[who]!.send([['PING']]);
      const [redis, cairn] = await Promise.all(sides.map((side) => side[who]!.take(1)));
      compare(who, redis, cairn, 'final PING');
      for (const [k, side] of sides.entries()) {
        if (side[who]!.queued !== 0)
          throw new Error(`${label}: ${k === 0 ? 'redis' : 'cairn'} client ${who} received extra replies`);
      }
    }
  } finally {
    for (const side of sides) for (const c of Object.values(side)) c.close();
  }
}
