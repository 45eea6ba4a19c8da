/**
 * Turns servers' per-instance `granted` / `deleted` / `expired` reports into
 * the service-level grants and lease expiries the `lease-lock` history needs.
 *
 * A lease (one acquire call's lock value) is held by the service while at
 * least `quorum` servers hold it (1 for a single primary or a replicated
 * service; ⌊N/2⌋+1 for Redlock). Each time the service comes to hold it is
 * one grant, named `<lease>#<n>` (a client that retries with the same value
 * after its first grant expired gets a second grant of the same lease). The
 * service "expired" a grant when an expiry — not a deletion on request —
 * takes it below the quorum, and reports that once. With a quorum of 1 the
 * servers are one replicated service: a deletion or expiry reported by any
 * of them (a promoted replica expiring a key the old primary granted) ends
 * the lease. Reports without a lease
 * id are one grant per owner and fencing token (`<owner> <token>`, counted
 * once however many leaders report it) and one expiry each, pinned to that
 * grant when there was one (a new leader may report the expiry of a grant
 * its predecessor made).
 *
 * Each expiry carries its grant's identity, when it was granted, its token,
 * and when the service next granted to the same owner: enough for the
 * service history (service-history.ts) to tell which acquire, if any,
 * returned the grant that ended.
 */
import type { Micros } from '../../algorithms/api/index.ts';

/** A lease the service found run out, as the service history records it. */
export interface ExpiryRecord {
  readonly atUs: number;
  readonly owner: string;
  /** The fencing token of the grant that ended, when the design reports it. */
  readonly token?: number;
  /** When the service made the grant that ended, when known (from `lease` ids, or the owner's grant with that token). */
  readonly grantedAtUs?: number;
  /** The grant that ended: `<lease>#<n>` or `<owner> <token>`; one expiry per grant. */
  readonly grant?: string;
  /**
   * When the service next granted to the same owner after this grant (filled
   * in when that happens; absent if it never did): an acquire call that saw
   * a later grant to its client returned that one, not this.
   */
  nextGrantUs?: number;
}

interface LeaseState {
  readonly owner: string;
  readonly holders: Set<string>;
  heldSinceUs: Micros | null;
  /** The grant now held (`<lease>#<n>`), null while below the quorum. */
  grant: string | null;
  /** The token of the report that completed the quorum. */
  token: number | undefined;
}

export class LeaseTracker {
  private readonly leases = new Map<string, LeaseState>();
  /** How many grants each lease id has had (outlives the lease's state). */
  private readonly leaseGrants = new Map<string, number>();
  /** True time of each grant by `owner token`, for expiries that carry a token but no lease id. */
  private readonly grantTimes = new Map<string, Micros>();
  /** Each owner's grant times, in order. */
  private readonly ownerGrants = new Map<string, Micros[]>();
  /** Expiries still waiting for their owner's next grant. */
  private readonly awaitingNext = new Map<string, ExpiryRecord[]>();
  readonly expiries: ExpiryRecord[] = [];

  constructor(private readonly quorum: number) {}

  granted(server: string, owner: string, lease: string | undefined, token: number | undefined, atUs: Micros): void {
    const tokenKey = token === undefined ? undefined : `${owner} ${token}`;
    const firstReport = tokenKey !== undefined && !this.grantTimes.has(tokenKey);
    if (firstReport) this.grantTimes.set(tokenKey, atUs);
    if (lease === undefined) {
      if (firstReport) this.newGrant(owner, atUs);
      return;
    }
    let state = this.leases.get(lease);
    if (state === undefined) this.leases.set(lease, (state = { owner, holders: new Set(), heldSinceUs: null, grant: null, token: undefined }));
    state.holders.add(server);
    if (state.heldSinceUs === null && state.holders.size >= this.quorum) {
      const n = (this.leaseGrants.get(lease) ?? 0) + 1;
      this.leaseGrants.set(lease, n);
      state.heldSinceUs = atUs;
      state.grant = `${lease}#${n}`;
      state.token = token;
      this.newGrant(owner, atUs);
    }
  }

  deleted(server: string, lease: string | undefined): void {
    if (lease === undefined) return;
    const state = this.leases.get(lease);
    if (state === undefined) return;
    this.drop(state, server);
    if (state.holders.size < this.quorum) {
      state.heldSinceUs = null;
      state.grant = null;
    }
    if (state.holders.size === 0) this.leases.delete(lease);
  }

  expired(server: string, owner: string, lease: string | undefined, token: number | undefined, atUs: Micros): void {
    if (lease === undefined) {
      if (token === undefined) {
        this.expiries.push({ atUs, owner });
        return;
      }
      const grantedAtUs = this.grantTimes.get(`${owner} ${token}`);
      if (grantedAtUs === undefined) this.expiries.push({ atUs, owner, token });
      else this.push({ atUs, owner, token, grantedAtUs, grant: `${owner} ${token}` });
      return;
    }
    const state = this.leases.get(lease);
    if (state === undefined) return;
    this.drop(state, server);
    if (state.heldSinceUs !== null && state.grant !== null && state.holders.size < this.quorum) {
      const base = { atUs, owner: state.owner, grantedAtUs: state.heldSinceUs, grant: state.grant };
      this.push(state.token === undefined ? base : { ...base, token: state.token });
      state.heldSinceUs = null;
      state.grant = null;
    }
    if (state.holders.size === 0) this.leases.delete(lease);
  }

  /** `server` no longer holds the lease; with a quorum of 1 (one replicated service) nobody does. */
  private drop(state: LeaseState, server: string): void {
    if (this.quorum === 1) state.holders.clear();
    else state.holders.delete(server);
  }

  /** Records an expiry of a known grant, with the owner's next grant if it already came. */
  private push(record: ExpiryRecord & { readonly grantedAtUs: Micros }): void {
    this.expiries.push(record);
    const next = (this.ownerGrants.get(record.owner) ?? []).find((t) => t > record.grantedAtUs);
    if (next !== undefined) {
      record.nextGrantUs = next;
      return;
    }
    let waiting = this.awaitingNext.get(record.owner);
    if (waiting === undefined) this.awaitingNext.set(record.owner, (waiting = []));
    waiting.push(record);
  }

  /** The service granted to `owner` at `atUs`: the next grant of every earlier one still waiting for it. */
  private newGrant(owner: string, atUs: Micros): void {
    let times = this.ownerGrants.get(owner);
    if (times === undefined) this.ownerGrants.set(owner, (times = []));
    times.push(atUs);
    const waiting = this.awaitingNext.get(owner);
    if (waiting === undefined) return;
    const still: ExpiryRecord[] = [];
    for (const record of waiting) {
      if (record.grantedAtUs! < atUs) record.nextGrantUs = atUs;
      else still.push(record);
    }
    if (still.length === 0) this.awaitingNext.delete(owner);
    else this.awaitingNext.set(owner, still);
  }
}
