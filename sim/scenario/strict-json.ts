/**
 * A strict JSON reader for scenario files: JSON.parse's grammar and the same
 * result for every document JSON.parse accepts without duplicate keys, plus
 * what JSON.parse cannot tell a user:
 *
 * - where a syntax error is: Node 20's messages often carry no position
 *   ("Unexpected token '}', ... is not valid JSON"), so the old loader
 *   pointed at the end of the file; here every error has an offset;
 * - duplicate keys: JSON.parse silently keeps the last one, while the YAML
 *   loader refuses them; a scenario with `"seed"` twice is refused naming
 *   the key and both lines;
 * - nesting deeper than a limit: refused at the offset where it happens,
 *   before any code recurses on the value (a 5,000-deep list crashed the
 *   error printer).
 *
 * Numbers beyond a double's range read as ±Infinity, as with JSON.parse; the
 * schema reports them at their JSON path as "a number too large".
 *
 * Does not model: JSON5/comments, or streaming (scenario files are small).
 */

/** A problem at `offset` in the text (0-based), described by `what`. */
export class JsonProblem extends Error {
  readonly offset: number;
  constructor(offset: number, what: string) {
    super(what);
    this.name = 'JsonProblem';
    this.offset = offset;
  }
}

/** JSON's number grammar, anchored at the parser's position. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A bare word (a misspelt literal), anchored at the parser's position, at most 20 characters shown. */
const WORD = /[A-Za-z_][A-Za-z0-9_]{0,19}/y;
/** The characters JSON allows after a backslash (plus `u` and four hex digits). */
const SIMPLE_ESCAPES = '"\\/bfnrt';

/** Parses `text` as one JSON value; throws `JsonProblem` for bad syntax, a duplicate key or nesting beyond `maxDepth`. */
export function parseStrictJson(text: string, maxDepth: number): unknown {
  return new StrictJsonParser(text, maxDepth).document();
}

/** The 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

class StrictJsonParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): unknown {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new JsonProblem(this.pos, 'the file is empty; expected a JSON object');
    const value = this.value(1);
    this.skipSpace();
    if (this.pos < this.text.length) throw new JsonProblem(this.pos, `${this.found()} after the end of the JSON value; expected nothing more`);
    return value;
  }

  private value(depth: number): unknown {
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.list(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    throw new JsonProblem(this.pos, `${this.found()}; expected a value (an object, a list, a "string", a number, true, false or null)`);
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    const obj: Record<string, unknown> = {};
    const keyLines = new Map<string, number>();
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') {
        const trailing = this.text[this.pos] === '}';
        throw new JsonProblem(this.pos, trailing ? 'a comma before "}"; JSON allows no trailing comma' : `${this.found()}; expected a "double-quoted" field name`);
      }
      const keyAt = this.pos;
      const key = this.string();
      const firstAt = keyLines.get(key);
      if (firstAt !== undefined) {
        const first = lineAndColumn(this.text, firstAt).line;
        throw new JsonProblem(keyAt, `duplicate key ${JSON.stringify(key)} (first given on line ${first}); a key may appear once in an object`);
      }
      keyLines.set(key, keyAt);
      this.skipSpace();
      this.expect(':', 'after a field name');
      this.skipSpace();
      setField(obj, key, this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}', "after a field's value (or a missing comma)", ',');
      return obj;
    }
  }

  private list(depth: number): unknown[] {
    this.enter(depth);
    const list: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return list;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') throw new JsonProblem(this.pos, 'a comma before "]"; JSON allows no trailing comma');
      list.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']', 'after a list item (or a missing comma)', ',');
      return list;
    }
  }

  /** Refuses an object or list nested deeper than `maxDepth`, before recursing into it. */
  private enter(depth: number): void {
    if (depth > this.maxDepth) throw new JsonProblem(this.pos, `values nested more than ${this.maxDepth} levels deep; expected at most ${this.maxDepth}`);
  }

  private string(): string {
    const start = this.pos;
    let escaped = false;
    for (let i = start + 1; i < this.text.length; i++) {
      const code = this.text.charCodeAt(i);
      if (code === 0x22) {
        this.pos = i + 1;
        // Decoding escapes is JSON.parse's job (exactly its semantics); validated above, so it cannot fail.
        return escaped ? (JSON.parse(this.text.slice(start, i + 1)) as string) : this.text.slice(start + 1, i);
      }
      if (code === 0x5c) {
        escaped = true;
        this.checkEscape(i);
        i += this.text[i + 1] === 'u' ? 5 : 1;
        continue;
      }
      if (code < 0x20) {
        const what = code === 0x0a ? 'a line break inside a string (is a closing quote missing?)' : `a raw control character (code ${code}) inside a string; write it escaped, e.g. \\t`;
        throw new JsonProblem(i, what);
      }
    }
    throw new JsonProblem(start, 'a string that is never closed; expected a closing "');
  }

  private checkEscape(at: number): void {
    const next = this.text[at + 1];
    if (next !== undefined && SIMPLE_ESCAPES.includes(next)) return;
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(at + 2, at + 6))) return;
    throw new JsonProblem(at, `a bad escape ${JSON.stringify(this.text.slice(at, at + 2))} in a string; expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`);
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) throw new JsonProblem(this.pos, `${this.found()}; expected a number such as 5, -2 or 0.25`);
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private expect(char: string, context: string, alternative?: string): void {
    if (this.text[this.pos] === char) {
      this.pos++;
      return;
    }
    const wanted = alternative === undefined ? `"${char}"` : `"${alternative}" or "${char}"`;
    throw new JsonProblem(this.pos, `${this.found()}; expected ${wanted} ${context}`);
  }

  /** What stands at the current position, for messages. */
  private found(): string {
    if (this.pos >= this.text.length) return 'the file ends';
    const code = this.text.codePointAt(this.pos)!;
    if (code === 0xfeff) return 'a byte-order mark';
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.text)?.[0];
    // A misspelt literal (`tru`, `None`, `undefined`) reads better whole than as its first letter.
    if (word === undefined && code === 0x22) return `unexpected '"' (the start of a string)`;
    return `unexpected ${JSON.stringify(word ?? String.fromCodePoint(code))}`;
  }

  private skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/** Sets `obj[key]` as JSON.parse does: `__proto__` becomes an own field, not the prototype. */
function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
