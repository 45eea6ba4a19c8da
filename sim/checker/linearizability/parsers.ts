/**
 * History formats: `parseHistory` dispatches on the format name, and
 * `guessFormat` picks one from a file's name and first line.
 *
 * Models: the three formats of SPEC §5. Does not model: reading files (the
 * caller passes the text).
 */

import { HistoryError } from '../errors.ts';
import type { Operation } from './history.ts';
import { parseJsonl } from './parse-jsonl.ts';
import { parsePorcupineEtcd, parsePorcupineKv } from './parse-porcupine.ts';

/** The history formats `parseHistory` reads. */
export type HistoryFormat = 'jsonl' | 'porcupine-etcd' | 'porcupine-kv';

/** Format names, for usage messages. */
export const FORMAT_NAMES: readonly HistoryFormat[] = Object.freeze(['jsonl', 'porcupine-etcd', 'porcupine-kv'] as HistoryFormat[]);

/** The byte-order mark some editors put first in a UTF-8 file: skipped, as the scenario loader skips it. */
const BOM = '\uFEFF';

/**
 * Parses `text` (the content of `file`) in `format`; throws HistoryError(file,
 * `line N`, …) for bad lines. A leading byte-order mark is skipped. An empty
 * text gives no operations (`validateOperations` refuses that for a file).
 */
export function parseHistory(text: string, format: HistoryFormat, file: string): Operation[] {
  return parseFormat(text.startsWith(BOM) ? text.slice(BOM.length) : text, format, file);
}

function parseFormat(text: string, format: HistoryFormat, file: string): Operation[] {
  switch (format) {
    case 'jsonl':
      return parseJsonl(text, file);
    case 'porcupine-etcd':
      return parsePorcupineEtcd(text, file);
    case 'porcupine-kv':
      return parsePorcupineKv(text, file);
    default:
      throw new HistoryError(undefined, '--format', `unknown format ${JSON.stringify(format)}; expected one of ${FORMAT_NAMES.join(', ')}`);
  }
}

/** Checks a `--format` value; throws HistoryError(undefined, '--format', …) when unknown. */
export function toFormat(name: string): HistoryFormat {
  if ((FORMAT_NAMES as readonly string[]).includes(name)) return name as HistoryFormat;
  throw new HistoryError(undefined, '--format', `unknown format ${JSON.stringify(name)}; expected one of ${FORMAT_NAMES.join(', ')}`);
}

/**
 * Guesses the format: a `.log` file with a `INFO  jepsen.util` line is
 * porcupine-etcd; a file whose first non-blank line starts `{:process` is
 * porcupine-kv; anything else is jsonl.
 */
export function guessFormat(file: string, text: string): HistoryFormat {
  const first = /^\s*(\S[^\n]*)/.exec(text)?.[1] ?? '';
  if (file.endsWith('.log') && /^INFO\s+jepsen\.util/m.test(text.slice(0, 4096))) return 'porcupine-etcd';
  if (first.startsWith('{:process')) return 'porcupine-kv';
  return 'jsonl';
}
