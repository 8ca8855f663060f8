/** Polls `check` every `everyMs` until it holds (true) or `timeoutMs` passes (false): every wait is bounded. */
export async function waitUntil(check: () => boolean | Promise<boolean>, options: { timeoutMs: number; everyMs: number }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(options.everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
