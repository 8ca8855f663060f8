import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { CallRequestSchema } from '../../calls/input/call-request-schema.ts';
import { SchedulePatchSchema, ScheduleRequestSchema } from '../../schedules/schedule-schema.ts';
import {
  AcceptedSchema,
  ChallengeSchema,
  AccessTokenSchema,
  AccountStatusSchema,
  ActivationSchema,
  CallPageSchema,
  CredentialsSchema,
  ResetRequestSchema,
  ResetSchema,
  CallSchema,
  CallWithEventsSchema,
  ListCallsQuerySchema,
  ProblemSchema,
  ScheduleDetailSchema,
  ScheduleListSchema,
  SchedulePreviewSchema,
} from './api-schemas.ts';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const unauthorized = problem('No or a bad bearer token (`WWW-Authenticate: Bearer`).');
const idParam = z.object({ id: z.string().meta({ description: 'The call’s id.' }) });
const scheduleIdParam = z.object({ id: z.string().meta({ description: 'The schedule’s id.' }) });
const notJson = problem('The body is not application/json.');
const noSchedule = problem('No such schedule of yours.');
const security = [{ bearer: [] }];
const jsonBody = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const limitedOrProof = problem(
  'Too many requests from this address, its network (/24, IPv6 /48), or everywhere (`Retry-After`); or, past a threshold, a request without a proof of work: the detail says which, and a request with a solved challenge as `altcha` passes.',
);
const deviceCookie = {
  'Set-Cookie': {
    description: '`daj_device`: this device signed in to the account (signed, HttpOnly, SameSite=Strict, `REMEMBER_DEVICE_DAYS`). Sent back, it lets a sign-in past the account-wide failure count that strangers can run up.',
    schema: { type: 'string' as const },
  },
};

/**
 * The OpenAPI 3.1 document of the calls and schedules API, generated from the zod schemas the routes validate
 * with (calls: `CallRequestSchema`; schedules: `ScheduleRequestSchema`, `SchedulePatchSchema`; accounts: the shapes
 * `auth-routes.ts` reads). Built once at start; `/openapi.json` serves it. The conformance test provokes every status
 * listed here; `npm run check` lints it with Redocly's recommended rules (tasks/openapi/lint.ts).
 */
