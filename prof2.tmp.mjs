import { MapKeyspace } from './dist/engine/map-keyspace.js';
import { SnapshotCapture } from './dist/persistence/capture.js';
import { loadSnapshot } from './dist/persistence/loader.js';
const ks = new MapKeyspace(16);
const v = Buffer.alloc(32, 118);
const N = 1_000_000;
for (let i = 0; i < N; i++) ks.set(0, Buffer.from(`key:${String(i).padStart(12, '0')}`), v);
const cap = new SnapshotCapture(ks, { cairnVersion: 'x' });
const chunks = [];
while (!cap.step(1e9)) chunks.push(...cap.take());
chunks.push(...cap.take());
const file = Buffer.concat(chunks);
const parts = []; for (let i = 0; i < file.length; i += 1 << 20) parts.push(file.subarray(i, i + (1 << 20)));
async function* gen() { for (const p of parts) yield p; }
for (let r = 0; r < 2; r++) {
  const t0 = performance.now();
  const ks2 = new MapKeyspace(16);
  const res = await loadSnapshot({ keyspace: ks2, source: 'x', chunks: gen() });
  console.log('load ms', (performance.now() - t0).toFixed(0), res.keys);
}
