/**
 * The ledger of what each fault did (messages it dropped, events a pause
 * deferred, writes a crash lost, …), so a report can prove every fault
 * took effect. Keyed by the fault's index in the scenario.
 */

export class EffectLedger {
  private readonly byFault = new Map<number, Record<string, number>>();

  /** Adds `by` to a fault's counter. */
  count(faultIndex: number, counter: string, by = 1): void {
    let effect = this.byFault.get(faultIndex);
    if (effect === undefined) this.byFault.set(faultIndex, (effect = {}));
    effect[counter] = (effect[counter] ?? 0) + by;
  }

  /** A fault's counters (empty if it did nothing countable). */
  of(faultIndex: number): Record<string, number> {
    return { ...(this.byFault.get(faultIndex) ?? {}) };
  }
}
