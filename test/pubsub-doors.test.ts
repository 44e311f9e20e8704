/**
 * One hub, three doors: a message published over RESP, HTTP or gRPC reaches subscribers on
 * every door (ioredis on RESP, an EventSource on the HTTP door's Server-Sent Events, a gRPC
 * Subscribe stream), and SIGTERM ends every subscription before the server exits.
 */
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, drain, grpc, headers, type Msg } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);

let cairn: CairnProcess;
let publisher: Redis;
let grpcClient: CairnGrpc;

beforeAll(async () => {
  cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
  publisher = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
  grpcClient = cairnClient(cairn.grpcPort);
});
afterAll(async () => {
  grpcClient?.close();
  publisher?.disconnect();
  await cairn?.stop();
});

it('delivers what each door publishes to subscribers on every door, and SIGTERM ends them', async () => {
  // RESP: a plain and a pattern subscription.
  const resp = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
  const onResp: string[] = [];
  resp.on('message', (ch: string, m: string) => onResp.push(`${ch} ${m}`));
  resp.on('pmessage', (_p: string, ch: string, m: string) => onResp.push(`p ${ch} ${m}`));
  await resp.subscribe('doors');
  await resp.psubscribe('doors.*');

  // HTTP: an EventSource.
  const es = new EventSource(`http://127.0.0.1:${cairn.httpPort}/v1/subscribe?channel=doors&pattern=doors.*`);
  const onSse: string[] = [];
  let confirmed = 0;
  es.addEventListener('psubscribe', () => confirmed++);
  es.addEventListener('message', (e) => {
    const d = JSON.parse(e.data);
    onSse.push(`${d.channel} ${d.message}`);
  });
  es.addEventListener('pmessage', (e) => {
    const d = JSON.parse(e.data);
    onSse.push(`p ${d.channel} ${d.message}`);
  });
  await waitFor(() => confirmed === 1, 10_000, 'the SSE subscriptions');

  // gRPC: a Subscribe stream.
  const sub = grpcClient.stream('Subscribe', { channels: [B('doors')], patterns: [B('doors.*')] });
  const onGrpc: string[] = [];
  sub.on('data', (m: Msg) =>
    onGrpc.push(
      `${m.kind === 'MESSAGE_KIND_PMESSAGE' ? 'p ' : ''}${m.channel.toString()} ${m.message.toString()}`,
    ),
  );
  const subEnded = drain(sub);
  await headers(sub);

  expect(await publisher.pubsub('NUMSUB', 'doors')).toEqual(['doors', 3]);
  expect(await publisher.publish('doors', 'from resp')).toBe(3);
  const http = await fetch(`http://127.0.0.1:${cairn.httpPort}/publish/doors.x/from%20http`);
  expect(await http.json()).toEqual({ result: 3 });
  const rpc = await grpcClient.unary('Publish', { channel: B('doors'), message: B('from grpc') });
  expect(rpc.receivers).toBe('3');
  await grpcClient.unary('Execute', { args: [B('PUBLISH'), B('doors.y'), B('from execute')] });

  const expected = ['doors from resp', 'p doors.x from http', 'doors from grpc', 'p doors.y from execute'];
  for (const [name, got] of [
    ['RESP', onResp],
    ['SSE', onSse],
    ['gRPC', onGrpc],
  ] as const) {
    await waitFor(() => got.length >= expected.length, 10_000, `${name} messages`);
    expect(got, name).toEqual(expected);
  }

  // Shutdown: streams end (gRPC UNAVAILABLE), the RESP subscriber is disconnected, exit 0.
  let sseClosed = false;
  es.addEventListener('error', () => {
    sseClosed = true;
    es.close();
  });
  const respClosed = new Promise<void>((resolve) => resp.once('end', () => resolve()));
  resp.options.retryStrategy = () => null;
  const exit = cairn.stop('SIGTERM');
  expect((await subEnded).status.code).toBe(grpc.status.UNAVAILABLE);
  await respClosed;
  await waitFor(() => sseClosed, 10_000, 'the SSE stream to end');
  expect(await exit).toBe(0);
});
