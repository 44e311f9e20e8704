import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirStore } from './dir-store.js';
import { noDeadline } from './store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cairn-dirstore-'));
  dirs.push(d);
  return d;
}

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

async function readAll(it: AsyncIterable<Buffer>): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return Buffer.concat(out).toString();
}

describe('directory snapshot store', () => {
  it('stores, lists newest first, gets the latest or a named one, prunes', async () => {
    const dir = tempDir();
    const s = await DirStore.open(dir, 'data.snap');
    expect(await s.get(null, noDeadline())).toBeNull();
    const a = await s.put(chunks('one'), { createdAt: Date.UTC(2026, 0, 2, 3, 4, 5) }, noDeadline());
    expect(a).toEqual({
      name: 'data-000001-20260102T030405Z.snap',
      createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
      size: 3,
    });
    // Sequence numbers order snapshots, not clocks: an earlier time still comes after.
    const b = await s.put(chunks('tw', 'o'), { createdAt: Date.UTC(2020, 0, 1) }, noDeadline());
    await s.put(chunks('three'), { createdAt: Date.UTC(2026, 0, 3) }, noDeadline());
    expect((await s.list(noDeadline())).map((x) => x.name.slice(0, 11))).toEqual([
      'data-000003',
      'data-000002',
      'data-000001',
    ]);
    const latest = await s.get(null, noDeadline());
    expect(await readAll(latest!.chunks)).toBe('three');
    expect(await readAll((await s.get(b.name, noDeadline()))!.chunks)).toBe('two');
    expect(await s.prune(2, noDeadline())).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([
      'data-000002-20200101T000000Z.snap',
      'data-000003-20260103T000000Z.snap',
    ]);
  });

  it('a failed write leaves nothing behind and the previous snapshot stays the latest', async () => {
    const dir = tempDir();
    const s = await DirStore.open(dir);
    await s.put(chunks('good'), { createdAt: 0 }, noDeadline());
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('partial');
      throw new Error('capture failed');
    }
    await expect(s.put(failing(), { createdAt: 1 }, noDeadline())).rejects.toThrow('capture failed');
    expect(readdirSync(dir)).toEqual(['dump-000001-19700101T000000Z.cairn']);
    const ac = new AbortController();
    ac.abort();
    await expect(
      s.put(chunks('x'), { createdAt: 2 }, { signal: ac.signal, deadlineMs: 0 }),
    ).rejects.toThrow();
    await expect(
      s.put(chunks('x'), { createdAt: 2 }, { signal: new AbortController().signal, deadlineMs: 1 }),
    ).rejects.toThrow();
    expect(await readAll((await s.get(null, noDeadline()))!.chunks)).toBe('good');
  });

  it('removes temp files a crash left when it opens, and ignores unrelated files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.dump-000007-20260101T000000Z.cairn.tmp'), 'half');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'dump-x.cairn'), 'not a snapshot name');
    const s = await DirStore.open(dir);
    expect(readdirSync(dir).sort()).toEqual(['dump-x.cairn', 'notes.txt']);
    expect(await s.list(noDeadline())).toEqual([]);
  });
});
