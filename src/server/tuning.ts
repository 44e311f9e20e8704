/** Keeps the engine's eviction/LFU tuning in step with the config (at start and on CONFIG SET). */
import type { ConfigStore } from '../config/store.js';
import type { EngineTuning, Keyspace } from '../engine/types.js';

export function applyEngineTuning(config: ConfigStore, keyspace: Keyspace): () => void {
  const apply = () =>
    keyspace.configure({
      maxmemoryPolicy: config.get('maxmemory-policy') as EngineTuning['maxmemoryPolicy'],
      maxmemorySamples: config.int('maxmemory-samples'),
      lfuLogFactor: config.int('lfu-log-factor'),
      lfuDecayTime: config.int('lfu-decay-time'),
      compressionThreshold: config.int('compression-threshold'),
      keyPrefixCompression: config.bool('key-prefix-compression'),
    });
  const applyLimits = () =>
    Object.assign(keyspace.limits, {
      hashMaxListpackEntries: config.int('hash-max-listpack-entries'),
      hashMaxListpackValue: config.int('hash-max-listpack-value'),
      setMaxIntsetEntries: config.int('set-max-intset-entries'),
      zsetMaxListpackEntries: config.int('zset-max-listpack-entries'),
      zsetMaxListpackValue: config.int('zset-max-listpack-value'),
    });
  apply();
  applyLimits();
  return config.onChange((name) => {
    if (name.includes('-max-')) applyLimits();
    if (
      name.startsWith('maxmemory') ||
      name.startsWith('lfu-') ||
      name === 'compression-threshold' ||
      name === 'key-prefix-compression'
    )
      apply();
    // A lower maxmemory evicts at once, as Redis's updateMaxmemory does (not at the next write).
    if (name === 'maxmemory' && config.int('maxmemory') > 0) keyspace.makeRoom(config.int('maxmemory'));
  });
}
