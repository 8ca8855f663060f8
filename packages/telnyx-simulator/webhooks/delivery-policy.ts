/**
 * The dial's `webhook_retries_policies` as delays per event type (`{ "call.answered": { "retries_ms": [1000, 5000] } }`
 * → `{ "call.answered": [1000, 5000] }`); malformed entries are ignored. The dispatcher retries an event type with
 * a policy after these delays, and every other type as the `webhookAttempts` knob says.
 */
export function retriesPolicyOf(body: Record<string, unknown>): Record<string, number[]> | undefined {
  const raw = body.webhook_retries_policies;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const policies: Record<string, number[]> = {};
  for (const [eventType, policy] of Object.entries(raw as Record<string, unknown>)) {
    const delays = (policy as { retries_ms?: unknown } | null)?.retries_ms;
    // Telnyx allows at most 5 retries totalling 60 s.
    if (Array.isArray(delays) && delays.every((d) => typeof d === 'number' && d >= 0)) policies[eventType] = (delays as number[]).slice(0, 5);
  }
  return policies;
}
