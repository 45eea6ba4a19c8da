/**
 * The designs' API: the one interface designs are written against. It
 * imports nothing else in the repository; designs import only this folder,
 * `algorithms/raft/`, `algorithms/shared/` and their own folder (the lint
 * enforces it). The simulator implements it in sim/core; a live back end can
 * implement it against real servers.
 */
export type { Disk, EventContext, Message, NodeApi, NodeEvent, NodeEventKind, NodeHandlers, TimerId } from './node.ts';
export type {
  Grant,
  LockClient,
  LostListener,
  SectionCall,
  SectionClient,
  SectionOpRecord,
  SectionOutcome,
  SectionReturn,
  SectionTracker,
} from './client.ts';
export type { Design, DesignContext, DesignRegistry, KnobInfo, Readiness } from './design.ts';
export type { Rng } from './rng.ts';
export { KnobError, KnobReader, limitsText, MAX_TIMER, showValue, TIMER_LIMITS, WAIT_LIMITS, type DurationLimits, type RangeUs } from './knobs.ts';
export { formatUs, parseDurationUs, usToMs, US_PER_MS, US_PER_S, type Micros } from './time.ts';
export { majority } from './quorum.ts';
