/**
 * MONITOR (Redis's replicationFeedMonitors): clients in monitor mode get one status line per
 * command executed by anyone, as Redis 7.0 writes it:
 *
 *   +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
 *
 * seconds.microseconds, the database the client is in once the command ran, the client's
 * address (`lua` for a command a script runs), then each argument as sent, quoted and escaped
 * as Redis's sdscatrepr does. Passwords given to AUTH, HELLO ... AUTH and MIGRATE ... AUTH/AUTH2
 * show as "(redacted)". Admin commands are never shown; scripts are shown before the commands
 * they run (the observers call `feed` at the right moment, see observers.ts).
 */
import type { ClientState } from './context.js';
import { SimpleReply } from './reply.js';

const REDACTED = '"(redacted)"';
const US_PER_MS = 1000;
const MS_PER_S = 1000;

export class Monitors {
  /** In the order they started monitoring (Redis's server.monitors list). */
  private readonly clients = new Set<ClientState>();

  get count(): number {
    return this.clients.size;
  }

  add(c: ClientState): void {
    c.monitor = true;
    this.clients.add(c);
  }

  remove(c: ClientState): void {
    if (!c.monitor) return;
    c.monitor = false;
    this.clients.delete(c);
  }

  /** Send one command's line to every monitor through `deliver`. */
  feed(
    db: number,
    addr: string,
    name: string,
    argv: readonly Buffer[],
    deliver: (target: ClientState, line: SimpleReply) => void,
  ): void {
    const line = new SimpleReply(monitorLine(wallClockUs(), db, addr, argv, redactedArgs(name, argv)));
    for (const m of this.clients) deliver(m, line);
  }
}

/** Microseconds since the epoch, from a monotonic source anchored at the process start. */
function wallClockUs(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * US_PER_MS);
}

/** The line without its `+` and CRLF (a status reply adds them). */
export function monitorLine(
  nowUs: number,
  db: number,
  addr: string,
  argv: readonly Buffer[],
  redacted: ReadonlySet<number> | null = null,
): string {
  const secs = Math.floor(nowUs / (US_PER_MS * MS_PER_S));
  const micros = String(nowUs - secs * US_PER_MS * MS_PER_S).padStart(6, '0');
  let out = `${secs}.${micros} [${db} ${addr}]`;
  for (let i = 0; i < argv.length; i++) {
    out += ' ';
    out += redacted?.has(i) ? REDACTED : repr(argv[i]);
  }
  return out;
}

/**
 * Redis's sdscatrepr: the bytes in double quotes, `\` and `"` escaped, \n \r \t \a \b spelled
 * out, other non-printable bytes (outside 0x20-0x7e) as \xNN.
 */
export function repr(b: Buffer): string {
  let out = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    switch (c) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return `${out}"`;
}

function lower(b: Buffer): string {
  return b.toString('latin1').toLowerCase();
}

/**
 * The argument positions a command's handler redacts in Redis 7.0 (redactClientCommandArgument),
 * following its own parsing: AUTH's arguments (the one- and two-argument forms), the user and
 * password after HELLO's AUTH once the version parsed, MIGRATE's AUTH password and AUTH2 user
 * and password.
 */
export function redactedArgs(name: string, argv: readonly Buffer[]): Set<number> | null {
  if (name === 'auth') {
    if (argv.length > 3) return null;
    const out = new Set<number>();
    for (let i = 1; i < argv.length; i++) out.add(i);
    return out;
  }
  if (name === 'hello') return helloRedactions(argv);
  if (name === 'migrate') {
    let out: Set<number> | null = null;
    for (let j = 6; j < argv.length; j++) {
      const opt = lower(argv[j]);
      const more = argv.length - 1 - j;
      if (opt === 'auth' && more >= 1) {
        out ??= new Set();
        out.add(j + 1);
        j++;
      } else if (opt === 'auth2' && more >= 2) {
        out ??= new Set();
        out.add(j + 1);
        out.add(j + 2);
        j += 2;
      } else if (opt !== 'copy' && opt !== 'replace') {
        break;
      }
    }
    return out;
  }
  return null;
}

function helloRedactions(argv: readonly Buffer[]): Set<number> | null {
  if (argv.length < 2) return null;
  const ver = argv[1].toString('latin1');
  if (ver !== '2' && ver !== '3') return null;
  let out: Set<number> | null = null;
  for (let j = 2; j < argv.length; j++) {
    const opt = lower(argv[j]);
    const more = argv.length - 1 - j;
    if (opt === 'auth' && more >= 2) {
      out ??= new Set();
      out.add(j + 1);
      out.add(j + 2);
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      j++;
    } else {
      break;
    }
  }
  return out;
}
