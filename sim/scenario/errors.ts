/**
 * Errors that reach the user.
 *
 * `InputError` is bad input or usage: the CLI prints its message and exits 2.
 * The message must name the file, the place in it (a JSON path such as
 * `faults[2].target`, or a line number) and what was expected.
 */

export class InputError extends Error {
  readonly file: string | undefined;
  readonly where: string | undefined;

  /**
   * @param file  the file the bad input came from (or undefined for flags)
   * @param where the JSON path (`faults[0].at`) or `line 12`, or undefined
   * @param what  what was wrong and what was wanted
   */
  constructor(file: string | undefined, where: string | undefined, what: string) {
    const prefix = [file, where].filter((part) => part !== undefined && part !== '').join(': ');
    super(prefix === '' ? what : `${prefix}: ${what}`);
    this.name = 'InputError';
    this.file = file;
    this.where = where;
  }
}

/** Formats a JSON path from zod-style segments: ['faults', 2, 'at'] → `faults[2].at`. */
export function jsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(top level)' : out;
}
