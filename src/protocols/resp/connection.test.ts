import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ClientState, CommandContext, ServerApi } from '../../commands/context.js';
import { PubSubHub } from '../../commands/pubsub/hub.js';
import { CommandTable } from '../../commands/registry.js';
import { ErrorReply, NO_REPLY, OK, PONG, type Reply } from '../../commands/reply.js';
import { ConfigStore } from '../../config/store.js';
import { ManualClock } from '../../engine/clock.js';
import { Acl } from '../../security/acl.js';
import { Clients } from '../../server/clients.js';
import { createStats } from '../../server/stats.js';
import type { ClientInit, DoorHost } from '../door.js';
import { acceptConnection } from './accept.js';
import { HIGH_WATER_BYTES, type RespConnection, type RespSocket } from './connection.js';
import { readLimits } from './limits.js';
import { TurnBatch } from './turn.js';

/** A socket that records writes; `backlog` simulates bytes the kernel has not taken yet. */
class FakeSocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 50123;
  localAddress = '127.0.0.1';
  localPort = 6379;
  writes: Buffer[] = [];
  backlog = 0;
  paused = false;
  ended = false;
  destroyed = false;
  get writableLength(): number {
    return this.backlog;
  }
  write(b: Buffer | string): boolean {
    // Copy: the connection may reuse its output buffer once the write is taken.
    this.writes.push(Buffer.from(b));
    // While the kernel is full, whatever is written queues in the socket.
    if (this.backlog > 0) this.backlog += b.length;
    return this.backlog === 0;
  }
  end(data?: unknown, cb?: () => void): this {
    if (typeof data === 'function') cb = data as () => void;
    else if (data !== undefined) this.write(data as Buffer);
    this.ended = true;
    cb?.();
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      queueMicrotask(() => this.emit('close', false));
    }
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  /** The door's turn: `send` runs it at once, `arrive` leaves it to the event loop. */
  turn: TurnBatch | null = null;
  send(s: string | Buffer): void {
    this.arrive(s);
    this.turn?.run();
  }
  arrive(s: string | Buffer): void {
    this.emit('data', Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'));
  }
  text(): string[] {
    return this.writes.map((w) => w.toString('latin1'));
  }
}

interface Harness {
  host: DoorHost;
  clock: ManualClock;
  stats: ServerApi['stats'];
  config: ConfigStore;
  resolveSlow: Array<(r: Reply) => void>;
  /** Each command run: its name and whether its client was still registered. */
  ran: Array<[string, boolean]>;
  connect(): { socket: FakeSocket; conn: RespConnection | null };
}

