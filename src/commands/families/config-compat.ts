/**
 * Redis's CONFIG SET rules that Cairn's option table does not carry by itself.
 *
 * Redis never applies a value equal to the current one (config.c answers "no change" before
 * calling the apply hook), so `CONFIG SET port <its port>` is a harmless OK there. Cairn has
 * options it cannot change while running (its door ports, the engine, Redis's `port` and `bind`,
 * which Redis rebinds): setting one of those to the value it already has is that same no-op, so
 * a `CONFIG GET *` / `CONFIG SET` round trip (what Redis's "CONFIG sanity" test does) works.
 * Redis's own immutable options keep refusing any value, as they do in Redis.
 */
import { normalise, type OptionSpec } from '../../config/schema.js';

/** Options Redis 7.0 declares IMMUTABLE_CONFIG (config.c): CONFIG SET always refuses them. */
const REDIS_IMMUTABLE = new Set([
  'rdbchecksum',
  'daemonize',
  'io-threads-do-reads',
  'always-show-logo',
  'set-proc-title',
  'syslog-enabled',
  'cluster-enabled',
  'disable-thp',
  'aclfile',
  'unixsocket',
  'pidfile',
  'cluster-config-file',
  'syslog-ident',
  'appendfilename',
  'appenddirname',
  'server_cpulist',
  'bio_cpulist',
  'aof_rewrite_cpulist',
  'bgsave_cpulist',
  'logfile',
  'supervised',
  'syslog-facility',
  'enable-protected-configs',
  'enable-debug-command',
  'enable-module-command',
  'databases',
  'io-threads',
  'tcp-backlog',
  'cluster-port',
  'unixsocketperm',
  'socket-mark-id',
  'replicaof',
  'slaveof',
]);

/**
 * `port` and `bind`: fixed in the option table (the doors read them once), but CONFIG SET
 * moves the RESP door's listeners as Redis does (see config-cmd.ts).
 */
export function isRebindable(spec: OptionSpec): boolean {
  return spec.name === 'port' || spec.name === 'bind';
}

/** An immutable (for Cairn) option given the value it already has: accepted, nothing changes. */
export function isUnchangedImmutable(spec: OptionSpec, raw: string, current: string): boolean {
  if (spec.mutable || REDIS_IMMUTABLE.has(spec.name)) return false;
  const r = normalise(spec, raw);
  return !('error' in r) && r.value === current;
}
