/**
 * A text file written a line at a time without holding it in memory: lines
 * are buffered in 64 KiB chunks and written synchronously (a simulation
 * produces trace lines synchronously, inside a worker or the main thread).
 * Used for the traces of `--out`, which are written into the out folder's
 * staging area (out-folder.ts makes them visible, or drops them).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const CHUNK_CHARS = 64 * 1024;

/** Receives lines; `close` once at the end (also after a failure: it never throws twice). */
export interface LineFile {
  readonly line: (text: string) => void;
  close(): void;
}

/** Opens `file` (creating its folder) for writing lines. */
export function openLineFile(file: string): LineFile {
  mkdirSync(dirname(file), { recursive: true });
  let fd: number | null = openSync(file, 'w');
  let parts: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (parts.length === 0 || fd === null) return;
    const buffer = Buffer.from(`${parts.join('\n')}\n`, 'utf8');
    parts = [];
    size = 0;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset);
  };
  return {
    line(text) {
      if (fd === null) return;
      parts.push(text);
      size += text.length + 1;
      if (size >= CHUNK_CHARS) flush();
    },
    close() {
      if (fd === null) return;
      try {
        flush();
      } finally {
        closeSync(fd);
        fd = null;
      }
    },
  };
}
