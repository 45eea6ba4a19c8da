/**
 * The register-chain `resource` check for lock-free designs: acknowledged
 * compare-and-sets must form one chain of versions.
 */
import { describe, expect, it } from 'vitest';
import { checkRegisterChain, type AckedWrite } from '../sim/checker/register-chain.ts';

/** An acknowledged write from `from` to from + 1, sent at callUs and acknowledged at returnUs. */
function w(client: string, from: number, callUs: number, returnUs: number): AckedWrite {
  return { client, callUs, returnUs, fromVersion: from, toVersion: from + 1, value: from + 1 };
}

describe('checkRegisterChain', () => {
  it('accepts an unbroken chain, whatever order the acknowledgements arrive in', () => {
    // c2's write (1 → 2) is acknowledged before c1's (0 → 1) reaches c1: concurrent, still one chain.
    const result = checkRegisterChain([w('c2', 1, 20, 30), w('c1', 0, 10, 40), w('c3', 2, 50, 60)]);
    expect(result.ok).toBe(true);
    expect(result.writes).toBe(3);
  });

  it('accepts gaps left by writes whose outcome the client never learned', () => {
    expect(checkRegisterChain([w('c1', 0, 0, 10), w('c2', 3, 50, 60)]).ok).toBe(true);
  });

  it('accepts an empty history', () => {
    expect(checkRegisterChain([])).toEqual({ ok: true, writes: 0 });
  });

  it('reports two acknowledged writes that produced the same version', () => {
    const result = checkRegisterChain([w('c1', 4, 0, 10), w('c2', 4, 20, 30)]);
    expect(result.ok).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.violations![0]).toMatchObject({ at: 30, nodes: ['c2', 'c1'] });
    expect(result.violations![0].detail).toMatch(/produced version 5 again after c1's write/);
  });

  it('reports a write sent after another was acknowledged but based on an older version (a rollback), even without a duplicate version', () => {
    // c1's 9 → 10 was acknowledged at 100; c2 later writes 3 → 4 (its earlier 3 → 4 by someone was never acknowledged).
    const result = checkRegisterChain([w('c1', 9, 90, 100), w('c2', 3, 200, 210)]);
    expect(result.ok).toBe(false);
    expect(result.violations![0].detail).toMatch(/based on version 3, older than version 10/);
  });

  it('treats intervals as closed: a write sent at the instant another is acknowledged is concurrent with it', () => {
    expect(checkRegisterChain([w('c1', 9, 90, 100), w('c2', 3, 100, 110)]).ok).toBe(true);
  });

  it('reports each lost update once, though both rules see it', () => {
    const result = checkRegisterChain([w('c1', 2, 0, 10), w('c2', 2, 50, 60)]);
    expect(result.ok).toBe(false);
    expect(result.violations).toHaveLength(1);
  });

  it('refuses impossible input', () => {
    expect(() => checkRegisterChain([{ ...w('c1', 2, 0, 10), toVersion: 2 }])).toThrow(/does not advance/);
    expect(() => checkRegisterChain([w('c1', 2, 10, 5)])).toThrow(/returned before it was sent/);
  });
});
