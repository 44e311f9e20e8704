/**
 * A replica as Redis's own test suite attaches one (attach_to_replication_stream): a raw socket
 * sends SYNC, skips the `$<len>` RDB payload, then reads the commands the master sends, each a
 * RESP array of bulk strings.
 */
import { connect, type Socket } from 'node:net';

/** How long a wait on the stream may take before the test fails (well under vitest's timeout). */
const WAIT_MS = 20_000;

export class FeedSocket {
  private buf: Buffer = Buffer.alloc(0);
  private rdbLeft = -1;
  private readonly commands: string[][] = [];
  private wake: (() => void) | null = null;
  private closedFlag = false;

  private constructor(readonly socket: Socket) {
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake?.();
    });
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.parse();
      this.wake?.();
    });
  }

  /** Connect, send SYNC and wait until the RDB image has been read. */
  static async attach(port: number): Promise<FeedSocket> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const f = new FeedSocket(socket);
    socket.write('SYNC\r\n');
    await f.until(() => f.rdbLeft === 0);
    return f;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  private parse(): void {
    for (;;) {
      if (this.rdbLeft < 0) {
        // Redis writes a bare "\n" each second while the replica waits for its RDB image (a
        // slow BGSAVE on a loaded machine): keepalives without "\r", skipped byte by byte.
        while (this.buf.length > 0 && this.buf[0] === 0x0a) this.buf = this.buf.subarray(1);
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        const line = this.buf.toString('latin1', 0, eol);
        this.buf = this.buf.subarray(eol + 2);
        if (line.startsWith('$')) this.rdbLeft = Number(line.slice(1));
        continue;
      }
      if (this.rdbLeft > 0) {
        const n = Math.min(this.rdbLeft, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.rdbLeft -= n;
        if (this.rdbLeft > 0) return;
        continue;
      }
      const cmd = readArray(this.buf);
      if (cmd === null) return;
      this.buf = this.buf.subarray(cmd.end);
      this.commands.push(cmd.args);
    }
  }

  /** Wait for `done`, woken by each chunk; fails after `ms` rather than hang the test. */
  private async until(done: () => boolean, ms = WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (this.closedFlag) throw new Error('replication stream closed');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `replication stream: nothing awaited arrived within ${ms} ms (${this.commands.length} commands held)`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Every command received up to and including the first one `last` accepts. */
  async readUntil(last: (args: string[]) => boolean): Promise<string[][]> {
    let i = 0;
    await this.until(() => {
      for (; i < this.commands.length; i++) if (last(this.commands[i])) return true;
      return false;
    });
    return this.commands.splice(0, i + 1);
  }

  close(): void {
    this.socket.destroy();
  }
}

function readArray(b: Buffer): { args: string[]; end: number } | null {
  let eol = b.indexOf('\r\n');
  if (eol < 0) return null;
  if (b[0] !== 0x2a)
    throw new Error(`unexpected stream bytes: ${JSON.stringify(b.toString('latin1', 0, 40))}`);
  const n = Number(b.toString('latin1', 1, eol));
  let p = eol + 2;
  const args: string[] = [];
  for (let k = 0; k < n; k++) {
    eol = b.indexOf('\r\n', p);
    if (eol < 0) return null;
    const len = Number(b.toString('latin1', p + 1, eol));
    if (b.length < eol + 2 + len + 2) return null;
    args.push(b.toString('latin1', eol + 2, eol + 2 + len));
    p = eol + 2 + len + 2;
  }
  return { args, end: p };
}
