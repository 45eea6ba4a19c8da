/**
 * A node's disk: key/values and append-only lists, with fsync.
 *
 * Every write goes to the visible state at once and to a journal of unsynced
 * operations; `fsync()` replays the journal onto the durable state. A crash
 * keeps the visible state (`durable: "all"`: the OS page cache survived),
 * the durable state (`"fsynced"`: power loss), or nothing (`"none"`: the
 * disk is gone). Models what survives a crash; not torn writes, latency or
 * corruption.
 */
import type { Disk } from '../../algorithms/api/index.ts';
/** What a crash keeps: every write, only fsynced ones, or nothing. */
export type Durability = 'all' | 'fsynced' | 'none';

type Op =
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'append'; key: string; value: unknown }
  | { kind: 'truncate'; key: string; length: number };

interface State {
  values: Map<string, unknown>;
  lists: Map<string, unknown[]>;
}

function emptyState(): State {
  return { values: new Map(), lists: new Map() };
}

function apply(state: State, op: Op): void {
  switch (op.kind) {
    case 'set':
      state.values.set(op.key, op.value);
      return;
    case 'delete':
      state.values.delete(op.key);
      state.lists.delete(op.key);
      return;
    case 'append': {
      let list = state.lists.get(op.key);
      if (list === undefined) state.lists.set(op.key, (list = []));
      list.push(op.value);
      return;
    }
    case 'truncate': {
      const list = state.lists.get(op.key);
      if (list !== undefined && list.length > op.length) list.length = op.length;
      return;
    }
  }
}

const NO_ITEMS: readonly unknown[] = [];

export class SimDisk implements Disk {
  private visible: State = emptyState();
  private durable: State = emptyState();
  private journal: Op[] = [];
  /** Writes the disk holds (made and not lost to a crash since), for fault reports: what a crash can lose. */
  writes = 0;

  get<T = unknown>(key: string): T | undefined {
    return this.visible.values.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.record({ kind: 'set', key, value });
  }

  delete(key: string): void {
    this.record({ kind: 'delete', key });
  }

  list<T = unknown>(key: string): readonly T[] {
    return (this.visible.lists.get(key) ?? NO_ITEMS) as readonly T[];
  }

  append(key: string, value: unknown): void {
    this.record({ kind: 'append', key, value });
  }

  truncate(key: string, length: number): void {
    this.record({ kind: 'truncate', key, length });
  }

  fsync(): void {
    for (const op of this.journal) apply(this.durable, op);
    this.journal = [];
  }

  /** Applies a crash; returns how many unsynced (or all) writes were lost. */
  crash(durability: Durability): number {
    if (durability === 'all') {
      // The page cache survives: everything written is kept (and is now as good as synced).
      this.fsync();
      return 0;
    }
    if (durability === 'fsynced') {
      const lost = this.journal.length;
      this.journal = [];
      this.visible = cloneState(this.durable);
      // `writes` counts the writes the disk still holds, so a later crash that wipes it counts only those.
      this.writes -= lost;
      return lost;
    }
    const lost = this.writes;
    this.visible = emptyState();
    this.durable = emptyState();
    this.journal = [];
    this.writes = 0;
    return lost;
  }

  private record(op: Op): void {
    this.writes++;
    apply(this.visible, op);
    this.journal.push(op);
  }
}

function cloneState(state: State): State {
  const lists = new Map<string, unknown[]>();
  for (const [key, list] of state.lists) lists.set(key, list.slice());
  return { values: new Map(state.values), lists };
}
