/**
 * Accepting a RESP socket: register its client (maxclients, addresses, the hooks the server
 * calls back through) and start a RespConnection on it.
 */
import type { DoorHost } from '../door.js';
import { RespConnection, type RespSocket } from './connection.js';
import type { DoorLimits } from './limits.js';
import type { TurnBatch } from './turn.js';

const MAX_CLIENTS = Buffer.from('-ERR max number of clients reached\r\n');
const NO_STATS = { qbuf: 0, obl: 0, omem: 0 };

export function formatAddr(ip: string | undefined, port: number | undefined): string {
  const host = ip ?? '?';
  return host.includes(':') ? `[${host}]:${port ?? 0}` : `${host}:${port ?? 0}`;
}

/**
 * Register a client for a new socket and start serving it. Returns null (after answering Redis's
 * error and closing) when `maxclients` is reached.
 */
export function acceptConnection(
  host: DoorHost,
  socket: RespSocket,
  limits: DoorLimits,
  turn: TurnBatch,
  onClosed: (c: RespConnection) => void = () => {},
): RespConnection | null {
  let conn: RespConnection | null = null;
  const client = host.openClient({
    door: 'resp',
    addr: formatAddr(socket.remoteAddress, socket.remotePort),
    laddr: formatAddr(socket.localAddress, socket.localPort),
    close: () => conn?.requestClose(),
    bufferStats: () => (conn === null ? NO_STATS : conn.bufferStats()),
    push: (reply) => conn?.push(reply) ?? false,
  });
  if (client === null) {
    socket.on('error', () => {});
    socket.end(MAX_CLIENTS, () => socket.destroy());
    return null;
  }
  conn = new RespConnection(host, socket, client, limits, onClosed, turn);
  return conn;
}
