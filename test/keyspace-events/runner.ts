/**
 * Runs the keyspace-notification script on one server (Cairn or redis-server) over raw sockets:
 * a main client for commands, a second client for blocking commands, and a subscriber on
 * PSUBSCRIBE `__key*__:*`. After each step a PUBLISH on `__keybarrier__:<n>` (which the
 * pattern also matches) marks the end of that step's notifications, so each step's messages
 * are collected exactly, in order, without waiting on a timer.
 */
import { connect, type Socket } from 'node:net';
import { type Node, parseReply, RawRespClient, replyEnd } from '../differential/resp-client.js';
import { type Command, isCommand, type Step } from './script.js';

const PATTERN = '__key*__:*';
const BARRIER = '__keybarrier__:';
const WAIT_MS = 10_000;

/** A PSUBSCRIBE connection: every pmessage as `channel message`, in arrival order. */
export class Subscriber {
  private pending = Buffer.alloc(0);
  readonly messages: string[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => {
      this.failure = err;
      this.wake?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('subscriber connection closed')));
  }

  static async open(port: number): Promise<Subscriber> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const sub = new Subscriber(socket);
    socket.write(`*2\r\n$10\r\npsubscribe\r\n$${PATTERN.length}\r\n${PATTERN}\r\n`);
    await sub.until((m) => m === `psubscribe ${PATTERN}`);
    return sub;
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = replyEnd(this.pending, 0);
      if (end < 0) break;
      const node = parseReply(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(end);
      this.messages.push(describe(node));
    }
    this.wake?.();
  }

  /** Resolves with the index of the first message from `from` on that satisfies `match`. */
  async until(match: (m: string) => boolean, from = 0): Promise<number> {
    const deadline = Date.now() + WAIT_MS;
    for (let i = from; ; ) {
      for (; i < this.messages.length; i++) if (match(this.messages[i])) return i;
      if (this.failure !== null) throw this.failure;
      if (Date.now() > deadline)
        throw new Error(`no matching message; got:\n${this.messages.slice(from).join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WAIT_MS);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function text(n: Node): string {
  if (n.t === 'bulk' || n.t === 'verbatim') return n.b.toString('latin1');
  if (n.t === 'simple' || n.t === 'error') return n.s;
  if (n.t === 'int') return String(n.v);
  return JSON.stringify(n);
}

/** `pmessage <pattern> <channel> <message>` -> `channel message`; a confirmation as `kind arg`. */
function describe(n: Node): string {
  if (n.t !== 'array' && n.t !== 'push') return `unexpected ${JSON.stringify(n)}`;
  const parts = n.items.map(text);
  if (parts[0] === 'pmessage') return `${parts[2]} ${parts[3]}`;
  return parts.slice(0, 2).join(' ');
}

export interface StepResult {
  step: string;
  events: string[];
}

/** What the flags publish, for deciding whether an `expired` notification can be waited for. */
function publishesExpired(flags: string): boolean {
  return /[KE]/.test(flags) && /[xA]/.test(flags);
}

export async function runScript(port: number, flags: string, script: readonly Step[]): Promise<StepResult[]> {
  const main = await RawRespClient.connect(port);
  const blocker = await RawRespClient.connect(port);
  const admin = await RawRespClient.connect(port);
  const sub = await Subscriber.open(port);
  try {
    const setup: Command[] = [
      ['flushall'],
      ['config', 'set', 'notify-keyspace-events', flags],
      ['config', 'set', 'hz', '100'],
    ];
    for (const cmd of setup) {
      const r = (await main.call(cmd)).toString('latin1');
      if (!r.startsWith('+')) throw new Error(`${cmd.join(' ')}: ${r}`);
    }
    const results: StepResult[] = [];
    let seen = sub.messages.length;
    let blocked: Promise<Buffer> | null = null;
    let n = 0;
    for (const step of script) {
      let label: string;
      if (isCommand(step)) {
        label = step.join(' ');
        const reply = (await main.call(step)).toString('latin1');
        // The script's own set-up commands must work (DEBUG needs enable-debug-command on Redis).
        if (step[0] === 'debug' && reply !== '+OK\r\n') throw new Error(`${label}: ${reply}`);
      } else if ('group' in step) {
        label = step.group.map((s) => s.join(' ')).join(' ; ');
        await main.callMany(step.group);
      } else if ('block' in step) {
        label = `[blocked] ${step.block.join(' ')}`;
        blocked = blocker.call(step.block);
        await waitBlocked(admin, blocked);
      } else if ('unblocked' in step) {
        label = '[unblocked]';
        if (blocked === null) throw new Error('unblocked without block');
        await blocked;
        blocked = null;
      } else if ('pause' in step) {
        label = `[pause] ${step.pause} ms`;
        await waitServerTime(main, step.pause);
      } else {
        label = `[expired] ${step.expired}`;
        if (publishesExpired(flags)) {
          const key = step.expired;
          await sub.until(
            (m) => m === `__keyspace@0__:${key} expired` || m === `__keyevent@0__:expired ${key}`,
            seen,
          );
        }
      }
      const mark = `${BARRIER}${++n} x`;
      await main.call(['publish', `${BARRIER}${n}`, 'x']);
      const at = await sub.until((m) => m === mark, seen);
      results.push({ step: label, events: sub.messages.slice(seen, at) });
      seen = at + 1;
    }
    return results;
  } finally {
    main.close();
    blocker.close();
    admin.close();
    sub.close();
  }
}

/** The server's clock (TIME) in milliseconds. */
async function serverMs(c: RawRespClient): Promise<number> {
  const parts = (await c.call(['time'])).toString('latin1').split('\r\n');
  // *2 $n <seconds> $n <microseconds>
  return Number(parts[2]) * 1000 + Math.floor(Number(parts[4]) / 1000);
}

/** Until the server's own clock has moved on `ms` milliseconds (TTLs are measured by it). */
async function waitServerTime(c: RawRespClient, ms: number): Promise<void> {
  const until = (await serverMs(c)) + ms;
  while ((await serverMs(c)) < until) {}
}

/** Until INFO clients counts one blocked client, or the blocked command already answered. */
async function waitBlocked(admin: RawRespClient, reply: Promise<Buffer>): Promise<void> {
  let answered = false;
  void reply.then(() => {
    answered = true;
  });
  const deadline = Date.now() + WAIT_MS;
  while (!answered) {
    const info = (await admin.call(['info', 'clients'])).toString('latin1');
    if (/\r\nblocked_clients:1\r\n/.test(info)) return;
    if (Date.now() > deadline) throw new Error(`client never blocked:\n${info}`);
  }
}
