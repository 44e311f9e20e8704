/**
 * The expiry family: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT) TTL PTTL EXPIRETIME
 * PEXPIRETIME PERSIST. TTL reads are compared within the key's measured skew (see compare.ts);
 * absolute expiries must then read back identically.
 */
import type { Node } from './resp-client.js';
import { b, type CommandFamily, exact, type GenContext, type Observer, type Step } from './step.js';

function expire(g: GenContext): Step {
  const [cmd, kind] = g.rng.pick([
    ['expire', 'relS'],
    ['pexpire', 'relMs'],
    ['expireat', 'absS'],
    ['pexpireat', 'absMs'],
  ] as const);
  const conds: string[] = [];
  const n = g.rng.weighted([
    [5, 0],
    [4, 1],
    [1, 2],
  ]);
  for (let i = 0; i < n; i++) conds.push(g.rng.pick(['NX', 'XX', 'GT', 'LT', 'nx', 'gt', 'foo', 'nx\x00y']));
  const key = g.key();
  const step = exact(cmd, key, g.expiry.value(kind), ...conds);
  // An absolute time is the same on both servers: unless a later command changed the TTL
  // (the model knows), EXPIRETIME and PEXPIRETIME must then match exactly.
  if (cmd.endsWith('at') && g.rng.chance(0.5)) {
    step.followUp = (r) => (isOne(r) ? [ttlRead('expiretime', key), ttlRead('pexpiretime', key)] : []);
  }
  return step;
}

/** A TTL read, with the probe its comparison needs (see compare.ts). */
export function ttlRead(cmd: 'ttl' | 'pttl' | 'expiretime' | 'pexpiretime', key: Buffer): Step {
  const probe = cmd === 'ttl' ? [b('pttl'), key] : cmd === 'expiretime' ? [b('pexpiretime'), key] : undefined;
  return { argv: [b(cmd), key], compare: cmd, probe, ttlKey: key };
}

function ttl(g: GenContext): Step {
  const cmd = g.rng.pick(['ttl', 'pttl', 'expiretime', 'pexpiretime'] as const);
  return ttlRead(cmd, g.key());
}

const isOne = (r: Node) => r.t === 'int' && r.v === 1n;

/** EXPIRE/PEXPIRE: a positive amount is relative to each server's clock; <= 0 deletes. */
const relative: Observer = (m, argv, reply, windowMs) => {
  if (!isOne(reply)) return;
  if (Number(argv[2].toString('latin1')) <= 0) m.forget(m.db, argv[1]);
  else m.relativeTtl(m.db, argv[1], windowMs);
};
/** EXPIREAT/PEXPIREAT and PERSIST leave both servers with the same expiry (or none). */
const absolute: Observer = (m, argv, reply) => {
  if (isOne(reply)) m.exactTtl(m.db, argv[1]);
};

export const expiryFamily: CommandFamily = {
  name: 'expiry',
  commands: [
    [8, expire],
    [6, ttl],
    [2, (g) => exact('persist', g.key())],
  ],
  observers: {
    expire: relative,
    pexpire: relative,
    expireat: absolute,
    pexpireat: absolute,
    persist: absolute,
  },
};
