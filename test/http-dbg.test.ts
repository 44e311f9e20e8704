import { test } from 'vitest';
import { connect } from 'node:net';
import { startHttpCairn } from './helpers/http.js';
test('dbg', async () => {
  const c = await startHttpCairn({ resp: false, config: { 'http-request-timeout-ms': '300' } });
  const app = (c.http as any);
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    const s = connect(c.httpPort, '127.0.0.1', () => s.write('PUT /v1/keys/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"val'));
    s.on('data', (d) => console.log('got', JSON.stringify(d.toString()), Date.now() - t0));
    s.on('close', () => { console.log('closed', Date.now() - t0); resolve(); });
    setTimeout(() => { console.log('gave up'); s.destroy(); }, 4000);
  });
  await c.stop();
});
