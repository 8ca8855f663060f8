import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DialUnknownOutcomeMode } from '../simulator-options.ts';
import { telnyxErrors } from './telnyx-errors.ts';

/** The first path segment of each account resource the simulator serves (see account.ts). */
const ACCOUNT_RESOURCES = ['balance', 'call_control_applications', 'outbound_voice_profiles', 'phone_numbers'];

/** The Call Control actions the simulator implements, by their path segment. */
const ACTIONS = { speak: 'speak', hangup: 'hangup', gather_using_speak: 'gather', gather_stop: 'gatherStop' } as const;
type ActionKind = (typeof ACTIONS)[keyof typeof ACTIONS];

/** The Call Control endpoints the simulator serves, recognised from method and path. */
export type Route =
  | { kind: 'dial' }
  | { kind: ActionKind | 'status'; callControlId: string }
  | { kind: 'activeCalls'; connectionId: string }
  | { kind: 'account'; method: string; segments: string[] };

/** What a handler answers; `after` runs once the response is written (Telnyx sends webhooks after replying). */
export type Reply = {
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
  deduplicated?: boolean;
  after?: () => void;
  /** The answer is lost this way although `after` still runs (the call is placed): `dialUnknownOutcomeRate`. */
  lostAs?: DialUnknownOutcomeMode | undefined;
};

const MAX_BODY_BYTES = 1 << 20;
const E164 = /^\+[1-9]\d{1,14}$/;

function decodeSegment(raw: string, onError: () => Error): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw onError();
  }
}

/**
 * Maps a request to a route; throws Telnyx's 404/405 for anything else. The SDK percent-encodes the
 * call_control_id (`v3:` becomes `v3%3A`), so the segment is decoded here.
 */
export function routeOf(method: string | undefined, pathname: string): Route {
  const segments = pathname.split('/').filter(Boolean);
  if (segments[0] !== 'v2') throw telnyxErrors.resourceNotFound();
  if (segments[1] === 'connections' && segments.length === 4 && segments[3] === 'active_calls') {
    if (method !== 'GET') throw telnyxErrors.methodNotAllowed();
    return { kind: 'activeCalls', connectionId: decodeSegment(segments[2] ?? '', () => telnyxErrors.resourceNotFound()) };
  }
  if (ACCOUNT_RESOURCES.includes(segments[1] ?? '')) {
    return { kind: 'account', method: method ?? 'GET', segments: segments.slice(1).map((s) => decodeSegment(s, () => telnyxErrors.resourceNotFound())) };
  }
  if (segments[1] !== 'calls') throw telnyxErrors.resourceNotFound();
  const rawId = segments[2];
  if (rawId === undefined) {
    if (segments.length !== 2) throw telnyxErrors.resourceNotFound();
    if (method !== 'POST') throw telnyxErrors.methodNotAllowed();
    return { kind: 'dial' };
  }
  const callControlId = decodeSegment(rawId, () => telnyxErrors.invalidCallControlId());
  if (segments.length === 3) {
    if (method !== 'GET') throw telnyxErrors.methodNotAllowed();
    return { kind: 'status', callControlId };
  }
  if (segments.length !== 5 || segments[3] !== 'actions') throw telnyxErrors.resourceNotFound();
  if (method !== 'POST') throw telnyxErrors.methodNotAllowed();
  const action = segments[4] ?? '';
  const kind = Object.hasOwn(ACTIONS, action) ? ACTIONS[action as keyof typeof ACTIONS] : undefined;
  if (kind !== undefined) return { kind, callControlId };
  throw telnyxErrors.resourceNotFound(`The simulator implements the ${Object.keys(ACTIONS).join(', ')} actions only, not '${action}'.`);
}

/** Reads the whole request body as text, refusing anything larger than 1 MiB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw telnyxErrors.unexpected(413, 'The request body is larger than 1 MiB.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON object body; an empty body counts as `{}` as it does for Telnyx's optional-body actions. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw telnyxErrors.invalidJson();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw telnyxErrors.invalidJson();
  return value as Record<string, unknown>;
}

/** A non-empty string field, or undefined. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Whether `value` is a +E.164 number. */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/** True for a host the simulator may bind to or send to: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** True for an `http:` URL on a loopback host. */
export function isLoopbackHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/** Writes a JSON reply with Telnyx's content type. */
export function sendJson(res: ServerResponse, reply: Reply, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...reply.headers,
  });
  res.end(body);
}
