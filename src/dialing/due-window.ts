import type { DueEntry } from '../calls/call-store.ts';

const before = (a: DueEntry, b: DueEntry) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.id < b.id);

/** Inserts keeping (dueAt, id) order; binary search because a window may hold thousands of entries. */
export function insertSorted(list: DueEntry[], entry: DueEntry): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid] as DueEntry, entry)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
}

/**
 * The in-memory part of the timed queue: the nearest scheduled calls, in due order, at most `capacity` of them.
 * `complete` says the window holds every scheduled call not yet in the queue's hands; when it is false, calls
 * due after the last entry wait in the database until the window is reloaded.
 */
export function createDueWindow(capacity: number) {
  let entries: DueEntry[] = [];
  // Ids in the window, so a repeated offer is refused without a scan.
  let ids = new Set<string>();
  let complete = false;
  let reloading: Promise<void> | undefined;
  /** Calls offered while a reload reads the index, offered again once it has replaced the contents. */
  let held: DueEntry[] | undefined;
  const window = {
    get size() {
      return entries.length;
    },
    get complete() {
      return complete;
    },
    first(): DueEntry | undefined {
      return entries[0];
    },
    /** Replaces the contents with a fresh load from the index. */
    load(loaded: DueEntry[]): void {
      entries = loaded.slice(0, capacity);
      ids = new Set(entries.map((e) => e.id));
      complete = loaded.length < capacity;
    },
    /** Reads the window from the index (one read at a time; calls offered meanwhile are kept). */
    reload(read: () => Promise<DueEntry[]>): Promise<void> {
      if (reloading) return reloading;
      held = [];
      reloading = read()
        .then((loaded) => {
          const offered = held ?? [];
          held = undefined;
          window.load(loaded);
          for (const entry of offered) window.offer(entry);
        })
        .finally(() => {
          held = undefined;
          reloading = undefined;
        });
      return reloading;
    },
    /** Adds a newly scheduled call if it belongs among the nearest ones; returns true if it became the first. */
    offer(entry: DueEntry): boolean {
      held?.push(entry);
      if (ids.has(entry.id)) return false;
      const last = entries[entries.length - 1];
      // Past the last entry of an incomplete window (or into an emptied one) the database holds the order: wait for a reload.
      if (!complete && (!last || !before(entry, last))) return false;
      insertSorted(entries, entry);
      ids.add(entry.id);
      if (entries.length > capacity) {
        ids.delete((entries.pop() as DueEntry).id);
        complete = false;
      }
      return entries[0] === entry;
    },
    remove(id: string): void {
      window.removeAll([id]);
    },
    /** Takes several out in one pass (a claimed batch: usually none is still here, so no pass at all). */
    removeAll(gone: Iterable<string>): void {
      let removed = false;
      for (const id of gone) removed = ids.delete(id) || removed;
      if (removed) entries = entries.filter((e) => ids.has(e.id));
    },
    /** Removes and returns the entries due at or before `now`. */
    takeDue(now: number): DueEntry[] {
      let n = 0;
      while (n < entries.length && (entries[n] as DueEntry).dueAt <= now) n++;
      const due = entries.splice(0, n);
      for (const e of due) ids.delete(e.id);
      return due;
    },
  };
  return window;
}
