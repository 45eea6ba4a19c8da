/**
 * Parsers for Porcupine's test data (see shared/data/porcupine/FORMAT.md):
 * Jepsen etcd console logs (`porcupine-etcd`) and EDN key-value logs
 * (`porcupine-kv`).
 *
 * Models: one event a line; an invocation is matched with the next
 * completion of the same process; times are the 1-based line numbers.
 * `:ok` completes; `:fail :cas` completes with output false; `:fail :read`
 * completes with an UNKNOWN output; another `:fail` means the operation did
 * not happen and drops it; `:info` leaves the operation open for ever
 * (`return: null`), as does reaching the end of the file. Does not model:
 * general EDN, or Jepsen histories with other operations.
 */

import { HistoryError } from '../errors.ts';
import type { Operation } from './history.ts';
import { UNKNOWN } from './history.ts';
import { setLineOf } from './lines.ts';

type EventType = 'invoke' | 'ok' | 'fail' | 'info';

interface Event {
  process: number;
  type: EventType;
  f: string;
  value: unknown;
  key?: string;
}

/** Pairs invocations with completions; `complete` decides the output (or drop). */
function pairEvents(
  lines: string[],
  file: string,
  parse: (line: string, where: string) => Event,
  complete: (open: Operation, ev: Event, where: string) => 'drop' | void,
): Operation[] {
  const ops: Operation[] = [];
  const dropped = new Set<Operation>();
  const open = new Map<number, { op: Operation; line: number }>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const lineNo = i + 1;
    const where = `line ${lineNo}`;
    const ev = parse(raw, where);
    const current = open.get(ev.process);
    if (ev.type === 'invoke') {
      if (current !== undefined) {
        throw new HistoryError(file, where, `process ${ev.process} invokes again while its operation from line ${current.line} is still open (expected :ok, :fail or :info first)`);
      }
      const op: Operation = { process: ev.process, call: lineNo, return: null, f: ev.f, input: ev.value, output: UNKNOWN };
      if (ev.key !== undefined) op.key = ev.key;
      setLineOf(op, lineNo);
      ops.push(op);
      open.set(ev.process, { op, line: lineNo });
      continue;
    }
    if (current === undefined) throw new HistoryError(file, where, `:${ev.type} for process ${ev.process}, which has no open :invoke`);
    if (current.op.f !== ev.f || (ev.key !== undefined && current.op.key !== ev.key)) {
      throw new HistoryError(file, where, `:${ev.type} :${ev.f} does not match process ${ev.process}'s open :${current.op.f} from line ${current.line}`);
    }
    open.delete(ev.process);
    if (ev.type === 'info') continue; // stays open for ever: may or may not have taken effect
    current.op.return = lineNo;
    if (complete(current.op, ev, where) === 'drop') dropped.add(current.op);
  }
  return dropped.size === 0 ? ops : ops.filter((op) => !dropped.has(op));
}

const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(\w+)\s+:(\w+)\s+(.*)$/;
const ETCD_EXAMPLE = '"INFO  jepsen.util - 2\\t:invoke\\t:cas\\t[3 0]"';

function etcdValue(text: string, file: string, where: string): unknown {
  const t = text.trim();
  if (t === 'nil') return null;
  if (t === ':timed-out') return UNKNOWN;
  if (/^-?\d+$/.test(t)) return Number(t);
  const pair = /^\[\s*(-?\d+|nil)\s+(-?\d+|nil)\s*\]$/.exec(t);
  if (pair !== null) return [pair[1] === 'nil' ? null : Number(pair[1]), pair[2] === 'nil' ? null : Number(pair[2])];
  throw new HistoryError(file, where, `expected a value nil, an integer, [from to] or :timed-out, got ${JSON.stringify(t)}`);
}

/** Parses a Jepsen etcd log (single CAS register) as Porcupine's tests read it. */
export function parsePorcupineEtcd(text: string, file: string): Operation[] {
  const parse = (line: string, where: string): Event => {
    const m = ETCD_LINE.exec(line);
    if (m === null) throw new HistoryError(file, where, `expected a Jepsen history line like ${ETCD_EXAMPLE}, got ${JSON.stringify(line.slice(0, 80))}`);
    const type = m[2];
    if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') {
      throw new HistoryError(file, where, `event type must be :invoke, :ok, :fail or :info, got :${type}`);
    }
    const f = m[3];
    if (f !== 'read' && f !== 'write' && f !== 'cas') throw new HistoryError(file, where, `operation must be :read, :write or :cas, got :${f}`);
    const value = etcdValue(m[4], file, where);
    if (type === 'invoke') {
      if (f === 'cas' && !Array.isArray(value)) throw new HistoryError(file, where, `:invoke :cas needs [from to], got ${JSON.stringify(m[4].trim())}`);
      if (f === 'write' && typeof value !== 'number' && value !== null) throw new HistoryError(file, where, `:invoke :write needs a value, got ${JSON.stringify(m[4].trim())}`);
    }
    if (type === 'ok' && f === 'read' && value === UNKNOWN) throw new HistoryError(file, where, `:ok :read needs the value read (nil or an integer), got :timed-out`);
    return { process: Number(m[1]), type, f, value: f === 'read' && type === 'invoke' ? null : value };
  };
  return pairEvents(text.split(/\r?\n/), file, parse, (op, ev) => {
    if (ev.type === 'ok') {
      op.output = op.f === 'read' ? ev.value : op.f === 'cas' ? true : null;
      return;
    }
    // :fail
    if (op.f === 'cas') op.output = false;
    else if (op.f === 'read') op.output = UNKNOWN;
    else return 'drop';
  });
}

const KV_LINE = /^\{:process (\d+), :type :(\w+), :f :(\w+), :key "([^"]*)", :value (nil|"([^"]*)")\}$/;
const KV_EXAMPLE = '{:process 5, :type :ok, :f :get, :key "1", :value ""}';

/** Parses a Porcupine key-value log (EDN maps, one a line). */
export function parsePorcupineKv(text: string, file: string): Operation[] {
  const parse = (line: string, where: string): Event => {
    const m = KV_LINE.exec(line);
    if (m === null) throw new HistoryError(file, where, `expected an EDN map like ${KV_EXAMPLE}, got ${JSON.stringify(line.slice(0, 80))}`);
    const type = m[2];
    if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') {
      throw new HistoryError(file, where, `:type must be :invoke, :ok, :fail or :info, got :${type}`);
    }
    const f = m[3];
    if (f !== 'get' && f !== 'put' && f !== 'append') throw new HistoryError(file, where, `:f must be :get, :put or :append, got :${f}`);
    const value = m[5] === 'nil' ? null : m[6];
    if (type === 'invoke' && f !== 'get' && value === null) throw new HistoryError(file, where, `:invoke :${f} needs a string :value, got nil`);
    return { process: Number(m[1]), type, f, key: m[4], value: type === 'invoke' && f === 'get' ? null : value };
  };
  return pairEvents(text.split(/\r?\n/), file, parse, (op, ev) => {
    if (ev.type === 'fail') return 'drop';
    op.output = op.f === 'get' ? (ev.value ?? '') : null;
  });
}
