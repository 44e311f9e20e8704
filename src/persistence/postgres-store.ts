/**
 * PostgreSQL store: each snapshot is a row of `cairn_snapshots` and its bytes are rows of
 * `cairn_snapshot_chunks` (1 MiB each), both created on first use. A snapshot is written in one
 * transaction, so until COMMIT nobody sees it and a crash leaves nothing behind; the latest
 * snapshot is the committed row with the highest id. Reading pages through the chunks, so a
 * large snapshot never sits in memory whole.
 *
 * Each call opens its own connection (snapshots are rare) and closes it when done; the call's
 * AbortSignal or deadline ends the connection, which makes the pending query fail at once.
 * Callers put this store behind BreakerStore.
 */
import pg from 'pg';
import {
  callSignal,
  type SnapshotInfo,
  type SnapshotReader,
  type SnapshotStore,
  type StoreCallOptions,
} from './store.js';

/** Bytes per chunk row. */
const CHUNK_BYTES = 1024 * 1024;
/** Chunk rows fetched per query when reading. */
const READ_PAGE_CHUNKS = 8;
/** Longest wait for a connection, milliseconds (shorter when the call's deadline is nearer). */
const CONNECT_TIMEOUT_MS = 5000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cairn_snapshots (
  id bigserial PRIMARY KEY,
  name text UNIQUE,
  created_at_ms bigint NOT NULL,
  size bigint NOT NULL DEFAULT 0,
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS cairn_snapshot_chunks (
  snapshot_id bigint NOT NULL REFERENCES cairn_snapshots(id) ON DELETE CASCADE,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (snapshot_id, seq)
);`;

interface Row {
  id: string;
  name: string;
  created_at_ms: string;
  size: string;
}

function toInfo(r: Row): SnapshotInfo {
  return { name: r.name, createdAt: Number(r.created_at_ms), size: Number(r.size) };
}

/** The URL without its password, for logs and INFO. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

export class PostgresStore implements SnapshotStore {
  readonly kind = 'postgres';
  readonly location: string;
  private schemaReady = false;

  constructor(private readonly url: string) {
    this.location = `${redact(url)} (table cairn_snapshots)`;
  }

  /** Run `fn` on a fresh connection that the call's signal or deadline can cut. */
  private async withClient<T>(
    opts: StoreCallOptions,
    fn: (c: pg.Client, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const signal = callSignal(opts);
    signal.throwIfAborted();
    const left = opts.deadlineMs === 0 ? CONNECT_TIMEOUT_MS : Math.max(1, opts.deadlineMs - Date.now());
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: Math.min(CONNECT_TIMEOUT_MS, left),
    });
    // A connection cut by us or by the server surfaces through the pending query.
    client.on('error', () => {});
    const cut = () => void client.end().catch(() => {});
    signal.addEventListener('abort', cut, { once: true });
    try {
      await client.connect();
      if (!this.schemaReady) {
        await client.query(SCHEMA);
        this.schemaReady = true;
      }
      return await fn(client, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw err;
    } finally {
      signal.removeEventListener('abort', cut);
      await client.end().catch(() => {});
    }
  }

  put(
    chunks: AsyncIterable<Buffer>,
    meta: { createdAt: number },
    opts: StoreCallOptions,
  ): Promise<SnapshotInfo> {
    return this.withClient(opts, async (c, signal) => {
      await c.query('BEGIN');
      try {
        const { rows } = await c.query<{ id: string }>(
          'INSERT INTO cairn_snapshots (created_at_ms) VALUES ($1) RETURNING id',
          [meta.createdAt],
        );
        const id = rows[0].id;
        let seq = 0;
        let size = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          const data = Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          await c.query('INSERT INTO cairn_snapshot_chunks (snapshot_id, seq, data) VALUES ($1, $2, $3)', [
            id,
            seq++,
            data,
          ]);
          size += data.length;
        };
        for await (const chunk of chunks) {
          signal.throwIfAborted();
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
        if (pendingBytes > 0) await flush();
        signal.throwIfAborted();
        const name = `snapshot-${id.padStart(8, '0')}`;
        await c.query('UPDATE cairn_snapshots SET name = $2, size = $3 WHERE id = $1', [id, name, size]);
        await c.query('COMMIT');
        return { name, createdAt: meta.createdAt, size };
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  async get(name: string | null, opts: StoreCallOptions): Promise<SnapshotReader | null> {
    const row = await this.withClient(opts, async (c) => {
      const { rows } =
        name === null
          ? await c.query<Row>(
              'SELECT id, name, created_at_ms, size FROM cairn_snapshots WHERE name IS NOT NULL ORDER BY id DESC LIMIT 1',
            )
          : await c.query<Row>('SELECT id, name, created_at_ms, size FROM cairn_snapshots WHERE name = $1', [
              name,
            ]);
      return rows[0] ?? null;
    });
    if (row === null) return null;
    return {
      info: toInfo(row),
      location: `postgres ${row.name} (${this.location})`,
      chunks: this.readChunks(row.id, opts),
    };
  }

  private async *readChunks(id: string, opts: StoreCallOptions): AsyncGenerator<Buffer> {
    // One connection for the whole read: a generator cannot run inside withClient's callback,
    // so it pages with short queries on a connection of its own.
    const signal = callSignal(opts);
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', () => {});
    const cut = () => void client.end().catch(() => {});
    signal.addEventListener('abort', cut, { once: true });
    try {
      await client.connect();
      let next = 0;
      for (;;) {
        signal.throwIfAborted();
        const { rows } = await client.query<{ seq: number; data: Buffer }>(
          'SELECT seq, data FROM cairn_snapshot_chunks WHERE snapshot_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3',
          [id, next, READ_PAGE_CHUNKS],
        );
        for (const r of rows) {
          // A gap means chunks went missing: stop, and the decoder reports the snapshot as cut short.
          if (r.seq !== next) return;
          next++;
          yield r.data;
        }
        if (rows.length < READ_PAGE_CHUNKS) return;
      }
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw err;
    } finally {
      signal.removeEventListener('abort', cut);
      await client.end().catch(() => {});
    }
  }

  list(opts: StoreCallOptions): Promise<SnapshotInfo[]> {
    return this.withClient(opts, async (c) => {
      const { rows } = await c.query<Row>(
        'SELECT id, name, created_at_ms, size FROM cairn_snapshots WHERE name IS NOT NULL ORDER BY id DESC',
      );
      return rows.map(toInfo);
    });
  }

  prune(keep: number, opts: StoreCallOptions): Promise<number> {
    return this.withClient(opts, async (c) => {
      const r = await c.query(
        `DELETE FROM cairn_snapshots WHERE name IS NULL OR id NOT IN
           (SELECT id FROM cairn_snapshots WHERE name IS NOT NULL ORDER BY id DESC LIMIT $1)`,
        [Math.max(1, keep)],
      );
      return r.rowCount ?? 0;
    });
  }

  async close(): Promise<void> {}
}
