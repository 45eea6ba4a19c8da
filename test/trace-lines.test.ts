/**
 * The text trace says what happened, not just that something did: timers
 * carry the design's name for them, clients' beliefs start and stop with a
 * line each, and faults say whom they hit. None of it changes the traceHash
 * (the golden test proves that); here we check the lines are there.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, runScenario } from './support/designs.ts';

function traceOf(name: string, design: string): string[] {
  const lines: string[] = [];
  runScenario(loadScenarioFile(name), { designs: [design], trace: (line) => void lines.push(line) });
  return lines;
}

describe('trace lines', () => {
  it('timers are named by the design that set them', () => {
    const lines = traceOf('no-faults', 'raft-lock');
    expect(lines.some((l) => / s\d timer heartbeat$/.test(l))).toBe(true);
    expect(lines.some((l) => / c\d timer (think|hold|keep-alive)$/.test(l))).toBe(true);
    expect(lines.filter((l) => / timer$/.test(l))).toEqual([]);
  });

  it('a paused holder: the fault names its target, the belief lines bracket the hold', () => {
    const lines = traceOf('gc-pause', 'redis');
    expect(lines.some((l) => /fault\[0\] pause/.test(l))).toBe(true);
    const holds = lines.findIndex((l) => / c1 # holds the lock \(token \d+\)$/.test(l));
    expect(holds).toBeGreaterThanOrEqual(0);
    expect(lines.slice(holds).some((l) => / c1 # stops holding: /.test(l))).toBe(true);
  });
});
