/**
 * Runs a client-tracking / MONITOR script (scripts-tracking.ts) against redis-server and Cairn
 * at once: each step's bytes go to both servers, then every client named in the step's
 * `expect` takes that many replies (replies, pushes, monitor lines) on both sides, and they are
 * compared byte for byte after the step's mask. Arguments may name a client's id as `{R}`
 * (ids differ between the servers); replies that carry ids have them masked back to `{R}`.
 * At the end every open client sends PING and must have received nothing else.
 */
import { show } from './compare.js';
import { PushClient } from './push-client.js';

export type Who = 'A' | 'B' | 'C' | 'R' | 'M';
export type Mask = (reply: string) => string;

export interface TrackingStep {
  on: Who;
  /** Commands sent in one write (several: a pipeline). */
  send: string[][];
  /** How many replies each client receives because of this step. */
  expect: Partial<Record<Who, number>>;
  mask?: Mask;
  /** Client ids in replies (GETREDIR, tracking-redir-broken, TRACKINGINFO) are masked to `{R}`. */
  ids?: boolean;
  /** Clients whose replies are counted but not compared (a HELLO map, a CLIENT ID). */
  unchecked?: Who[];
  /** The server closes this client's connection after the step. */
  closes?: Who;
}

export interface TrackingScript {
  name: string;
  /** Clients used (connected before the first step), and those switched to RESP3 first. */
  clients: Who[];
  resp3: Who[];
  steps: TrackingStep[];
}

type Side = { clients: Partial<Record<Who, PushClient>>; ids: Partial<Record<Who, number>> };

function idOf(reply: Buffer): number {
  const m = /^:(\d+)\r\n$/.exec(reply.toString('latin1'));
  if (m === null) throw new Error(`CLIENT ID answered ${show(reply)}`);
  return Number(m[1]);
}

/** `{R}` -> that client's id on this side. */
function expand(args: string[], side: Side): Buffer[] {
  return args.map((a) =>
    Buffer.from(
      a.replace(/\{([A-Z])\}/g, (_, w: Who) => String(side.ids[w])),
      'latin1',
    ),
  );
}

/** Integers that are a client's id (`:7\r\n`, as in GETREDIR or tracking-redir-broken) -> `:{R}`. */
function maskIds(reply: string, side: Side): string {
  return reply.replace(/:(\d+)\r\n/g, (all, n: string) => {
    for (const [w, id] of Object.entries(side.ids)) if (id === Number(n)) return `:{${w}}\r\n`;
    return all;
  });
}

export async function runTrackingScript(
  script: TrackingScript,
  redisPort: number,
  cairnPort: number,
): Promise<void> {
  const sides: [Side, Side] = [
    { clients: {}, ids: {} },
    { clients: {}, ids: {} },
  ];
  const transcript: string[] = [];
  const fail = (msg: string): never => {
    throw new Error(
      [`script "${script.name}": ${msg}`, '  transcript:', ...transcript.map((t) => `    ${t}`)].join('\n'),
    );
  };
  try {
    for (const [k, port] of [redisPort, cairnPort].entries()) {
      const side = sides[k];
      // Both servers start the script empty (they are shared by several scripts).
      const setup = await PushClient.connect(port);
      setup.send([['FLUSHALL']]);
      await setup.take(1);
      setup.close();
      for (const who of script.clients) {
        const c = await PushClient.connect(port);
        side.clients[who] = c;
        if (script.resp3.includes(who)) {
          c.send([['HELLO', '3']]);
          await c.take(1);
        }
        c.send([['CLIENT', 'ID']]);
        side.ids[who] = idOf((await c.take(1))[0]);
      }
    }
    const open = new Set<Who>(script.clients);
    for (const [i, st] of script.steps.entries()) {
      transcript.push(`${st.on}: ${st.send.map((c) => c.join(' ')).join(' | ')}`);
      for (const side of sides) side.clients[st.on]!.send(st.send.map((c) => expand(c, side)));
      for (const [who, n] of Object.entries(st.expect) as Array<[Who, number]>) {
        const got = await Promise.all(
          sides.map((side, k) =>
            side.clients[who]!.take(n).catch((err: Error) =>
              fail(`step ${i + 1}, client ${who}, ${k === 0 ? 'redis' : 'cairn'}: ${err.message}`),
            ),
          ),
        );
        if (st.unchecked?.includes(who)) continue;
        for (let j = 0; j < n; j++) {
          const [redis, cairn] = got.map((replies, k) => {
            const raw = replies[j].toString('latin1');
            const text = st.ids ? maskIds(raw, sides[k]) : raw;
            return st.mask === undefined ? text : st.mask(text);
          });
          if (redis !== cairn)
            fail(
              `step ${i + 1}, client ${who}, reply ${j + 1} differs\n  redis: ${show(Buffer.from(redis, 'latin1'))}\n  cairn: ${show(Buffer.from(cairn, 'latin1'))}`,
            );
        }
      }
      if (st.closes !== undefined) {
        await Promise.all(sides.map((side) => side.clients[st.closes!]!.whenClosed()));
        open.delete(st.closes);
      }
    }
    for (const who of open) {
      for (const side of sides) side.clients[who]!.send([['PING']]);
      const [redis, cairn] = await Promise.all(sides.map((side) => side.clients[who]!.take(1)));
      if (!redis[0].equals(cairn[0]))
        fail(`final PING of ${who}: redis ${show(redis[0])}, cairn ${show(cairn[0])}`);
      for (const [k, side] of sides.entries()) {
        if (side.clients[who]!.queued !== 0)
          fail(`${k === 0 ? 'redis' : 'cairn'} client ${who} received extra replies`);
      }
    }
  } finally {
    for (const side of sides) for (const c of Object.values(side.clients)) c.close();
  }
}
