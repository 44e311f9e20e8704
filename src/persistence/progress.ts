/**
 * Load progress: a log line about once a second and, when stderr is a terminal, a bar redrawn
 * in place.
 */
import type { Logger } from 'pino';
import type { LoadProgress } from './loader.js';

const LOG_EVERY_MS = 1000;
const BAR_EVERY_MS = 100;
const BAR_WIDTH = 30;

export function loadProgressReporter(
  logger: Logger,
  source: string,
  what = 'snapshot',
): {
  update(p: LoadProgress): void;
  done(): void;
} {
  const tty = process.stderr.isTTY === true;
  let lastLog = performance.now();
  let lastBar = 0;
  let drew = false;
  return {
    update(p) {
      const now = performance.now();
      const pct = p.total ? Math.min(100, (p.bytes / p.total) * 100) : null;
      if (now - lastLog >= LOG_EVERY_MS) {
        lastLog = now;
        logger.info(
          { source, bytes: p.bytes, total: p.total, records: p.records },
          `loading ${what}: ${pct === null ? `${p.bytes} bytes` : `${pct.toFixed(0)}%`}, ${p.records} keys read`,
        );
      }
      if (tty && pct !== null && now - lastBar >= BAR_EVERY_MS) {
        lastBar = now;
        const filled = Math.round((pct / 100) * BAR_WIDTH);
        process.stderr.write(
          `\rloading [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${pct.toFixed(0)}%`,
        );
        drew = true;
      }
    },
    done() {
      if (drew) process.stderr.write('\n');
    },
  };
}
