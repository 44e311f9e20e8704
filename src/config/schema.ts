/**
 * Every option, declared once: name (Redis's directive name where Redis has one), type, bounds,
 * default, whether CONFIG SET may change it at run time, and a line of documentation. Flags,
 * the config file, CAIRN_* environment variables, CONFIG GET/SET and `cairn --help` all come
 * from this table.
 */

import { SERVER_COMPAT_OPTIONS } from './options/compat-server.js';
import { ENCODING_ALIASES as ENCODING_ALIASES_OWN, ENCODING_OPTIONS } from './options/encodings.js';
import { LOAD_OPTIONS } from './options/load.js';
import { NOTIFY_OPTIONS } from './options/notify.js';
import { PERSISTENCE_OPTIONS } from './options/persistence.js';
import { INERT_ALIASES, INERT_OPTIONS } from './options/redis-inert.js';
import { SCRIPTING_ALIASES, SCRIPTING_OPTIONS } from './options/scripting.js';
import { SECURITY_OPTIONS } from './options/security.js';
import { SSE_OPTIONS } from './options/sse.js';
import { STREAM_OPTIONS } from './options/streams.js';
import { TLS_OPTIONS } from './options/tls.js';
import { TRACKING_OPTIONS } from './options/tracking.js';

export type OptionType = 'int' | 'bytes' | 'bool' | 'string' | 'enum';

export interface OptionSpec {
  readonly name: string;
  readonly type: OptionType;
  readonly default: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** CONFIG SET may change it while running. */
  readonly mutable: boolean;
  readonly doc: string;
  /** May be given many times (file lines, repeated flags); the values are joined by newlines. */
  readonly multi?: boolean;
  /** Not listed by CONFIG GET (may hold secrets). */
  readonly hidden?: boolean;
  /**
   * A parser of its own for a `string` option: the canonical value, and optionally the number
   * `ConfigStore.int` answers for it (a parsed form read on hot paths).
   */
  readonly normalise?: (raw: string) => { value: string; number?: number } | { error: string };
  /** A Redis directive accepted and checked for compatibility that changes nothing in Cairn. */
  readonly inert?: boolean;
}

const GB = 1024 * 1024 * 1024;
const MB = 1024 * 1024;

