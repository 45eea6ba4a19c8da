/**
 * History parsers: jsonl (SPEC §5), Porcupine's Jepsen etcd logs and EDN kv
 * logs, format guessing, and errors that name the file, the line and what
 * was expected.
 */
import { describe, expect, it } from 'vitest';
import { HistoryError } from '../sim/checker/errors.ts';
import { UNKNOWN, guessFormat, lineOf, parseHistory, toFormat } from '../sim/checker/linearizability/index.ts';

function errorOf(fn: () => unknown): HistoryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HistoryError) return error;
    throw error;
  }
  throw new Error('expected an HistoryError');
}

describe('jsonl', () => {
  it('reads operations in any order, with optional key, null returns and the unknown marker', () => {
    const text = [
      '{"process": 2, "call": 30, "return": null, "f": "write", "input": 3, "output": null}',
      '',
      '{"process": 1, "call": 0, "return": 10, "f": "cas", "key": "x", "input": [1, 2], "output": true}',
      '{"process": 1, "call": 10, "return": 20, "f": "read", "output": {"unknown": true}}',
    ].join('\n');
    const ops = parseHistory(text, 'jsonl', 'h.jsonl');
    expect(ops).toEqual([
      { process: 2, call: 30, return: null, f: 'write', input: 3, output: UNKNOWN },
      { process: 1, call: 0, return: 10, f: 'cas', key: 'x', input: [1, 2], output: true },
      { process: 1, call: 10, return: 20, f: 'read', input: null, output: UNKNOWN },
    ]);
    expect(ops.map(lineOf)).toEqual([1, 3, 4]);
  });

  it('skips a UTF-8 byte-order mark, refuses deep nesting, and prints bad values bounded', () => {
    expect(parseHistory('\uFEFF{"process": 1, "call": 0, "return": 5, "f": "read", "output": 1}\n', 'jsonl', 'h.jsonl')).toHaveLength(1);
    const deep = `{"process": 1, "call": 0, "return": 5, "f": "read", "output": ${'['.repeat(40)}${']'.repeat(40)}}`;
    expect(errorOf(() => parseHistory(deep, 'jsonl', 'h.jsonl')).message).toMatch(/^h\.jsonl: line 1: values nested more than 32 levels deep/);
    const long = JSON.stringify({ process: 'p'.repeat(100_000), call: 0, return: 1, f: 'read' });
    expect(errorOf(() => parseHistory(long, 'jsonl', 'h.jsonl')).message).toMatch(/^h\.jsonl: line 1: "process" must be an integer, got "p{56}\.\.\.$/);
    expect(errorOf(() => parseHistory('{"process": 1e400, "call": 0, "return": 1, "f": "read"}', 'jsonl', 'h.jsonl')).message).toMatch(/got a number too large/);
  });

  it('names the file and line of a bad line and says what was expected', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"process": 1, "call": 0, "return": 5, "f": "read"', /^h\.jsonl: line 2: not valid JSON .*expected one operation object a line/],
      ['[1, 2]', /^h\.jsonl: line 2: expected an operation object like/],
      ['{"process": "a", "call": 0, "return": 5, "f": "read"}', /^h\.jsonl: line 2: "process" must be an integer, got "a"/],
      ['{"process": 1, "call": 1.5, "return": 5, "f": "read"}', /^h\.jsonl: line 2: "call" must be an integer time, got 1.5/],
      ['{"process": 1, "call": 0, "f": "read"}', /^h\.jsonl: line 2: "return" is missing/],
      ['{"process": 1, "call": 9, "return": 5, "f": "read"}', /^h\.jsonl: line 2: "return" must be an integer time ≥ call \(9\) or null, got 5/],
      ['{"process": 1, "call": 0, "return": 5, "f": ""}', /^h\.jsonl: line 2: "f" must be a non-empty string/],
      ['{"process": 1, "call": 0, "return": 5, "f": "get", "key": 7}', /^h\.jsonl: line 2: "key" must be a string when present, got 7/],
    ];
    for (const [line, message] of cases) {
      const error = errorOf(() => parseHistory(`{"process": 9, "call": 0, "return": 1, "f": "read"}\n${line}`, 'jsonl', 'h.jsonl'));
      expect(error.file).toBe('h.jsonl');
      expect(error.where).toBe('line 2');
      expect(error.message).toMatch(message);
    }
  });

  it('rejects a process running two operations at once, naming both lines', () => {
    const text = ['{"process": 1, "call": 0, "return": 10, "f": "read"}', '{"process": 2, "call": 1, "return": 2, "f": "read"}', '{"process": 1, "call": 5, "return": 12, "f": "read"}'].join('\n');
    const error = errorOf(() => parseHistory(text, 'jsonl', 'h.jsonl'));
    expect(error.message).toBe(
      'h.jsonl: line 3: process 1 runs one operation at a time, but this operation (call 5) starts before its operation on line 1 returned (return 10)',
    );
  });

  it('lets a process go on after an operation that never returned, and chain ops at equal times', () => {
    const text = [
      '{"process": 1, "call": 0, "return": null, "f": "read"}',
      '{"process": 1, "call": 0, "return": 10, "f": "read"}',
      '{"process": 1, "call": 10, "return": 10, "f": "read"}',
      '{"process": 1, "call": 10, "return": 20, "f": "read"}',
    ].join('\n');
    expect(parseHistory(text, 'jsonl', 'h.jsonl')).toHaveLength(4);
  });
});

