/**
 * Load shedding and timeouts; concatenated into OPTIONS by ../schema.ts. The shed-* thresholds
 * define "under pressure" once (src/observability/pressure.ts) for the HTTP and gRPC doors;
 * RESP never sheds, as Redis does not.
 */
import type { OptionSpec } from '../schema.js';

const MAX_INT32 = 2_147_483_647;

export const LOAD_OPTIONS = [
  {
    name: 'shed-event-loop-delay-ms',
    type: 'int',
    default: '1000',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'HTTP answers 503 and gRPC RESOURCE_EXHAUSTED while the mean event-loop delay is over this, milliseconds (0 = off)',
  },
  {
    name: 'shed-heap-used-bytes',
    type: 'bytes',
    default: '0',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'Shed HTTP and gRPC requests while the V8 heap in use is over this, bytes (0 = off)',
  },
  {
    name: 'shed-rss-bytes',
    type: 'bytes',
    default: '0',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'Shed HTTP and gRPC requests while the resident set size is over this, bytes (0 = off)',
  },
  {
    name: 'shed-retry-after-seconds',
    type: 'int',
    default: '10',
    min: 1,
    max: 86_400,
    mutable: true,
    doc: 'Retry-After of a shed HTTP request, and grpc-retry-pushback-ms of a shed gRPC call, seconds',
  },
  {
    name: 'http-header-timeout-ms',
    type: 'int',
    default: '10000',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Time allowed to receive an HTTP request line and headers (slow clients are closed with 408), milliseconds (0 = only http-request-timeout-ms)',
  },
] as const satisfies readonly OptionSpec[];
