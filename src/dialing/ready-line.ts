import type { DueEntry } from '../calls/call-store.ts';
import { insertSorted } from './due-window.ts';

/** Due calls waiting for a channel or a dial slot, in due order; each call at most once. */
export class ReadyLine {
  #entries: DueEntry[] = [];
  readonly #ids = new Set<string>();

  get length(): number {
    return this.#entries.length;
  }

  /** Ids in the line (a reload of the window skips them: they are already in the dialer's hands). */
  get ids(): ReadonlySet<string> {
    return this.#ids;
  }

  /** Adds a due call unless it is already waiting. */
  add(entry: DueEntry): void {
    if (this.#ids.has(entry.id)) return;
    insertSorted(this.#entries, entry);
    this.#ids.add(entry.id);
  }

  /** Takes a call out (claimed or canceled); the head, the usual case, without a scan. */
  remove(id: string): void {
    if (!this.#ids.delete(id)) return;
    if (this.#entries[0]?.id === id) this.#entries.shift();
    else this.#entries = this.#entries.filter((e) => e.id !== id);
  }

  /**
   * Takes a claimed batch out in one pass: the fair share claims across accounts, not from the head, and one
   * filter per call would cost the line's length for each of a batch's calls.
   */
  removeAll(ids: Iterable<string>): void {
    let removed = false;
    for (const id of ids) removed = this.#ids.delete(id) || removed;
    if (removed) this.#entries = this.#entries.filter((e) => this.#ids.has(e.id));
  }

  clear(): void {
    this.#entries = [];
    this.#ids.clear();
  }
}
