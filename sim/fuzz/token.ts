/**
 * Replay tokens: a finding as one self-contained string that `replay`
 * decodes with no state — `ls1.` then the base64url of the compact JSON
 * `{"p": property, "h": traceHash, "s": scenario}`, where `scenario` is the
 * SPEC §3 object (design, knobs, seed and faults included) and `traceHash`
 * the hash the finding's run had, so `replay` can say whether it matched.
 * No compression: the same finding gives the same token on every machine.
 */
import { Buffer } from 'node:buffer';
import { InputError } from '../scenario/errors.ts';
import type { CheckName } from '../scenario/types.ts';
import type { ScenarioJson } from './arbitraries.ts';
import { isCheckName } from './property.ts';

export const TOKEN_PREFIX = 'ls1.';

export interface Replayable {
  readonly property: CheckName | null;
  readonly traceHash: string | null;
  readonly scenario: ScenarioJson;
}

export function encodeToken(r: Replayable): string {
  const body = JSON.stringify({ p: r.property, h: r.traceHash, s: r.scenario });
  return TOKEN_PREFIX + Buffer.from(body, 'utf8').toString('base64url');
}

/** Whether a `replay` argument looks like a token (not a file). */
export function looksLikeToken(text: string): boolean {
  return text.startsWith(TOKEN_PREFIX);
}

export function decodeToken(token: string): Replayable {
  const bad = (why: string): never => {
    throw new InputError(undefined, 'replay token', `${why}; expected a token printed by \`locksim fuzz\` (${TOKEN_PREFIX}…) or a scenario file`);
  };
  if (!looksLikeToken(token)) bad('does not start with ' + TOKEN_PREFIX);
  const body = token.slice(TOKEN_PREFIX.length).trim();
  if (!/^[A-Za-z0-9_-]+$/.test(body)) bad('is not base64url after the prefix (cut or wrapped?)');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return bad('does not decode to JSON (cut short?)');
  }
  if (typeof raw !== 'object' || raw === null) return bad('does not hold an object');
  const { p, h, s } = raw as { p?: unknown; h?: unknown; s?: unknown };
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return bad('holds no scenario');
  const property = typeof p === 'string' && isCheckName(p) ? p : null;
  return { property, traceHash: typeof h === 'string' ? h : null, scenario: s as ScenarioJson };
}