/** A host with a handful of commands, enough to drive the connection logic. */
function harness(config: Record<string, string> = {}): Harness {
  const clock = new ManualClock();
  const store = new ConfigStore(config);
  const stats = createStats(new CommandTable([]));
  const clients = new Clients();
  const resolveSlow: Harness['resolveSlow'] = [];
  const kv = new Map<string, Buffer>();
  const server = { stats, clock, config: store, clients, pubsub: new PubSubHub() } as unknown as ServerApi;
  const ran: Harness['ran'] = [];
  const execute = (ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> => {
    const c = ctx.client;
    ran.push([argv[0].toString(), clients.get(c.id) !== undefined]);
    switch (argv[0].toString().toUpperCase()) {
      case 'PING':
        return PONG;
      case 'ECHO':
        return argv[1];
      case 'SET':
        kv.set(argv[1].toString(), Buffer.from(argv[2]));
        return OK;
      case 'GET':
        return kv.get(argv[1].toString()) ?? null;
      case 'BIG':
        return Buffer.alloc(Number(argv[1]), 120);
      case 'SLOW':
        return new Promise((resolve) => resolveSlow.push(resolve));
      case 'FAILASYNC':
        return Promise.reject(new Error('async failure'));
      case 'BOOM':
        throw new Error('handler bug');
      case 'BADREPLY':
        return [Symbol('nope') as unknown as Reply];
      case 'QUIT':
        c.close();
        return OK;
      case 'REPLY': {
        const mode = argv[1].toString().toLowerCase() as 'on' | 'off' | 'skip';
        c.replyMode = mode;
        return mode === 'on' ? OK : NO_REPLY;
      }
      case 'HELLO3':
        c.resp = 3;
        return null;
      default:
        return new ErrorReply('ERR', `ERR unknown command '${argv[0]}'`);
    }
  };
  const table = new CommandTable([]);
  const anyone = new Acl(table).defaultUser;
  const host: DoorHost = {
    server,
    table,
    logger: pino({ level: 'silent' }),
    openClient(init: ClientInit): ClientState | null {
      if (clients.count('resp') >= store.int('maxclients')) {
        stats.rejectedConnections++;
        return null;
      }
      const c = clients.create(init, clock.now(), anyone);
      clients.add(c);
      return c;
    },
    ephemeralClient: (init) => clients.create(init, clock.now(), anyone),
    closeClient: (c) => clients.remove(c),
    execute,
    context: (client, signal = null, deadline = 0) => ({ client, server, signal, deadline }),
  };
  const limits = readLimits(store);
  const turn = new TurnBatch();
  return {
    host,
    clock,
    stats,
    config: store,
    resolveSlow,
    ran,
    connect() {
      const socket = new FakeSocket();
      socket.turn = turn;
      const conn = acceptConnection(host, socket as unknown as RespSocket, limits, turn);
      return { socket, conn };
    },
  };
}

const cmd = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
const tick = () => new Promise((r) => setImmediate(r));

describe('RespConnection', () => {
  it('answers a whole pipeline in one write', () => {
    const h = harness();
    const { socket } = h.connect();
    socket.send(`${cmd('SET', 'k', 'v') + cmd('GET', 'k')}PING\r\n${cmd('GET', 'missing')}`);
    expect(socket.text()).toEqual(['+OK\r\n$1\r\nv\r\n+PONG\r\n$-1\r\n']);
  });

  it('runs the commands of every socket of a turn before it writes any reply', async () => {
    const h = harness();
    const a = h.connect().socket;
    const b = h.connect().socket;
    const order: string[] = [];
    const track = (name: string, s: FakeSocket) => {
      const write = s.write.bind(s);
      s.write = (x: Buffer | string) => {
        order.push(`write ${name}`);
        return write(x);
      };
    };
    track('a', a);
    track('b', b);
    a.arrive(cmd('SET', 'k', 'from-a'));
    b.arrive(cmd('GET', 'k'));
    // Nothing ran yet: the turn waits for the poll phase to end.
    expect(a.writes.length + b.writes.length).toBe(0);
    await tick();
    expect(order).toEqual(['write a', 'write b']);
    expect(a.text()).toEqual(['+OK\r\n']);
    // b's GET ran after a's SET, in the order the bytes arrived.
    expect(b.text()).toEqual(['$6\r\nfrom-a\r\n']);
    // Input past RUN_NOW_BYTES runs at once (a bulk load does not pile up until the turn).
    a.arrive(cmd('SET', 'big', 'x'.repeat(300_000)));
    expect(a.text()).toEqual(['+OK\r\n', '+OK\r\n']);
  });

  it('runs what arrived before the socket closed, before the client leaves', async () => {
    const h = harness();
    const { socket } = h.connect();
    socket.arrive(cmd('SET', 'sent', 'then-hung-up'));
    // The peer went away before the turn ran (a reset: 'close' follows within the same turn).
    socket.emit('close', true);
    expect(h.host.server.clients.count('resp')).toBe(0);
    expect(h.ran).toEqual([['SET', true]]);
    await tick();
    const reader = h.connect().socket;
    reader.send(cmd('GET', 'sent'));
    expect(reader.text()).toEqual(['$12\r\nthen-hung-up\r\n']);
    expect(socket.writes).toEqual([]);
  });

  it('serves a command fed byte by byte', () => {
    const h = harness();
    const { socket } = h.connect();
    for (const ch of cmd('ECHO', 'hello')) socket.send(ch);
    expect(socket.text()).toEqual(['$5\r\nhello\r\n']);
  });

  it('holds later commands until an async reply settles, keeping order', async () => {
    const h = harness();
    const { socket } = h.connect();
    socket.send(cmd('SLOW') + cmd('PING'));
    expect(socket.writes).toHaveLength(0);
    socket.send(cmd('ECHO', 'later'));
    expect(socket.writes).toHaveLength(0);
    h.resolveSlow[0](OK);
    await tick();
    expect(socket.text()).toEqual(['+OK\r\n+PONG\r\n$5\r\nlater\r\n']);
  });

  it('closes after QUIT and runs nothing behind it', () => {
    const h = harness();
    const { socket } = h.connect();
    expect(h.host.server.clients.count('resp')).toBe(1);
    socket.send(cmd('PING') + cmd('QUIT') + cmd('SET', 'x', '1'));
    expect(socket.text()).toEqual(['+PONG\r\n+OK\r\n']);
    expect(socket.ended).toBe(true);
    // Gone with its last reply, before the socket's close event (a tracking redirect to it is
    // broken from then on, as in Redis).
    expect(h.host.server.clients.count('resp')).toBe(0);
  });

  it('replies the protocol error after earlier replies, then closes', () => {
    const h = harness();
    const { socket } = h.connect();
    socket.send(`${cmd('PING')}*1\r\n$abc\r\n${cmd('PING')}`);
    expect(socket.text()).toEqual(['+PONG\r\n-ERR Protocol error: invalid bulk length\r\n']);
    expect(socket.ended).toBe(true);
    socket.send(cmd('PING'));
    expect(socket.writes).toHaveLength(1);
  });

  it('closes without a reply past client-query-buffer-limit', async () => {
    const h = harness({ 'client-query-buffer-limit': '1mb' });
    const { socket, conn } = h.connect();
    socket.send('*2\r\n$3\r\nSET\r\n$2000000\r\n');
    socket.send(Buffer.alloc(600_000, 1));
    expect(socket.ended).toBe(false);
    socket.send(Buffer.alloc(600_000, 1));
    expect(socket.ended).toBe(true);
    expect(socket.writes).toHaveLength(0);
    socket.destroy();
    await conn!.done;
    expect(h.host.server.clients.count()).toBe(0);
  });

  it('answers -ERR internal error when a handler throws, and keeps serving', async () => {
    const h = harness();
    const { socket } = h.connect();
    socket.send(cmd('BOOM') + cmd('BADREPLY') + cmd('PING'));
    socket.send(cmd('FAILASYNC') + cmd('PING'));
    await tick();
    expect(socket.text().join('')).toBe(
      '-ERR internal error\r\n-ERR internal error\r\n+PONG\r\n-ERR internal error\r\n+PONG\r\n',
    );
    expect(socket.destroyed).toBe(false);
  });

  it('honours CLIENT REPLY OFF / SKIP / ON', () => {
    const h = harness();
    const { socket } = h.connect();
    socket.send(cmd('REPLY', 'off') + cmd('PING') + cmd('REPLY', 'on') + cmd('ECHO', 'a'));
    socket.send(cmd('REPLY', 'skip') + cmd('ECHO', 'skipped') + cmd('ECHO', 'b'));
    expect(socket.text().join('')).toBe('+OK\r\n$1\r\na\r\n$1\r\nb\r\n');
  });

  it('renders in the protocol the client switched to', () => {
    const h = harness();
    const { socket } = h.connect();
    socket.send(cmd('GET', 'nope') + cmd('HELLO3') + cmd('GET', 'nope'));
    expect(socket.text()).toEqual(['$-1\r\n_\r\n_\r\n']);
  });

  it('refuses a client past maxclients', () => {
    const h = harness({ maxclients: '1' });
    const first = h.connect();
    const second = h.connect();
    expect(first.conn).not.toBeNull();
    expect(second.conn).toBeNull();
    expect(second.socket.text()).toEqual(['-ERR max number of clients reached\r\n']);
    expect(second.socket.ended).toBe(true);
    expect(h.stats.rejectedConnections).toBe(1);
  });

  it('drops a client past the hard output limit', async () => {
    const h = harness({ 'client-output-buffer-limit': 'normal 1mb 512kb 5' });
    const { socket, conn } = h.connect();
    socket.backlog = 900 * 1024;
    socket.send(cmd('BIG', '100000') + cmd('BIG', '100000') + cmd('PING'));
    expect(socket.destroyed).toBe(true);
    expect(socket.text().join('')).not.toContain('PONG');
    await conn!.done;
    expect(h.host.server.clients.count()).toBe(0);
  });

  it('drops a client over the soft output limit for longer than its seconds', () => {
    const h = harness({ 'client-output-buffer-limit': 'normal 0 512kb 5' });
    const { socket, conn } = h.connect();
    socket.backlog = 600 * 1024;
    socket.send(cmd('PING'));
    conn!.cron(h.clock.now());
    h.clock.advance(5000);
    conn!.cron(h.clock.now());
    expect(socket.destroyed).toBe(false);
    h.clock.advance(1);
    conn!.cron(h.clock.now());
    expect(socket.destroyed).toBe(true);
  });

  it('pauses on backpressure and resumes on drain', () => {
    const h = harness();
    const { socket } = h.connect();
    socket.backlog = HIGH_WATER_BYTES;
    // A reply past the flush size goes out mid-chunk; the socket is then over its high-water
    // mark, so the rest of the chunk waits for 'drain'.
    socket.send(cmd('BIG', '70000') + cmd('ECHO', 'after'));
    expect(socket.paused).toBe(true);
    expect(socket.writes).toHaveLength(1);
    socket.backlog = 0;
    socket.emit('drain');
    expect(socket.paused).toBe(false);
    expect(socket.text()[1]).toBe('$5\r\nafter\r\n');
  });

  it('drops at once a client asked to close while held back by backpressure', () => {
    const h = harness();
    const { socket, conn } = h.connect();
    socket.backlog = HIGH_WATER_BYTES;
    socket.send(cmd('BIG', '70000') + cmd('PING'));
    expect(socket.paused).toBe(true);
    conn!.client.close();
    expect(socket.destroyed).toBe(true);
  });

  it('closes idle clients after `timeout` seconds', () => {
    const h = harness({ timeout: '10' });
    const { socket, conn } = h.connect();
    h.clock.advance(10_000);
    conn!.cron(h.clock.now());
    expect(socket.destroyed).toBe(false);
    h.clock.advance(1);
    conn!.cron(h.clock.now());
    expect(socket.destroyed).toBe(true);
  });

  it('aborts the context signal and unregisters the client on close', async () => {
    const h = harness();
    const { socket, conn } = h.connect();
    expect(h.host.server.clients.count()).toBe(1);
    const signal = conn!.ctx.signal!;
    socket.destroy();
    await conn!.done;
    expect(signal.aborted).toBe(true);
    expect(h.host.server.clients.count()).toBe(0);
  });

  it('counts network bytes and reports buffer figures', () => {
    const h = harness();
    const { socket, conn } = h.connect();
    socket.send(`${cmd('PING')}*2\r\n$3\r\nGET`);
    expect(h.stats.netInputBytes).toBe(14 + 11);
    expect(h.stats.netOutputBytes).toBe(7);
    // The parsed `*2` and `$3` lines are gone; `GET` waits for its CRLF.
    // qbuf-free and rbs/rbp: the buffers Redis would hold (buffer-figures.ts).
    expect(conn!.client.bufferStats()).toEqual({
      qbuf: 3,
      qbufFree: 16381,
      rbs: 16384,
      rbp: 7,
      obl: 0,
      omem: 0,
    });
  });

  it('drains: finishes the in-flight command, then closes', async () => {
    const h = harness();
    const { socket, conn } = h.connect();
    socket.send(cmd('SLOW') + cmd('PING'));
    const drained = conn!.drain();
    expect(socket.ended).toBe(false);
    h.resolveSlow[0](OK);
    await tick();
    expect(socket.text()).toEqual(['+OK\r\n']);
    expect(socket.ended).toBe(true);
    socket.destroy();
    await drained;
  });
});
