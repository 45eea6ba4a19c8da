/**
 * Writes a whole file atomically: into a temporary file beside it, then
 * renamed into place, so a reader sees the old file or the new one, never
 * half of one; on failure the temporary file is removed and an InputError
 * names the flag the path came from.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../scenario/errors.ts';

/** Writes `text` to `file` atomically. */
export function writeFileAtomic(file: string, text: string, flag: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new InputError(undefined, flag, `cannot write ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a writable file path`);
  }
}