const CORE_OPTIONS = [
  {
    name: 'port',
    type: 'int',
    default: '6379',
    min: -1,
    max: 65535,
    mutable: false,
    doc: 'RESP port (0 picks a free one, -1 turns plaintext RESP off: TLS only with tls-port)',
  },
  {
    name: 'bind',
    type: 'string',
    default: '127.0.0.1',
    mutable: false,
    doc: 'Addresses to listen on, space separated',
  },
  {
    name: 'http-port',
    type: 'int',
    default: '8080',
    min: -1,
    max: 65535,
    mutable: false,
    doc: 'HTTP port (0 picks a free one, -1 turns the HTTP door off)',
  },
  {
    name: 'grpc-port',
    type: 'int',
    default: '50051',
    min: -1,
    max: 65535,
    mutable: false,
    doc: 'gRPC port (0 picks a free one, -1 turns the gRPC door off)',
  },
  {
    name: 'http-body-limit',
    type: 'bytes',
    default: String(16 * MB),
    min: 1024,
    max: GB,
    mutable: false,
    doc: 'Largest HTTP request body, bytes (413 past it)',
  },
  {
    name: 'http-max-header-bytes',
    type: 'bytes',
    default: String(64 * 1024),
    min: 1024,
    max: 16 * MB,
    mutable: false,
    doc: 'Largest HTTP request line plus headers, bytes (431 past it; bounds keys in paths and query strings)',
  },
  {
    name: 'http-request-timeout-ms',
    type: 'int',
    default: '30000',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Time allowed to receive a whole HTTP request, and the deadline of its commands, milliseconds (0 = none)',
  },
  {
    name: 'http-keepalive-timeout-ms',
    type: 'int',
    default: '72000',
    min: 1,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Idle time before an HTTP keep-alive connection is closed, milliseconds',
  },
  {
    name: 'grpc-max-message-bytes',
    type: 'bytes',
    default: String(64 * MB),
    min: 1024,
    max: 2 * GB - 1,
    mutable: false,
    doc: 'Largest gRPC request message accepted, bytes (larger: RESOURCE_EXHAUSTED)',
  },
  {
    name: 'grpc-max-concurrent-streams',
    type: 'int',
    default: '1000',
    min: 1,
    max: 2_147_483_647,
    mutable: false,
    doc: 'Most concurrent gRPC calls per connection',
  },
  {
    name: 'grpc-watch-buffer',
    type: 'int',
    default: '10000',
    min: 1,
    max: 10_000_000,
    mutable: true,
    doc: 'Events a gRPC Watch or Subscribe stream may fall behind before it is ended with RESOURCE_EXHAUSTED',
  },
  {
    name: 'databases',
    type: 'int',
    default: '16',
    min: 1,
    max: 1_000_000,
    mutable: false,
    doc: 'Number of databases',
  },
  {
    name: 'engine',
    type: 'enum',
    default: 'offheap',
    values: ['map', 'offheap'],
    mutable: false,
    doc: 'Keyspace implementation',
  },
  {
    name: 'maxclients',
    type: 'int',
    default: '10000',
    min: 1,
    max: 1_000_000,
    mutable: true,
    doc: 'Maximum simultaneous clients per door',
  },
  {
    name: 'timeout',
    type: 'int',
    default: '0',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Close a client idle for this many seconds (0 = never)',
  },
  {
    name: 'tcp-keepalive',
    type: 'int',
    default: '300',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'TCP keepalive interval in seconds',
  },
  {
    name: 'requirepass',
    type: 'string',
    default: '',
    mutable: true,
    doc: 'Password of the default user (empty = none)',
  },
  {
    name: 'proto-max-bulk-len',
    type: 'bytes',
    default: String(512 * MB),
    min: 1024 * 1024,
    max: 8 * GB,
    mutable: true,
    doc: 'Largest bulk string accepted, bytes',
  },
  {
    name: 'proto-max-multibulk-len',
    type: 'int',
    default: String(1024 * 1024),
    min: 1,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Most arguments in one command',
  },
  {
    name: 'proto-inline-max-size',
    type: 'bytes',
    default: String(64 * 1024),
    min: 1024,
    max: GB,
    mutable: true,
    doc: 'Longest inline command line, bytes',
  },
  {
    name: 'client-query-buffer-limit',
    type: 'bytes',
    default: String(GB),
    min: 1024 * 1024,
    max: 8 * GB,
    mutable: true,
    doc: 'Largest unparsed input kept per client, bytes',
  },
  {
    name: 'client-output-buffer-limit',
    type: 'string',
    default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    mutable: true,
    doc: '<class> <hard bytes> <soft bytes> <soft seconds> per class: normal, pubsub (subscribed clients), slave/replica (0 = no limit)',
  },
  {
    name: 'maxmemory',
    type: 'bytes',
    default: '0',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'Memory limit for the dataset, bytes (0 = none)',
  },
  {
    name: 'maxmemory-policy',
    type: 'enum',
    default: 'noeviction',
    values: [
      'noeviction',
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
    ],
    mutable: true,
    doc: 'What to evict at maxmemory',
  },
  {
    name: 'maxmemory-samples',
    type: 'int',
    default: '5',
    min: 1,
    max: 64,
    mutable: true,
    doc: 'Keys sampled per eviction',
  },
  {
    name: 'lfu-log-factor',
    type: 'int',
    default: '10',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'LFU counter logarithm factor',
  },
  {
    name: 'lfu-decay-time',
    type: 'int',
    default: '1',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'LFU counter decay period, minutes',
  },
  {
    name: 'compression-threshold',
    type: 'bytes',
    default: '1024',
    min: 0,
    max: GB,
    mutable: true,
    doc: 'Values of at least this many bytes are stored LZ4-compressed when that saves space (offheap engine; 0 = off)',
  },
  {
    name: 'key-prefix-compression',
    type: 'bool',
    default: 'yes',
    mutable: true,
    doc: 'Store long key prefixes shared by many keys once (offheap engine; applies to keys written afterwards)',
  },
  {
    name: 'memory-reclaim',
    type: 'bool',
    default: 'no',
    mutable: true,
    doc: 'Under maxmemory, ask V8 for a full GC once short-lived Buffers pile up (a quarter of maxmemory, 8-64 MB, above what the last collection left); see docs/memory-under-load.md',
  },
  {
    name: 'hz',
    type: 'int',
    default: '10',
    min: 1,
    max: 500,
    mutable: true,
    doc: 'Background task frequency (active expiry), per second',
  },
  {
    name: 'active-expire-effort',
    type: 'int',
    default: '1',
    min: 1,
    max: 10,
    mutable: true,
    doc: 'Effort of the active expiry cycle',
  },
  {
    name: 'shutdown-timeout',
    type: 'int',
    default: '10',
    min: 0,
    max: 3600,
    mutable: true,
    doc: 'Grace period for draining clients at shutdown, seconds',
  },
  {
    name: 'loglevel',
    type: 'enum',
    default: 'notice',
    values: ['debug', 'verbose', 'notice', 'warning', 'nothing'],
    mutable: true,
    doc: 'Log verbosity',
  },
  { name: 'dir', type: 'string', default: '.', mutable: false, doc: 'Working directory for snapshots' },
  {
    name: 'slowlog-log-slower-than',
    type: 'int',
    default: '10000',
    min: -1,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Slow log threshold, microseconds',
  },
  {
    name: 'slowlog-max-len',
    type: 'int',
    default: '128',
    min: 0,
    max: 100_000,
    mutable: true,
    doc: 'Slow log length (at most 100000: an entry may hold about 5 KB)',
  },
] as const satisfies readonly OptionSpec[];

