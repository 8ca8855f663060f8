/** What each problem `type` (`/problems/<slug>`) means and what to do about it: the pages the URIs lead to. */
export const PROBLEM_TYPES: Readonly<Record<string, { title: string; status: number; meaning: string; fix: string }>> = {
  validation: {
    title: 'Invalid request',
    status: 400,
    meaning: 'One or more fields are missing or wrong. `errors` lists each one: `path` names the field, `message` says what is wrong with it.',
    fix: 'Correct the fields named and send the request again.',
  },
  unauthorized: {
    title: 'Unauthorized',
    status: 401,
    meaning: 'The request carries no valid credentials: no bearer token, an expired or forged one, or a wrong e-mail address or password.',
    fix: 'Get a token with POST /api/auth/token and send it as `Authorization: Bearer <token>`.',
  },
  forbidden: {
    title: 'Forbidden',
    status: 403,
    meaning:
      'The credentials are valid but may not do this: the account is not activated yet, a form arrived without its CSRF token, a live stream was asked for by an account that has not scheduled any call yet, or a new account (on probation) asked for another schedule to a number that has not answered one of its calls.',
    fix: 'Activate the account with the link from the e-mail; reload the page and submit the form again; schedule a call before opening the live stream; or, on probation, stop the other schedule, schedule a number you have reached, or wait until the date the detail names.',
  },
  'not-found': {
    title: 'Not found',
    status: 404,
    meaning: 'There is no such thing for your account. Another account’s call is "not found" too: its existence is not ours to tell.',
    fix: 'Check the id; list your calls with GET /api/calls and your schedules with GET /api/schedules.',
  },
  conflict: {
    title: 'Conflict',
    status: 409,
    meaning:
      'The request does not fit the state of what it acts on: for example, canceling a call that is already being dialed, finished or canceled, or changing or stopping a schedule that has been stopped.',
    fix: 'Read it again (GET /api/calls/{id} or GET /api/schedules/{id}) to see its state; a stopped schedule cannot come back, so create a new one.',
  },
  'opted-out': {
    title: 'Number opted out',
    status: 422,
    meaning: 'The person at this number pressed 9 on an earlier call to stop calls to it. It is never called again, by a single call or by a schedule.',
    fix: 'Do not schedule calls to this number.',
  },
  'idempotency-key-reused': {
    title: 'Idempotency key reused',
    status: 422,
    meaning: 'The Idempotency-Key was used within the last 24 hours for a request with another body. A key stands for one request; repeating it with the same body returns the first call.',
    fix: 'Use a new key (a fresh UUID) for a new call.',
  },
  limit: {
    title: 'Too many requests',
    status: 429,
    meaning:
      'A limit was reached: calls per account per day (fewer for a new account), pending calls, calls to one number, schedules per account (50), sign-in attempts, registrations per address, network or hour, or open live streams. A schedule’s first occurrence counts against the call limits when it is created. Past a threshold, registrations, reset requests and sign-ins from unknown devices need a proof of work: the detail says so.',
    fix: 'Wait for the number of seconds in `Retry-After`, then try again; or, when the detail asks for a proof of work, solve a challenge from `GET /api/auth/challenge` and send it as `altcha`.',
  },
  unavailable: {
    title: 'Service unavailable',
    status: 503,
    meaning: 'The service cannot answer right now (its database is unreachable, or it is restarting).',
    fix: 'Try again in a little while.',
  },
};
