import { MapKeyspace } from './dist/engine/map-keyspace.js';
import { SnapshotCapture } from './dist/persistence/capture.js';
const ks = new MapKeyspace(16);
const v = Buffer.alloc(32, 118);
const N = 1_000_000;
for (let i = 0; i < N; i++) ks.set(0, Buffer.from(`key:${String(i).padStart(12, '0')}`), v);
for (const budget of [1e9, 2, 1e9]) {
  const t0 = performance.now();
  const cap = new SnapshotCapture(ks, { cairnVersion: 'x' });
  let bytes = 0;
  let steps = 0;
  while (!cap.step(budget)) { for (const b of cap.take()) bytes += b.length; steps++; }
  for (const b of cap.take()) bytes += b.length;
  console.log('budget', budget, 'ms', (performance.now() - t0).toFixed(0), 'bytes', bytes, 'steps', steps);
}
