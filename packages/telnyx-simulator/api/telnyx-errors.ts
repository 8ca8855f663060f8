/** One entry of Telnyx's error envelope; `code` is a numeric string, as Telnyx sends it. */
export type TelnyxErrorItem = {
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
};

/** The body of every Telnyx API error response. */
export type TelnyxErrorBody = { errors: TelnyxErrorItem[] };

/**
 * An API request the simulator refuses, thrown inside a handler and turned into a response by the router,
 * so handlers read as the happy path.
 */
export class TelnyxApiFailure extends Error {
  readonly status: number;
  readonly body: TelnyxErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, item: TelnyxErrorItem, headers: Record<string, string> = {}) {
    super(`${status} ${item.code} ${item.title}`);
    this.name = 'TelnyxApiFailure';
    this.status = status;
    this.body = { errors: [item] };
    this.headers = headers;
  }
}

function failure(status: number, code: string, title: string, detail: string, pointer?: string, headers?: Record<string, string>) {
  const item: TelnyxErrorItem = pointer === undefined ? { code, title, detail } : { code, title, detail, source: { pointer } };
  return new TelnyxApiFailure(status, item, headers);
}

/**
 * The refusals the simulator can answer with. Codes, titles and details are Telnyx's own where Telnyx publishes
 * them (the general API error list 100xx, and the Call Control examples in the OpenAPI spec: 90015, 90018,
 * 90034, 10016); the few marked "ours" have no published Telnyx equivalent and were chosen to be plausible.
 */
export const telnyxErrors = {
  authenticationFailed: () =>
    failure(401, '10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.'),
  resourceNotFound: (what = 'The requested resource or URL could not be found.') => failure(404, '10005', 'Resource not found', what),
  methodNotAllowed: () => failure(405, '10015', 'Bad Request', 'The HTTP method is not supported on this path.'),
  invalidJson: () => failure(400, '10023', 'Invalid JSON', 'The supplied JSON was malformed.'),
  missingParameter: (name: string) =>
    failure(422, '10004', 'Missing required parameter', `The '${name}' parameter is required and cannot be blank.`, `/${name}`),
  notE164: (name: string) => failure(422, '10016', 'Phone number must be in +E164 format', `The '${name}' parameter must be in E164 format.`, `/${name}`),
  // Ours: Telnyx's own text for an undialable destination is not published; 10002 is its "Invalid phone number".
  invalidDestination: () => failure(422, '10002', 'Invalid phone number', 'The destination number is invalid and can not be dialed.', '/to'),
  // Ours: the simulator only talks to loopback so a test can never reach out of the machine.
  nonLoopbackWebhook: (name = 'webhook_url') =>
    failure(422, '10003', 'Invalid URL', 'The simulator delivers webhooks to loopback addresses only (127.0.0.0/8, ::1, localhost).', `/${name}`),
  invalidCallControlId: () => failure(422, '90015', 'Invalid Call Control ID', 'The call_control_id provided was not valid.', '/call_control_id'),
  callEnded: () => failure(422, '90018', 'Call has already ended', "This call is no longer active and can't receive commands."),
  callNotAnswered: () =>
    failure(422, '90034', 'Call not answered yet', "This call can't receive this command because it has not been answered yet."),
  // Assumed: Telnyx documents the channel limit only as SIP 403 "User channel limit exceeded" on the leg; if it is
  // ever refused on the dial, this is our guess at the shape (its code is Telnyx's general "Forbidden", also assumed).
  channelLimit: (channels: number, headers: Record<string, string>) =>
    failure(403, '10010', 'User channel limit exceeded', `${channels} concurrent calls are allowed on this account.`, undefined, headers),
  tooManyRequests: (code: string, detail: string, headers: Record<string, string>) => failure(429, code, 'Too many requests', detail, undefined, headers),
  // Ours: Telnyx publishes no refusal for a repeated command_id (it ignores repeats); 10012 is its "Duplicate resource".
  duplicateCommand: () => failure(422, '10012', 'Duplicate resource', 'A dial with this command_id was already accepted.', '/command_id'),
  // Ours: the general "Bad Request" code for a parameter outside what Telnyx accepts.
  invalidParameter: (name: string, detail: string) => failure(422, '10015', 'Bad Request', detail, `/${name}`),
  unexpected: (status: number, detail: string) => failure(status, '10007', 'Unexpected error', detail),
} as const;
