/**
 * The local directory store (the default). Each snapshot is one file,
 * `<stem>-<seq>-<UTC time><ext>` from `dbfilename` (dump.cairn -> dump-000042-20260101T120000Z.cairn);
 * the highest sequence number is the latest, so a clock step back cannot reorder them.
 *
 * Writes are atomic: the bytes go to a hidden temp file, which is fsynced, renamed to its final
 * name, and the directory fsynced. A crash at any point leaves at most a temp file (removed the
 * next time the store opens) and the previous snapshots untouched.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import {
  callSignal,
  type SnapshotInfo,
  type SnapshotReader,
  type SnapshotStore,
  type StoreCallOptions,
} from './store.js';

/** Blocks are copied into a buffer of this size and written when it is full, bytes. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Chunk size when reading a snapshot back, bytes. */
const READ_CHUNK_BYTES = 1024 * 1024;
const SEQ_DIGITS = 6;

function utcStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function writeAll(fh: FileHandle, b: Buffer): Promise<number> {
  let done = 0;
  // A short write (rare on files): go on with the rest.
  while (done < b.length) done += (await fh.write(b, done, b.length - done)).bytesWritten;
  return b.length;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class DirStore implements SnapshotStore {
  readonly kind = 'dir';
  readonly location: string;
  /** Each chunk is copied (or written) before the next is asked for. */
  readonly releasesChunks = true;
  /** The write buffer, kept between snapshots; null while a put uses it. */
  private batchBuf: Buffer | null = null;
  private readonly stem: string;
  private readonly ext: string;
  private readonly pattern: RegExp;

  private constructor(
    readonly dir: string,
    dbfilename: string,
  ) {
    this.location = dir;
    const base = basename(dbfilename);
    this.ext = extname(base) || '.cairn';
    this.stem = base.slice(0, base.length - extname(base).length) || 'dump';
    this.pattern = new RegExp(
      `^${escapeRe(this.stem)}-(\\d{${SEQ_DIGITS},})-(\\d{8}T\\d{6}Z)${escapeRe(this.ext)}$`,
    );
  }

  /** Open (creating the directory if needed) and remove temp files left by a crash. */
  static async open(dir: string, dbfilename = 'dump.cairn'): Promise<DirStore> {
    const s = new DirStore(resolve(dir), dbfilename);
    await mkdir(s.dir, { recursive: true });
    for (const f of await readdir(s.dir)) {
      // Best effort: a directory that is read-only now can still be loaded from.
      if (f.startsWith(`.${s.stem}-`) && f.endsWith('.tmp'))
        await rm(join(s.dir, f), { force: true }).catch(() => {});
    }
    return s;
  }

  private parse(file: string): { seq: number; createdAt: number } | null {
    const m = this.pattern.exec(file);
    if (m === null) return null;
    const t = m[2];
    const createdAt = Date.UTC(
      Number(t.slice(0, 4)),
      Number(t.slice(4, 6)) - 1,
      Number(t.slice(6, 8)),
      Number(t.slice(9, 11)),
      Number(t.slice(11, 13)),
      Number(t.slice(13, 15)),
    );
    return { seq: Number(m[1]), createdAt };
  }

  private async entries(): Promise<Array<SnapshotInfo & { seq: number }>> {
    const out: Array<SnapshotInfo & { seq: number }> = [];
    for (const f of await readdir(this.dir)) {
      const p = this.parse(f);
      if (p === null) continue;
      try {
        const st = await stat(join(this.dir, f));
        out.push({ name: f, createdAt: p.createdAt, size: st.size, seq: p.seq });
      } catch {
        // pruned meanwhile
      }
    }
    return out.sort((a, b) => b.seq - a.seq);
  }

  async put(
    chunks: AsyncIterable<Buffer>,
    meta: { createdAt: number },
    opts: StoreCallOptions,
  ): Promise<SnapshotInfo> {
    const signal = callSignal(opts);
    signal.throwIfAborted();
    const seq = ((await this.entries())[0]?.seq ?? 0) + 1;
    const name = `${this.stem}-${String(seq).padStart(SEQ_DIGITS, '0')}-${utcStamp(meta.createdAt)}${this.ext}`;
    const tmp = join(this.dir, `.${name}.tmp`);
    const fh = await open(tmp, 'wx', 0o644);
    let size = 0;
    // A second put at the same time gets a buffer of its own.
    const batch = this.batchBuf ?? Buffer.allocUnsafeSlow(WRITE_BATCH_BYTES);
    this.batchBuf = null;
    try {
      let fill = 0;
      for await (const c of chunks) {
        signal.throwIfAborted();
        if (fill + c.length > batch.length && fill > 0) {
          size += await writeAll(fh, batch.subarray(0, fill));
          fill = 0;
        }
        if (c.length >= batch.length) size += await writeAll(fh, c);
        else fill += c.copy(batch, fill);
      }
      if (fill > 0) size += await writeAll(fh, batch.subarray(0, fill));
      signal.throwIfAborted();
      await fh.sync();
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => {});
      await rm(tmp, { force: true });
      throw err;
    } finally {
      this.batchBuf = batch;
    }
    try {
      signal.throwIfAborted();
      await rename(tmp, join(this.dir, name));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(this.dir);
    return { name, createdAt: meta.createdAt, size };
  }

  async get(name: string | null, opts: StoreCallOptions): Promise<SnapshotReader | null> {
    callSignal(opts).throwIfAborted();
    let info: SnapshotInfo | undefined;
    if (name === null) info = (await this.entries())[0];
    else info = (await this.entries()).find((e) => e.name === name);
    if (info === undefined) return null;
    const path = join(this.dir, info.name);
    return {
      info,
      location: path,
      chunks: createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, signal: opts.signal }),
    };
  }

  async list(opts: StoreCallOptions): Promise<SnapshotInfo[]> {
    callSignal(opts).throwIfAborted();
    return (await this.entries()).map(({ name, createdAt, size }) => ({ name, createdAt, size }));
  }

  async prune(keep: number, opts: StoreCallOptions): Promise<number> {
    const signal = callSignal(opts);
    const old = (await this.entries()).slice(Math.max(1, keep));
    for (const e of old) {
      signal.throwIfAborted();
      await rm(join(this.dir, e.name), { force: true });
    }
    if (old.length > 0) await fsyncDir(this.dir);
    return old.length;
  }

  async close(): Promise<void> {}
}
