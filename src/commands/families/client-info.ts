/**
 * One CLIENT LIST / CLIENT INFO line, field for field as Redis 7.2 prints it, so existing
 * parsers (redis-cli, client libraries, dashboards) read Cairn's output unchanged. Fields with
 * no Cairn equivalent keep Redis's neutral value (fd=-1 for "no descriptor").
 */
import type { ClientState } from '../context.js';

/** Redis's flag letters that Cairn has a state for; `N` when none applies. */
function flagLetters(c: ClientState): string {
  let f = c.monitor ? 'O' : c.replica ? 'S' : '';
  if (c.pubsub !== null) f += 'P';
  if (c.multi !== null) f += 'x';
  if (c.blocked) f += 'b';
  const t = c.tracking;
  if (t !== null) {
    f += 't';
    if (t.brokenRedirect) f += 'R';
    if (t.bcast) f += 'B';
  }
  if (c.watchDirty) f += 'd';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

/** Bytes held by queued MULTI commands (Redis's multi-mem). */
function multiMem(c: ClientState): number {
  if (c.multi === null) return 0;
  let n = 0;
  for (const argv of c.multi) for (const a of argv) n += a.length;
  return n;
}

export function clientInfoLine(c: ClientState, nowMs: number): string {
  const { qbuf, qbufFree = 0, rbs = 0, rbp = 0, obl, omem } = c.bufferStats();
  const mmem = multiMem(c);
  const age = Math.max(0, Math.floor((nowMs - c.createdAt) / 1000));
  const idle = Math.max(0, Math.floor((nowMs - c.lastInteraction) / 1000));
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=-1 name=${c.name} age=${age} idle=${idle} ` +
    `flags=${flagLetters(c)} db=${c.db} sub=${c.pubsub?.channel.size ?? 0} psub=${c.pubsub?.pattern.size ?? 0} ssub=${c.pubsub?.shard.size ?? 0} multi=${c.multi === null ? -1 : c.multi.length} ` +
    `qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=0 multi-mem=${mmem} rbs=${rbs} rbp=${rbp} obl=${obl} oll=0 omem=${omem} ` +
    `tot-mem=${qbuf + qbufFree + omem + mmem} events=${obl > 0 ? 'rw' : 'r'} cmd=${c.lastCommand} user=${c.user} ` +
    `redir=${c.tracking === null ? -1 : c.tracking.redirect} resp=${c.resp} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

/** Lines for several clients, each ending in `\n`, as CLIENT LIST answers. */
export function clientListText(clients: Iterable<ClientState>, nowMs: number): string {
  let out = '';
  for (const c of clients) out += `${clientInfoLine(c, nowMs)}\n`;
  return out;
}
