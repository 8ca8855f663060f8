import type { CallFlow } from '../calls/call-flow.ts';
import type { Call } from '../calls/call.ts';
import type { NewEvent } from '../calls/call-store.ts';
import { createEventHandler } from '../calls/handle-event.ts';
import type { Config } from '../config/schema.ts';
import type { ChannelRefusalHandler } from '../dialing/requeue-call.ts';
import type { WebhookVerifier } from '../inbox/inbox-codec.ts';
import { InboxWorker } from '../inbox/inbox-worker.ts';
import { createReceiveWebhook, type ReceiveWebhook } from '../inbox/receive-webhook.ts';
import { createTurnBatch, createWriteBatch } from '../kernel/turn-batch.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Store } from '../store/store.ts';
import { reportsGreetingEnd } from '../telnyx/speech-options.ts';
import { telnyxInboxCodec } from '../telnyx/telnyx-events.ts';

export type InboxPart = { inboxWorker: InboxWorker; receiveWebhook: ReceiveWebhook };

/** Webhook in → stored → applied: the intake use-case, and the worker that applies each call's events in order. */
export function composeInbox(deps: {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  owner: string;
  verifyWebhook: WebhookVerifier;
  callFlow: CallFlow;
  channelRefusal: ChannelRefusalHandler;
  channelFreed: () => void;
  /** A call reached its ending (a retry may follow). */
  onEnded: (call: Call) => Promise<unknown>;
}): InboxPart {
  const { config, store, clock, logger, metrics, channelFreed } = deps;
  const amd = config.telnyx.answeringMachineDetection;
  // The handler's timeline rows, from every call applied side by side, in one insert per event-loop turn (each
  // still resolves only once committed, so what the handler reads next includes it). On PostgreSQL, where each
  // read is a round trip, its call reads too (one `id = ANY` per turn); SQLite's take microseconds and commit
  // nothing, and a batch would only add a turn.
  const callInTurn = createTurnBatch(async (ids: readonly string[]) => {
    const calls = new Map((await store.callsById(ids)).map((c) => [c.id, c]));
    return ids.map((id) => calls.get(id));
  });
  const handlerStore: Store = Object.assign(Object.create(store) as Store, {
    appendEvent: createWriteBatch((events: readonly NewEvent[]) => store.appendTimeline(events)),
    ...(store.sharedByInstances ? { getCall: (id: string, accountId?: string) => (accountId === undefined ? callInTurn(id) : store.getCall(id, accountId)) } : {}),
  });
  const handle = createEventHandler({
    store: handlerStore,
    clock,
    logger,
    metrics,
    flow: deps.callFlow,
    channelFreed,
    detectsMachines: amd !== 'disabled',
    waitsForGreeting: reportsGreetingEnd(amd),
    // A channel-limit refusal goes back to the queue instead of ending the call.
    onHungUpBeforeAnswer: deps.channelRefusal,
    onEnded: deps.onEnded,
  });
  const inboxWorker = new InboxWorker({ store, clock, logger, metrics, handle, read: telnyxInboxCodec.notice, owner: deps.owner });
  const receiveWebhook = createReceiveWebhook({
    verify: deps.verifyWebhook,
    codec: telnyxInboxCodec,
    inbox: store,
    clock,
    metrics,
    stored: (event) => inboxWorker.accept(event),
  });
  return { inboxWorker, receiveWebhook };
}
