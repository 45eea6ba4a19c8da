/**
 * The CLI's contact with the outside: where text goes (so `main` runs
 * in-process in tests), where stdin comes from, whether to colour, and
 * synchronous writes that wait out a full pipe (for streaming `--trace -`;
 * `--trace FILE` is trace-sink.ts).
 *
 * Colours (no-color.org and chalk's FORCE_COLOR, in Node's order of
 * precedence): `FORCE_COLOR` set → colour even off a TTY (`0` or `false`
 * turns colour off; `2`, `3` pick 256 / true colours); otherwise `NO_COLOR`
 * set to anything non-empty → no colour even on a TTY; otherwise colour only
 * when the stream is a TTY and `TERM` is not `dumb`. `--json` output never
 * goes through a chalk, so it never has colour.
 *
 * Wall-clock and filesystem access are allowed here (sim/cli only); nothing
 * here is used by the simulation itself.
 */
import { writeSync } from 'node:fs';
import { Chalk, type ChalkInstance } from 'chalk';
import { COMPACT } from '../../reports/text-format.ts';
import { InputError } from '../scenario/errors.ts';

export { COMPACT };

/** Where the CLI writes and reads. Only `stdout`, `stderr` and `isTTY` are required (tests pass just those). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal. */
  readonly isTTY: boolean;
  /** Whether stderr is a terminal (default: as stdout). */
  readonly stderrIsTTY?: boolean;
  /** The environment colours are decided from (`NO_COLOR`, `FORCE_COLOR`, `TERM`); default: none set. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** All of stdin (for `check -`); without it, reading stdin is refused. */
  readStdin?(): Promise<string>;
  /**
   * Writes to stdout and returns only once the text is handed to the OS, so a
   * long synchronous run streaming to stdout (`--trace -`) holds nothing in
   * memory. Default: `stdout`.
   */
  stdoutSync?(text: string): void;
  /** The terminal a progress bar may draw on (stderr, only when it is a TTY); absent: no progress bar. */
  readonly progress?: NodeJS.WriteStream;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stderr.isTTY === true ? { progress: process.stderr } : {}),
    env: process.env,
    readStdin: async () => {
      if (process.stdin.isTTY === true) throw new InputError(undefined, '-', 'stdin is a terminal; expected a history piped in (cat history.jsonl | locksim check - …)');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    stdoutSync: (text) => {
      if (stdoutClosed) return;
      try {
        writeAllSync(1, Buffer.from(text, 'utf8'));
      } catch (error) {
        // The reader went away (`--trace - | head`): drop the rest, as a pipeline expects.
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
        stdoutClosed = true;
      }
    },
  };
}

/** Whether stdout's reader has gone (EPIPE seen). */
let stdoutClosed = false;

/**
 * Writes the whole buffer to file descriptor `fd`, waiting while a
 * non-blocking pipe is full (Node makes stdio pipes non-blocking, so a plain
 * `writeSync` may fail with EAGAIN when the reader is slow).
 */
export function writeAllSync(fd: number, buffer: Buffer): void {
  let offset = 0;
  let pause: Int32Array | undefined;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 2); // the reader is behind: wait 2 ms, then try again
    }
  }
}

/** The chalk colour level for a stream: see the header for the rules. */
export function colourLevel(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as 2 | 3;
    return 1; // '', '1', 'true' or anything else: basic colours
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTTY || env.TERM === 'dumb') return 0;
  return 1;
}

/** A chalk for text written to `stream`: colours per `colourLevel` (plain for pipes and files unless forced). */
export function colours(io: CliIo, stream: 'stdout' | 'stderr' = 'stdout'): ChalkInstance {
  const isTTY = stream === 'stdout' ? io.isTTY : (io.stderrIsTTY ?? io.isTTY);
  return new Chalk({ level: colourLevel(io.env ?? {}, isTTY) });
}
