/**
 * Server-Sent-Events streams of the HTTP door (pub/sub and stream tails). How much a slow
 * reader may hold is the `pubsub` class of `client-output-buffer-limit`, as for RESP
 * subscribers; this file only adds the heartbeat.
 */
import type { OptionSpec } from '../schema.js';

export const SSE_OPTIONS = [
  {
    name: 'http-sse-heartbeat-ms',
    type: 'int',
    default: '15000',
    min: 0,
    max: 3_600_000,
    mutable: true,
    doc: 'A Server-Sent-Events stream that sent nothing for this long gets a comment line (a heartbeat that keeps proxies from closing it), milliseconds (0 = none)',
  },
] as const satisfies readonly OptionSpec[];
