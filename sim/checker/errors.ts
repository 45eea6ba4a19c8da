/**
 * Bad history input: a line that is not an operation, a model name that does
 * not exist, an operation whose times are impossible. The message names the
 * file, the place in it (`line 12`, `operation 3`, `--model`) and what was
 * wanted; the CLI prints it and exits 2. The checker's own error type, so
 * the library depends on nothing outside this folder.
 */
export class HistoryError extends Error {
  readonly file: string | undefined;
  readonly where: string | undefined;

  constructor(file: string | undefined, where: string | undefined, what: string) {
    const prefix = [file, where].filter((part) => part !== undefined && part !== '').join(': ');
    super(prefix === '' ? what : `${prefix}: ${what}`);
    this.name = 'HistoryError';
    this.file = file;
    this.where = where;
  }
}
