/**
 * The slow log (Redis's slowlog.c): commands that ran longer than `slowlog-log-slower-than`
 * microseconds, newest first, at most `slowlog-max-len` entries. Arguments are trimmed as Redis
 * trims them (32 arguments, 128 bytes each) and secrets are redacted, so the log never holds
 * more than a few KB per entry nor a password.
 */
export const SLOWLOG_ENTRY_MAX_ARGC = 32;
export const SLOWLOG_ENTRY_MAX_STRING = 128;

export interface SlowLogEntry {
  readonly id: number;
  /** Unix seconds. */
  readonly time: number;
  readonly durationUs: number;
  readonly args: Buffer[];
  readonly addr: string;
  readonly name: string;
}

const REDACTED = Buffer.from('(redacted)');

/** Arguments that may hold a password (Redis's redactClientCommandArgument callers). */
function secret(fullName: string, argv: readonly Buffer[], i: number): boolean {
  switch (fullName) {
    case 'auth':
      return i >= 1;
    case 'hello':
      // HELLO 3 AUTH user pass
      return i >= 3 && argv[i - 1 - (i % 2 === 0 ? 1 : 0)].toString('latin1').toLowerCase() === 'auth';
    case 'acl|setuser':
      return i >= 2;
    case 'config|set':
      // Redis's SENSITIVE_CONFIG options.
      return (
        i >= 3 && i % 2 === 1 && /^(requirepass|masterauth|masteruser)$/i.test(argv[i - 1].toString('latin1'))
      );
    case 'migrate':
      return migrateSecret(argv, i);
    default:
      return false;
  }
}

/** MIGRATE's AUTH password and AUTH2 username and password (the options after argv[5]). */
function migrateSecret(argv: readonly Buffer[], i: number): boolean {
  for (let j = 6; j < argv.length; j++) {
    const opt = argv[j].toString('latin1').toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'auth' && more >= 1) {
      if (i === j + 1) return true;
      j++;
    } else if (opt === 'auth2' && more >= 2) {
      if (i === j + 1 || i === j + 2) return true;
      j += 2;
    } else if (opt !== 'copy' && opt !== 'replace') {
      return false;
    }
  }
  return false;
}

export class SlowLog {
  private entries: SlowLogEntry[] = [];
  private nextId = 0;

  constructor(public maxLen: number) {}

  add(
    fullName: string,
    argv: readonly Buffer[],
    durationUs: number,
    nowMs: number,
    addr: string,
    name: string,
  ): void {
    if (this.maxLen <= 0) return;
    const argc = Math.min(argv.length, SLOWLOG_ENTRY_MAX_ARGC);
    const args: Buffer[] = [];
    for (let i = 0; i < argc; i++) {
      if (argc !== argv.length && i === argc - 1) {
        args.push(Buffer.from(`... (${argv.length - argc + 1} more arguments)`));
        break;
      }
      if (secret(fullName, argv, i)) {
        args.push(REDACTED);
        continue;
      }
      const a = argv[i];
      args.push(
        a.length > SLOWLOG_ENTRY_MAX_STRING
          ? Buffer.concat([
              a.subarray(0, SLOWLOG_ENTRY_MAX_STRING),
              Buffer.from(`... (${a.length - SLOWLOG_ENTRY_MAX_STRING} more bytes)`),
            ])
          : Buffer.from(a),
      );
    }
    this.entries.unshift({ id: this.nextId++, time: Math.floor(nowMs / 1000), durationUs, args, addr, name });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Newest first; count < 0 means all. */
  get(count: number): readonly SlowLogEntry[] {
    return count < 0 ? this.entries : this.entries.slice(0, count);
  }

  reset(): void {
    this.entries = [];
  }

  trim(maxLen: number): void {
    this.maxLen = maxLen;
    if (this.entries.length > maxLen) this.entries.length = Math.max(0, maxLen);
  }
}
