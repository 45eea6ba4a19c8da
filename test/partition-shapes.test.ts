/**
 * Every partition shape cuts exactly the links SPEC §3 and sim/faults/partition.ts say,
 * and the store stays outside unless named.
 */
import { describe, expect, it } from 'vitest';
import { partitionLinks, type Link, type PartitionSpec, type PartitionUniverse } from '../sim/faults/partition.ts';

const servers = ['s1', 's2', 's3', 's4', 's5'];
const clients = ['c1', 'c2'];
const universe: PartitionUniverse = {
  servers,
  clients,
  resolve: (t) => (t === 'servers' ? servers : t === 'clients' ? clients : t === 'leader' ? ['s2'] : t === 'holder' ? ['c1'] : [t]),
};
const spec = (over: Partial<PartitionSpec>): PartitionSpec => ({ shape: undefined, target: undefined, groups: undefined, cut: undefined, oneWay: false, ...over });

/** Who can send to whom after the cut, as sorted "a>b" strings among the given nodes. */
function reachable(links: Link[], nodes: string[]): Set<string> {
  const cut = new Set(links.map(([a, b]) => `${a}>${b}`));
  const out = new Set<string>();
  for (const a of nodes) for (const b of nodes) if (a !== b && !cut.has(`${a}>${b}`)) out.add(`${a}>${b}`);
  return out;
}

const canTalk = (links: Link[], a: string, b: string): boolean => !links.some(([x, y]) => x === a && y === b);

describe('partition shapes', () => {
  it('isolate: the target cannot talk to anyone, both ways; the store is untouched', () => {
    const links = partitionLinks(spec({ shape: 'isolate', target: 'leader' }), universe);
    expect(links).toHaveLength(2 * 6);
    expect(links.every(([a, b]) => a === 's2' || b === 's2')).toBe(true);
    expect(links.some(([a, b]) => a === 'store' || b === 'store')).toBe(false);
  });

  it('halves: first half of servers and clients against the rest', () => {
    const links = partitionLinks(spec({ shape: 'halves' }), universe);
    const a = ['s1', 's2', 's3', 'c1'];
    const b = ['s4', 's5', 'c2'];
    expect(links).toHaveLength(2 * a.length * b.length);
    expect(canTalk(links, 's1', 'c1')).toBe(true);
    expect(canTalk(links, 's1', 's4')).toBe(false);
    expect(canTalk(links, 'c2', 's5')).toBe(true);
  });

  it('majority-minority: the target server is in the minority of ⌊n/2⌋, clients stay with the majority', () => {
    const links = partitionLinks(spec({ shape: 'majority-minority', target: 'leader' }), universe);
    // minority = s2 + s1; majority = s3, s4, s5 with c1, c2
    expect(canTalk(links, 's2', 's1')).toBe(true);
    expect(canTalk(links, 's2', 's3')).toBe(false);
    expect(canTalk(links, 'c1', 's2')).toBe(false);
    expect(canTalk(links, 'c1', 's5')).toBe(true);
    expect(links).toHaveLength(2 * 2 * 5);
  });

  it('bridge: two halves that cannot talk, one bridge server that talks to both', () => {
    const links = partitionLinks(spec({ shape: 'bridge', target: 's3' }), universe);
    expect(canTalk(links, 's3', 's1')).toBe(true);
    expect(canTalk(links, 's3', 's5')).toBe(true);
    expect(canTalk(links, 's1', 's4')).toBe(false);
    expect(canTalk(links, 's2', 's5')).toBe(false);
    expect(canTalk(links, 'c1', 's4')).toBe(true);
  });

  it('ring: every server reaches a majority (itself and its neighbours), no two the same majority', () => {
    const links = partitionLinks(spec({ shape: 'ring' }), universe);
    const talk = reachable(links, servers);
    const majorities = servers.map((s) => [s, ...servers.filter((o) => talk.has(`${s}>${o}`))].sort().join(','));
    for (const m of majorities) expect(m.split(',')).toHaveLength(3);
    expect(new Set(majorities).size).toBe(5);
    expect(canTalk(links, 's1', 's2')).toBe(true);
    expect(canTalk(links, 's1', 's5')).toBe(true);
    expect(canTalk(links, 's1', 's3')).toBe(false);
  });

  it('one-way: nobody reaches the target, the target still reaches everyone', () => {
    const links = partitionLinks(spec({ shape: 'one-way', target: 's1' }), universe);
    expect(links).toHaveLength(6);
    expect(canTalk(links, 's2', 's1')).toBe(false);
    expect(canTalk(links, 's1', 's2')).toBe(true);
  });

  it('groups with others, and cut with group names and oneWay; the store only when named', () => {
    const grouped = partitionLinks(spec({ groups: [['holder', 'leader'], ['others']] }), universe);
    expect(canTalk(grouped, 'c1', 's2')).toBe(true);
    expect(canTalk(grouped, 'c1', 's1')).toBe(false);
    expect(grouped).toHaveLength(2 * 2 * 5);
    const cut = partitionLinks(spec({ cut: [['c1', 'servers'], ['c2', 'store']], oneWay: true }), universe);
    expect(cut).toHaveLength(6);
    expect(canTalk(cut, 'c1', 's3')).toBe(false);
    expect(canTalk(cut, 's3', 'c1')).toBe(true);
    expect(canTalk(cut, 'c2', 'store')).toBe(false);
  });
});
