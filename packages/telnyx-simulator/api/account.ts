import { stringField } from './simulator-http.ts';
import type { Reply } from './simulator-http.ts';
import { telnyxErrors } from './telnyx-errors.ts';
import type { SimulatedAccount, SimulatedApplication } from './account-types.ts';

export type { SimulatedAccount, SimulatedApplication, SimulatedOutboundProfile, SimulatedPhoneNumber } from './account-types.ts';

/** The account a simulator starts with: the ids the service uses when it runs against the in-process simulator. */
export function defaultAccount(): SimulatedAccount {
  return {
    apiKeys: [],
    balance: '100.00',
    currency: 'USD',
    applications: [
      {
        id: 'simulated-connection',
        application_name: 'dial-a-joke',
        active: true,
        webhook_event_url: 'http://127.0.0.1:3000/webhook',
        outbound: { outbound_voice_profile_id: 'simulated-profile', channel_limit: 10 },
      },
    ],
    outboundVoiceProfiles: [{ id: 'simulated-profile', name: 'dial-a-joke', enabled: true, whitelisted_destinations: ['US', 'CA'] }],
    phoneNumbers: [{ id: 'simulated-number', phone_number: '+12025550100', connection_id: 'simulated-connection', status: 'active' }],
  };
}

const found = (data: unknown): Reply => ({ status: 200, body: { data } });

function applicationJson(app: SimulatedApplication): Record<string, unknown> {
  return { record_type: 'call_control_application', ...app, outbound: { ...app.outbound } };
}

function flatPage(items: unknown[], query: URLSearchParams): Reply {
  const size = Math.min(250, Math.max(1, Number(query.get('page[size]') ?? 20) || 20));
  const number = Math.max(1, Number(query.get('page[number]') ?? 1) || 1);
  const data = items.slice((number - 1) * size, number * size);
  return {
    status: 200,
    body: { data, meta: { page_number: number, page_size: size, total_pages: Math.max(1, Math.ceil(items.length / size)), total_results: items.length } },
  };
}

/**
 * `GET /v2/balance`, `GET /v2/call_control_applications[/{id}]`, `PATCH /v2/call_control_applications/{id}`
 * (`application_name` and `webhook_event_url` required, as the SDK's update parameters say),
 * `GET /v2/outbound_voice_profiles/{id}`, `GET /v2/phone_numbers` (`filter[phone_number]`,
 * `filter[connection_id]`), `PATCH /v2/phone_numbers/{id}` (`connection_id`). Shapes are the SDK's types
 * (`resources/balance`, `call-control-applications`, `outbound-voice-profiles`, `phone-numbers`); these list
 * endpoints page by number (the SDK's `DefaultFlatPagination`).
 */
export function accountRequest(account: SimulatedAccount, method: string, segments: string[], query: URLSearchParams, body: Record<string, unknown>): Reply {
  const [resource, id, extra] = segments;
  if (extra !== undefined) throw telnyxErrors.resourceNotFound();
  const notFound = () => telnyxErrors.resourceNotFound(`No ${resource?.replace(/_/g, ' ')} with id ${id}.`);
  switch (resource) {
    case 'balance': {
      if (method !== 'GET' || id !== undefined) throw telnyxErrors.methodNotAllowed();
      const { balance, currency } = account;
      return found({ record_type: 'balance', balance, available_credit: balance, credit_limit: '0.00', pending: '0.00', currency });
    }
    case 'call_control_applications': {
      if (id === undefined) {
        if (method !== 'GET') throw telnyxErrors.methodNotAllowed();
        return flatPage(account.applications.map(applicationJson), query);
      }
      const app = account.applications.find((a) => a.id === id);
      if (!app) throw notFound();
      if (method === 'GET') return found(applicationJson(app));
      if (method !== 'PATCH') throw telnyxErrors.methodNotAllowed();
      const name = stringField(body, 'application_name');
      const url = stringField(body, 'webhook_event_url');
      if (name === undefined) throw telnyxErrors.missingParameter('application_name');
      if (url === undefined) throw telnyxErrors.missingParameter('webhook_event_url');
      if (!/^https?:\/\//.test(url)) throw telnyxErrors.invalidParameter('webhook_event_url', 'Must include a scheme, such as https.');
      app.application_name = name;
      app.webhook_event_url = url;
      return found(applicationJson(app));
    }
    case 'outbound_voice_profiles': {
      if (method !== 'GET' || id === undefined) throw telnyxErrors.methodNotAllowed();
      const profile = account.outboundVoiceProfiles.find((p) => p.id === id);
      if (!profile) throw notFound();
      return found({ record_type: 'outbound_voice_profile', ...profile, whitelisted_destinations: [...profile.whitelisted_destinations] });
    }
    case 'phone_numbers': {
      if (id === undefined) {
        if (method !== 'GET') throw telnyxErrors.methodNotAllowed();
        const number = query.get('filter[phone_number]');
        const connection = query.get('filter[connection_id]');
        const items = account.phoneNumbers.filter(
          (n) => (number === null || n.phone_number === number) && (connection === null || n.connection_id === connection),
        );
        return flatPage(items.map((n) => ({ record_type: 'phone_number', ...n })), query);
      }
      const entry = account.phoneNumbers.find((n) => n.id === id || n.phone_number === id);
      if (!entry) throw notFound();
      if (method === 'GET') return found({ record_type: 'phone_number', ...entry });
      if (method !== 'PATCH') throw telnyxErrors.methodNotAllowed();
      if ('connection_id' in body) {
        const connection = body.connection_id;
        if (connection !== null && typeof connection !== 'string') throw telnyxErrors.invalidParameter('connection_id', 'Must be a string.');
        if (typeof connection === 'string' && !account.applications.some((a) => a.id === connection)) {
          throw telnyxErrors.invalidParameter('connection_id', `No connection with id ${connection}.`);
        }
        entry.connection_id = connection;
      }
      return found({ record_type: 'phone_number', ...entry });
    }
    default:
      throw telnyxErrors.resourceNotFound();
  }
}
