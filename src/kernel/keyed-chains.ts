/** One key's chain: `dirty` says new input waits for it, `work` holds jobs to run on it, in order. */
export type Chain = { dirty: boolean; work: (() => Promise<void>)[]; running: Promise<void> | undefined };

/**
 * Work kept in order per key and run side by side across keys, at most `parallel` keys at once: one key's slow step
 * never holds up another's, and no key runs twice at a time. `pass` drains a chain (it reads `dirty` and takes from
 * `work`); when it returns and `again` says the chain has more, it runs again, else the chain is dropped.
 */
export class KeyedChains {
  readonly #chains = new Map<string, Chain>();
  readonly #pass: (key: string, chain: Chain) => Promise<void>;
  readonly #again: (chain: Chain) => boolean;
  readonly #parallel: number;
  #active = 0;
  #turns: (() => void)[] = [];

  constructor(options: { parallel: number; pass: (key: string, chain: Chain) => Promise<void>; again: (chain: Chain) => boolean }) {
    this.#pass = options.pass;
    this.#again = options.again;
    this.#parallel = options.parallel;
  }

  /** New input for `key`: its chain runs (again) to take it. */
  wake(key: string): void {
    const chain = this.#chain(key);
    chain.dirty = true;
    this.#start(key, chain);
  }

  /** Runs `work` on `key`'s chain after what is already queued there; resolves or rejects as `work` does. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const chain = this.#chain(key);
      chain.dirty = true;
      chain.work.push(() => work().then(resolve, reject));
      this.#start(key, chain);
    });
  }

  get size(): number {
    return this.#chains.size;
  }

  /** Resolves once no chain is running (`also`: more work to wait for, such as a sweep under way). */
  async whenIdle(also: () => Promise<unknown> | undefined = () => undefined): Promise<void> {
    for (;;) {
      const pending = [also(), ...[...this.#chains.values()].map((c) => c.running)].filter((p) => p !== undefined);
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  #chain(key: string): Chain {
    let chain = this.#chains.get(key);
    if (!chain) {
      chain = { dirty: false, work: [], running: undefined };
      this.#chains.set(key, chain);
    }
    return chain;
  }

  #start(key: string, chain: Chain): void {
    chain.running ??= this.#turn(key, chain).finally(() => {
      chain.running = undefined;
      if (this.#again(chain)) this.#start(key, chain);
      else this.#chains.delete(key);
    });
  }

  async #turn(key: string, chain: Chain): Promise<void> {
    // Let the caller (the webhook handler) answer first; the chain starts on a later turn.
    await Promise.resolve();
    if (this.#active >= this.#parallel) await new Promise<void>((resolve) => this.#turns.push(resolve));
    else this.#active++;
    try {
      await this.#pass(key, chain);
    } finally {
      // Hands its turn straight to a waiting chain, or frees it.
      const next = this.#turns.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
