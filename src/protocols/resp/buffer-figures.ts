/**
 * CLIENT LIST's buffer figures for a RESP connection: the query buffer (`qbuf`, `qbuf-free`)
 * and reply buffer (`rbs`, `rbp`) Redis would hold for the same traffic (query-buffer.ts,
 * reply-buffer.ts), beside the output Cairn actually holds (`obl`, `omem`).
 */
import { QueryBufferModel, type QueryInput } from './query-buffer.js';
import { ReplyBufferModel, type ReplyBufferSettings } from './reply-buffer.js';

export interface BufferStats {
  qbuf: number;
  qbufFree: number;
  rbs: number;
  rbp: number;
  obl: number;
  omem: number;
}

export class BufferFigures {
  private readonly query = new QueryBufferModel();
  private readonly reply: ReplyBufferModel;

  constructor(
    now: number,
    private readonly settings: ReplyBufferSettings,
  ) {
    this.reply = new ReplyBufferModel(now);
  }

  /** A chunk of `n` bytes arrived at `now`; `lastMs` is the previous interaction. */
  read(now: number, lastMs: number, input: QueryInput, n: number): void {
    this.query.read(now, lastMs, input, n);
  }

  /** `n` bytes of replies go to the socket at about `now` (ms). */
  wrote(now: number, n: number): void {
    this.reply.wrote(now, n, this.settings);
  }

  stats(now: number, lastMs: number, qbuf: number, obl: number, omem: number): BufferStats {
    this.reply.tick(now, this.settings);
    const qbufFree = this.query.free(now, lastMs, qbuf);
    return { qbuf, qbufFree, rbs: this.reply.size, rbp: this.reply.peak, obl, omem };
  }
}
