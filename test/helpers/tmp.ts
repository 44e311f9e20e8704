/**
 * Temporary directories for a test file, removed after the file's tests (pass or fail), so
 * repeated runs do not fill the temp folder. Importing this module registers the clean-up on the
 * importing file (each test file gets its own module instance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(() => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A read-only mount or a file still open: leave it.
    }
  }
});

/** A new directory under the system temp folder, e.g. tempDir('cairn-persist-'). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
