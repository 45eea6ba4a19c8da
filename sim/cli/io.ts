/**
 * The CLI's contact with the outside: where text goes (so `main` runs
 * in-process in tests), colours (only on a TTY) and files written all at once
 * (temp file + rename, so a failed run never leaves half a file).
 *
 * Wall-clock and filesystem access are allowed here (sim/cli only); nothing
 * here is used by the simulation itself.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Chalk, type ChalkInstance } from 'chalk';

/** Where the CLI writes. `isTTY` decides colours and progress output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
  };
}

/** A chalk that colours only on a TTY (level 0 otherwise, so output stays plain for pipes and files). */
export function colours(io: CliIo): ChalkInstance {
  return new Chalk({ level: io.isTTY ? 1 : 0 });
}

/** Writes `content` to `file` via a temp file in the same folder and a rename: readers never see half a file. */
export function writeFileAtomic(file: string, content: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, content);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** cli-table3 border characters without a line between rows. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } as const;