/** Options of the security and load layers live in ./options/ beside their own code. */
export const OPTIONS = [
  ...CORE_OPTIONS,
  ...SERVER_COMPAT_OPTIONS,
  ...TLS_OPTIONS,
  ...LOAD_OPTIONS,
  ...SECURITY_OPTIONS,
  ...ENCODING_OPTIONS,
  ...STREAM_OPTIONS,
  ...PERSISTENCE_OPTIONS,
  ...NOTIFY_OPTIONS,
  ...TRACKING_OPTIONS,
  ...SCRIPTING_OPTIONS,
  ...SSE_OPTIONS,
  ...INERT_OPTIONS,
] as const;

export type OptionName = (typeof OPTIONS)[number]['name'];

/** Older option names Redis still accepts (encodings, lua-time-limit), to the current ones. */
const OPTION_ALIASES: Readonly<Record<string, string>> = {
  ...ENCODING_ALIASES_OWN,
  ...SCRIPTING_ALIASES,
  ...INERT_ALIASES,
};

/** Options by name, older alias names included (they lead to the current option). */
export const OPTION_BY_NAME: ReadonlyMap<string, OptionSpec> = new Map<string, OptionSpec>([
  ...OPTIONS.map((o): [string, OptionSpec] => [o.name, o]),
  ...Object.entries(OPTION_ALIASES).map(([alias, name]): [string, OptionSpec] => [
    alias,
    OPTIONS.find((o) => o.name === name) as OptionSpec,
  ]),
]);

export { normalise, parseBytes } from './values.js';
/** Every alias (the name is historical: the encodings' older names came first). */
export const ENCODING_ALIASES = OPTION_ALIASES;
