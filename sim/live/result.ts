/**
 * A live run's result: SPEC §4's `DesignResult` with `"mode": "live"`, the
 * fault reports as live mode fills them (an `effect` may say in words why a
 * fault could not be injected), what ran (servers, time scale, how each
 * knob maps onto the real configuration), and `agreement`: per check,
 * whether the live verdict agrees with the simulated one (SPEC §9).
 * `traceHash` is "" (a live run has no trace and is not deterministic).
 */
import type { CheckName } from '../scenario/types.ts';
import type { CheckResult, DesignResult, ExpectOutcome, Metrics } from '../harness/result.ts';

/** What one fault did live; `effect` counts, or says why it could not be injected (`unsupported`). */
export interface LiveFaultReport {
  readonly index: number;
  readonly kind: string;
  readonly firedAt: number | null;
  readonly targets: readonly string[];
  readonly resolved?: Readonly<Record<string, readonly string[]>>;
  readonly sides?: ReadonlyArray<readonly string[]>;
  readonly skipped?: string;
  readonly effect: Readonly<Record<string, number | string>>;
  readonly endedAt: number | null;
}

/** How one knob maps onto the real deployment. */
export interface KnobMapping {
  readonly knob: string;
  /** The value the scenario gave (after scaling), for reading. */
  readonly value: unknown;
  /** Where it went (`redis.conf appendfsync always`, `SET … PX 1000`), or null when nothing real corresponds. */
  readonly real: string | null;
  /** Why there is no counterpart, or a caveat. */
  readonly note?: string;
}

/** A server process that ran. */
export interface LiveServerInfo {
  readonly name: string;
  readonly program: string;
  readonly port: number;
  readonly dir: string;
}

/** One check: live against simulated. `agree` is null when either verdict is null or unknown. */
export interface CheckAgreement {
  readonly live: boolean | null | 'unknown';
  readonly simulated: boolean | null | 'unknown';
  readonly agree: boolean | null;
}

export interface LiveDesignResult {
  readonly design: string;
  readonly mode: 'live';
  readonly traceHash: '';
  /** Events recorded (client events, service events, store accesses). */
  readonly events: number;
  readonly safe: boolean | null;
  readonly checks: Readonly<Partial<Record<CheckName, CheckResult>>>;
  readonly metrics: Metrics;
  readonly expect: ExpectOutcome;
  readonly faults: readonly LiveFaultReport[];
  /** True time the run covered (µs, at the time scale it ran). */
  readonly simulatedUs: number;
  /** Why the run's verdicts are null (a fault or setting live mode cannot reproduce), when they are. */
  readonly unsupported?: string;
  readonly live: {
    readonly timeScale: number;
    readonly servers: readonly LiveServerInfo[];
    readonly knobs: readonly KnobMapping[];
    /** Wall time the run took, setup and teardown included (ms). */
    readonly wallMs: number;
  };
  /** Per check, live against the simulated run of the same (unscaled) scenario; absent when no simulated result was given. */
  readonly agreement?: Readonly<Partial<Record<CheckName, CheckAgreement>>> & { readonly all: boolean | null };
}

const verdict = (c: CheckResult | undefined): boolean | null | 'unknown' => c?.ok ?? null;

/** Compares every check both results judged. `all`: every comparable check agrees (null when none is comparable). */
export function agreement(live: LiveDesignResult['checks'], simulated: DesignResult): NonNullable<LiveDesignResult['agreement']> {
  const out: Partial<Record<CheckName, CheckAgreement>> = {};
  const names = new Set([...Object.keys(live), ...Object.keys(simulated.checks)]) as Set<CheckName>;
  let comparable = 0;
  let agreed = 0;
  for (const name of names) {
    const l = verdict(live[name]);
    const s = verdict((simulated.checks as Partial<Record<CheckName, CheckResult>>)[name]);
    const agree = l === null || s === null || l === 'unknown' || s === 'unknown' ? null : l === s;
    if (agree !== null) {
      comparable++;
      if (agree) agreed++;
    }
    out[name] = { live: l, simulated: s, agree };
  }
  return { ...out, all: comparable === 0 ? null : agreed === comparable };
}