describe('porcupine-etcd', () => {
  const LOG = [
    'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 1\t:invoke\t:cas\t[3 0]',
    'INFO  jepsen.util - 2\t:invoke\t:write\t4',
    'INFO  jepsen.util - 0\t:ok\t:read\tnil',
    'INFO  jepsen.util - 1\t:fail\t:cas\t[3 0]',
    'INFO  jepsen.util - 2\t:info\t:write\t:timed-out',
    'INFO  jepsen.util - 3   :invoke :read   nil',
    'INFO  jepsen.util - 3   :fail   :read   :timed-out',
    'INFO  jepsen.util - 7\t:invoke\t:cas\t[1 2]',
  ].join('\n');

  it('pairs invocations with completions; times are line numbers; :info and end of file leave ops open', () => {
    const ops = parseHistory(LOG, 'porcupine-etcd', 'etcd.log');
    expect(ops).toEqual([
      { process: 0, call: 1, return: 4, f: 'read', input: null, output: null },
      { process: 1, call: 2, return: 5, f: 'cas', input: [3, 0], output: false },
      { process: 2, call: 3, return: null, f: 'write', input: 4, output: UNKNOWN },
      { process: 3, call: 7, return: 8, f: 'read', input: null, output: UNKNOWN },
      { process: 7, call: 9, return: null, f: 'cas', input: [1, 2], output: UNKNOWN },
    ]);
  });

  it('names the line of a malformed or unmatched event', () => {
    expect(() => parseHistory('INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - zero :ok :read nil', 'porcupine-etcd', 'e.log')).toThrow(
      /^e\.log: line 2: expected a Jepsen history line like/,
    );
    expect(() => parseHistory('INFO  jepsen.util - 4\t:ok\t:read\t1', 'porcupine-etcd', 'e.log')).toThrow(/^e\.log: line 1: :ok for process 4, which has no open :invoke/);
    expect(() => parseHistory('INFO  jepsen.util - 4\t:invoke\t:cas\t[1 x]', 'porcupine-etcd', 'e.log')).toThrow(/^e\.log: line 1: expected a value nil, an integer, \[from to\]/);
    expect(() => parseHistory('INFO  jepsen.util - 4\t:invoke\t:read\tnil\nINFO  jepsen.util - 4\t:invoke\t:read\tnil', 'porcupine-etcd', 'e.log')).toThrow(
      /^e\.log: line 2: process 4 invokes again while its operation from line 1 is still open/,
    );
  });
});

describe('porcupine-kv', () => {
  it('reads EDN maps; a get of nil reads as the empty string', () => {
    const text = [
      '{:process 0, :type :invoke, :f :append, :key "1", :value "x 0 0 y"}',
      '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
      '{:process 0, :type :ok, :f :append, :key "1", :value "x 0 0 y"}',
      '{:process 1, :type :ok, :f :get, :key "1", :value ""}',
    ].join('\n');
    expect(parseHistory(text, 'porcupine-kv', 'kv.txt')).toEqual([
      { process: 0, call: 1, return: 3, f: 'append', key: '1', input: 'x 0 0 y', output: null },
      { process: 1, call: 2, return: 4, f: 'get', key: '1', input: null, output: '' },
    ]);
  });

  it('names the line of a line that is not the expected EDN map', () => {
    expect(() => parseHistory('{:process 0, :type :invoke, :f :get, :key 1, :value nil}', 'porcupine-kv', 'kv.txt')).toThrow(/^kv\.txt: line 1: expected an EDN map like/);
    expect(() => parseHistory('{:process 0, :type :invoke, :f :put, :key "1", :value nil}', 'porcupine-kv', 'kv.txt')).toThrow(/^kv\.txt: line 1: :invoke :put needs a string :value/);
  });
});

describe('formats', () => {
  it('guesses the format from the file name and first line', () => {
    expect(guessFormat('etcd_001.log', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\n')).toBe('porcupine-etcd');
    expect(guessFormat('c01-ok.txt', '\n{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n')).toBe('porcupine-kv');
    expect(guessFormat('h.jsonl', '{"process": 1}\n')).toBe('jsonl');
    expect(guessFormat('other.log', '{"process": 1}\n')).toBe('jsonl');
  });

  it('rejects an unknown --format naming the flag', () => {
    const error = errorOf(() => toFormat('csv'));
    expect(error.where).toBe('--format');
    expect(error.message).toMatch(/unknown format "csv"; expected one of jsonl, porcupine-etcd, porcupine-kv/);
  });
});