export function buildOpenApiDocument(info: { version: string; serverUrl?: string | null }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From `POST /api/auth/token`.' });

  registry.registerPath({
    method: 'post',
    path: '/api/calls',
    operationId: 'scheduleCall',
    tags: ['Calls'],
    summary: 'Schedule a call',
    security,
    request: {
      headers: z.object({
        'Idempotency-Key': z.string().min(1).max(255).optional().meta({
          description: 'Retry safely: the same key and body within 24 h answer with the first call; the same key with another body is a 422.',
        }),
      }),
      body: { required: true, content: { 'application/json': { schema: CallRequestSchema } } },
    },
    responses: {
      201: { ...json('Scheduled (or, for a repeated Idempotency-Key, the call the first request scheduled: `Idempotent-Replayed: true`).', CallSchema), headers: { Location: { schema: { type: 'string' }, description: '/api/calls/{id}' } } },
      400: problem('Invalid fields (`errors` lists each).'),
      401: unauthorized,
      415: notJson,
      422: problem('The number opted out, or the Idempotency-Key was used with another body.'),
      429: problem('An abuse limit was reached (`Retry-After`).'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/calls',
    operationId: 'listCalls',
    tags: ['Calls'],
    summary: 'List calls: upcoming soonest first, then history newest first',
    security,
    request: { query: ListCallsQuerySchema },
    responses: { 200: json('One page of calls.', CallPageSchema), 400: problem('A bad status, limit or cursor.'), 401: unauthorized },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/calls/events',
    operationId: 'streamCallEvents',
    tags: ['Calls'],
    summary: 'Live changes of your calls (server-sent events)',
    description:
      '`text/event-stream`: `event: call`, `data:` the call as JSON, `id:` the change time in ms. Send `Last-Event-ID` (browsers do on reconnect) to resume; a comment line every 15 s keeps the stream open. At least once: a call may be sent again after a reconnect. An account may hold `LIVE_STREAMS_PER_ACCOUNT` (8) streams on all instances together, and needs to have scheduled a call first; a server whose streams are all taken closes the oldest stream of the account holding the most to let another account in.',
    security,
    request: {
      headers: z.object({ 'Last-Event-ID': z.string().regex(/^\d+$/).optional().meta({ description: 'The last event id seen.' }) }),
      query: z.object({ since: z.string().regex(/^\d+$/).optional().meta({ description: 'Start after this time (ms since the epoch) when there is no Last-Event-ID.' }) }),
    },
    responses: {
      200: { description: 'The stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      401: unauthorized,
      403: problem('The account has not scheduled a call yet (or is not activated): schedule one, then open the stream.'),
      429: problem('Too many streams open for the account, or this server is full.'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/calls/{id}',
    operationId: 'getCall',
    tags: ['Calls'],
    summary: 'A call with its timeline',
    security,
    request: { params: idParam },
    responses: { 200: json('The call and its events.', CallWithEventsSchema), 401: unauthorized, 404: problem('No such call of yours.') },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/calls/{id}',
    operationId: 'cancelCall',
    tags: ['Calls'],
    summary: 'Cancel a scheduled call',
    security,
    request: { params: idParam },
    responses: {
      200: json('The canceled call.', CallSchema),
      401: unauthorized,
      404: problem('No such call of yours.'),
      409: problem('The call is no longer scheduled (already canceled included).'),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/schedules',
    operationId: 'createSchedule',
    tags: ['Schedules'],
    summary: 'Create a repeating call',
    description: 'Creates the schedule and its first occurrence (a call, `scheduleId` set). An account keeps at most 50 schedules.',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: ScheduleRequestSchema } } } },
    responses: {
      201: { ...json('Created: the schedule, its next occurrences and its first call.', ScheduleDetailSchema), headers: { Location: { schema: { type: 'string' }, description: '/api/schedules/{id}' } } },
      400: problem('Invalid fields, or a rule that never rings inside the scheduling window (`errors` lists each).'),
      401: unauthorized,
      403: problem('A new account (on probation, `PROBATION_DAYS`) already has as many schedules as it may to numbers that never answered one of its calls (`errors` names `to`).'),
      415: notJson,
      422: problem('The number opted out.'),
      429: problem('An abuse limit was reached: schedules per account, or the call limits for its first occurrence (`Retry-After`).'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/schedules',
    operationId: 'listSchedules',
    tags: ['Schedules'],
    summary: 'List your schedules',
    security,
    responses: { 200: json('Your schedules.', ScheduleListSchema), 401: unauthorized },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/schedules/preview',
    operationId: 'previewSchedule',
    tags: ['Schedules'],
    summary: 'The next times a schedule would ring, without creating it',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: ScheduleRequestSchema } } } },
    responses: {
      200: json('Its first three occurrences from now.', SchedulePreviewSchema),
      400: problem('Invalid fields, or a rule that never rings inside the scheduling window.'),
      401: unauthorized,
      415: notJson,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/schedules/{id}',
    operationId: 'getSchedule',
    tags: ['Schedules'],
    summary: 'A schedule with its next occurrences and its calls',
    security,
    request: { params: scheduleIdParam },
    responses: { 200: json('The schedule.', ScheduleDetailSchema), 401: unauthorized, 404: noSchedule },
  });
  registry.registerPath({
    method: 'patch',
    path: '/api/schedules/{id}',
    operationId: 'changeSchedule',
    tags: ['Schedules'],
    summary: 'Pause, resume or change a schedule',
    description: 'A change or a pause cancels the pending occurrence; the next one is made from the new rule (on resume, from now).',
    security,
    request: { params: scheduleIdParam, body: { required: true, content: { 'application/json': { schema: SchedulePatchSchema } } } },
    responses: {
      200: json('The changed schedule.', ScheduleDetailSchema),
      400: problem('Invalid fields (`errors` lists each).'),
      401: unauthorized,
      404: noSchedule,
      409: problem('The schedule has been stopped.'),
      415: notJson,
      422: problem('The new number opted out.'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/schedules/{id}',
    operationId: 'stopSchedule',
    tags: ['Schedules'],
    summary: 'Stop a schedule for good',
    description: 'Its pending occurrence (and any retry waiting) is canceled; past calls stay.',
    security,
    request: { params: scheduleIdParam },
    responses: {
      200: json('The stopped schedule.', ScheduleDetailSchema),
      401: unauthorized,
      404: noSchedule,
      409: problem('The schedule has already ended.'),
    },
  });

  const accounts = ['Accounts'];
  registry.registerPath({
    method: 'post',
    path: '/api/auth/register',
    operationId: 'register',
    tags: accounts,
    security: [],
    summary: 'Register an account',
    description: 'Sends a mail with an activation link (single use, expires). The answer is the same whether or not the address is taken.',
    request: jsonBody(CredentialsSchema),
    responses: {
      202: json('Accepted: a mail is on its way if the address can be used.', AcceptedSchema),
      400: problem('A missing or bad field, a password too easy to guess, or a proof of work (`altcha`) that does not count (wrong, expired or used).'),
      415: notJson,
      429: limitedOrProof,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/activate',
    operationId: 'activate',
    tags: accounts,
    security: [],
    summary: 'Activate an account with the token from its mail',
    request: jsonBody(ActivationSchema),
    responses: { 200: json('Activated: the account can get tokens.', AccountStatusSchema), 400: problem('The token is missing, unknown, used or expired.'), 415: notJson },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/token',
    operationId: 'getToken',
    tags: accounts,
    security: [],
    summary: 'Get a bearer token',
    description:
      'Failed sign-ins are counted per account and network (that network then waits) and per account from everywhere: past that count a device that signed in before (its `daj_device` cookie) still signs in, others send a proof of work (`altcha`). A password reset clears both counts.',
    request: {
      ...jsonBody(CredentialsSchema),
      cookies: z.object({ daj_device: z.string().optional().meta({ description: 'The remembered-device cookie from an earlier sign-in.' }) }),
    },
    responses: {
      200: { ...json('A bearer token for the other routes.', AccessTokenSchema), headers: deviceCookie },
      400: problem('A missing or bad field, or a proof of work that does not count.'),
      401: problem('The address or the password is wrong (one answer for both).'),
      403: problem('The account is not activated yet.'),
      415: notJson,
      429: problem('Too many attempts from this address, or failures for this account from this network; or, from a device not known to the account, many failures from other networks and no proof of work (`Retry-After`).'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/auth/challenge',
    operationId: 'getChallenge',
    tags: accounts,
    security: [],
    summary: 'Get a proof-of-work challenge',
    description: 'For a request a `429` asked to bring a proof of work: solve it (a few hundred milliseconds to a few seconds of hashing) and send it as `altcha`. It expires; a solution is good once, on every instance.',
    responses: { 200: json('A challenge.', ChallengeSchema), 421: problem('The `Host` header names a host this service does not answer for (as on every route).') },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/reset-request',
    operationId: 'requestPasswordReset',
    tags: accounts,
    security: [],
    summary: 'Ask for a password reset mail',
    description: 'The answer is the same whether or not the address has an account.',
    request: jsonBody(ResetRequestSchema),
    responses: {
      202: json('Accepted: a mail is on its way if the address has an account.', AcceptedSchema),
      400: problem('A missing or bad address, or a proof of work that does not count.'),
      415: notJson,
      429: limitedOrProof,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/reset',
    operationId: 'resetPassword',
    tags: accounts,
    security: [],
    summary: 'Set a new password with the token from the reset mail',
    description: 'Ends every session and clears the account’s failed sign-in counts, so the new password works at once from any device.',
    request: jsonBody(ResetSchema),
    responses: { 200: json('The password is changed.', AccountStatusSchema), 400: problem('The token does not work, or the password is too easy to guess.'), 415: notJson },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Dial-A-Joke API',
      version: info.version,
      // The project is private (package.json has no license): say so rather than name one it does not grant.
      license: { name: 'Proprietary: a private project, no license granted', identifier: 'LicenseRef-Proprietary' },
      description: 'Schedule phone calls (once or repeating) that tell a joke (or your message). Errors are RFC 9457 problems; their `type` links to a page explaining each.',
    },
    // PUBLIC_URL when set; without it `/openapi.json` names the origin each request reached (docs-routes.ts).
    servers: info.serverUrl ? [{ url: info.serverUrl.replace(/\/$/, ''), description: 'This service' }] : [],
    tags: [
      { name: 'Accounts', description: 'Register, activate, get a bearer token, reset a password.' },
      { name: 'Calls', description: 'One call at a chosen moment, its timeline and its live changes.' },
      { name: 'Schedules', description: 'Repeating calls: every day, weekdays, chosen days or a cron rule, in a time zone.' },
    ],
  });
}
export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
