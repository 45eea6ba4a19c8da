/**
 * Turns servers' per-instance `granted` / `deleted` / `expired` reports into
 * the service-level lease expiries the `lease-lock` history needs.
 *
 * A lease (one acquire's lock value) is held by the service while at least
 * `quorum` servers hold it (1 for a single primary or a replicated service;
 * ⌊N/2⌋+1 for Redlock). The service "expired" it when an expiry — not a
 * deletion on request — takes it below the quorum, and reports that once.
 * Reports without a lease id are taken at face value (one expiry each),
 * pinned to the grant with the same owner and fencing token when there was
 * one (a new leader may report the expiry of a grant its predecessor made).
 */
import type { Micros } from '../../algorithms/api/index.ts';

/** A lease the service found run out, as the service history records it. */
export interface ExpiryRecord {
  readonly atUs: number;
  readonly owner: string;
  /** The fencing token of the grant that ended, when the design reports it (`expired` event `token`). */
  readonly token?: number;
  /** When the service came to hold the expired lease, when known from `lease` ids. */
  readonly grantedAtUs?: number;
}

interface LeaseState {
  readonly owner: string;
  readonly holders: Set<string>;
  heldSinceUs: Micros | null;
}

export class LeaseTracker {
  private readonly leases = new Map<string, LeaseState>();
  /** True time of each grant by `owner token`, for expiries that carry a token but no lease id. */
  private readonly grantTimes = new Map<string, Micros>();
  readonly expiries: ExpiryRecord[] = [];

  constructor(private readonly quorum: number) {}

  granted(server: string, owner: string, lease: string | undefined, token: number | undefined, atUs: Micros): void {
    if (token !== undefined && !this.grantTimes.has(`${owner} ${token}`)) this.grantTimes.set(`${owner} ${token}`, atUs);
    if (lease === undefined) return;
    let state = this.leases.get(lease);
    if (state === undefined) this.leases.set(lease, (state = { owner, holders: new Set(), heldSinceUs: null }));
    state.holders.add(server);
    if (state.heldSinceUs === null && state.holders.size >= this.quorum) state.heldSinceUs = atUs;
  }

  deleted(server: string, lease: string | undefined): void {
    if (lease === undefined) return;
    const state = this.leases.get(lease);
    if (state === undefined) return;
    state.holders.delete(server);
    if (state.holders.size < this.quorum) state.heldSinceUs = null;
    if (state.holders.size === 0) this.leases.delete(lease);
  }

  expired(server: string, owner: string, lease: string | undefined, token: number | undefined, atUs: Micros): void {
    if (lease === undefined) {
      const grantedAtUs = token === undefined ? undefined : this.grantTimes.get(`${owner} ${token}`);
      if (token === undefined) this.expiries.push({ atUs, owner });
      else if (grantedAtUs === undefined) this.expiries.push({ atUs, owner, token });
      else this.expiries.push({ atUs, owner, token, grantedAtUs });
      return;
    }
    const state = this.leases.get(lease);
    if (state === undefined) return;
    state.holders.delete(server);
    if (state.heldSinceUs !== null && state.holders.size < this.quorum) {
      this.expiries.push({ atUs, owner: state.owner, grantedAtUs: state.heldSinceUs });
      state.heldSinceUs = null;
    }
    if (state.holders.size === 0) this.leases.delete(lease);
  }
}
