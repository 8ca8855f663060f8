/**
 * Runs `work` with a deadline; when it passes, the error names the operation ("POST /api/calls on 127.0.0.1:4001: no
 * answer within 15 s") instead of the platform's bare "TimeoutError: The operation was aborted due to timeout".
 */
export async function timed<T>(what: string, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return await work(signal);
  } catch (err) {
    if (signal.aborted && (err instanceof Error || err instanceof DOMException) && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      throw new Error(`${what}: no answer within ${ms / 1000} s`, { cause: err });
    }
    throw err;
  }
}
