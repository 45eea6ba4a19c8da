/**
 * Where `run --trace` lines go, as the simulation produces them, so a long
 * run's trace never sits in memory (100 clients × 10 min is gigabytes).
 *
 * - `fileTraceSink(file)`: lines are buffered in 64 KiB chunks and written
 *   to a temp file in the same folder as `file` as they come; `commit`
 *   renames it into place (readers never see half a trace), `abort` removes
 *   it (a failed run leaves nothing behind, and an older trace at `file`
 *   stays as it was).
 * - `streamTraceSink(write)`: the same chunks handed to `write` (stdout for
 *   `--trace -`); `abort` just stops.
 *
 * A write that fails (disk full, permissions) is an `InputError` naming
 * `--trace`, after the temp file is removed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../scenario/errors.ts';
import { writeAllSync } from './io.ts';

/** Receives trace lines; `commit` once at the end, or `abort` on failure. */
export interface TraceSink {
  /** Takes one line (without its newline). */
  readonly line: (text: string) => void;
  /** Writes what is buffered and makes the trace visible. */
  commit(): void;
  /** Drops the trace (removes the temp file); harmless after `commit` or a second time. */
  abort(): void;
}

/** Characters buffered before a write. */
const CHUNK_CHARS = 64 * 1024;

/** Batches lines into chunks of about CHUNK_CHARS for `flush`. */
function batcher(flush: (text: string) => void): { add: (line: string) => void; drain: () => void } {
  let parts: string[] = [];
  let size = 0;
  const drain = (): void => {
    if (parts.length === 0) return;
    const text = `${parts.join('\n')}\n`;
    parts = [];
    size = 0;
    flush(text);
  };
  return {
    add(line) {
      parts.push(line);
      size += line.length + 1;
      if (size >= CHUNK_CHARS) drain();
    },
    drain,
  };
}

/** A sink writing chunks through `write` (e.g. stdout). */
export function streamTraceSink(write: (text: string) => void): TraceSink {
  let open = true;
  const batch = batcher(write);
  return {
    line: (text) => {
      if (open) batch.add(text);
    },
    commit() {
      if (open) batch.drain();
      open = false;
    },
    abort() {
      open = false;
    },
  };
}

/** A sink streaming into a temp file beside `file`, renamed to `file` on commit. */
export function fileTraceSink(file: string): TraceSink {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const failed = (error: unknown): InputError => {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return new InputError(undefined, '--trace', `cannot write ${JSON.stringify(file)} (${code}); expected a writable file path`);
  };
  let fd: number | null;
  try {
    fd = openSync(temp, 'wx');
  } catch (error) {
    throw failed(error);
  }
  const close = (): void => {
    if (fd === null) return;
    const was = fd;
    fd = null;
    closeSync(was);
  };
  const abort = (): void => {
    try {
      close();
    } finally {
      rmSync(temp, { force: true });
    }
  };
  const batch = batcher((text) => {
    if (fd === null) return;
    try {
      writeAllSync(fd, Buffer.from(text, 'utf8'));
    } catch (error) {
      abort();
      throw failed(error);
    }
  });
  let done = false;
  return {
    line: (text) => batch.add(text),
    commit() {
      if (done) return;
      done = true;
      try {
        batch.drain();
        close();
        renameSync(temp, file);
      } catch (error) {
        abort();
        throw error instanceof InputError ? error : failed(error);
      }
    },
    abort() {
      done = true;
      abort();
    },
  };
}
