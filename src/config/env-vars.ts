/**
 * Environment variables the service reads, and where each lands in the config tree.
 * This table is the single source for the loader and for the README's configuration table (a test compares them).
 */
export const ENV_VARS = [
  { name: 'STAGE', path: ['stage'], meaning: 'which `config/<stage>.json` applies: development, test, production' },
  { name: 'HOST', path: ['host'], meaning: 'interface to listen on' },
  { name: 'PORT', path: ['port'], meaning: 'port to listen on (0 = any free port)' },
  { name: 'DATABASE_URL', path: ['databaseUrl'], meaning: '`sqlite:<path>` or `postgres://…`' },
  { name: 'PUBLIC_URL', path: ['publicUrl'], meaning: 'URL Telnyx reaches us at; dials send `webhook_url = PUBLIC_URL + /webhook`' },
  { name: 'ALLOWED_COUNTRIES', path: ['scheduling', 'allowedCountries'], meaning: 'comma-separated ISO codes of countries that may be called (`001`: satellite and international networks)' },
  { name: 'ALLOWED_NUMBER_TYPES', path: ['scheduling', 'allowedNumberTypes'], meaning: 'comma-separated number types that may be called (`PREMIUM_RATE`, `PERSONAL_NUMBER`, … must be added explicitly)' },
  { name: 'TRUST_PROXY', path: ['http', 'trustProxy'], meaning: '`true` behind a load balancer: client address and protocol from `X-Forwarded-For`/`-Proto`' },
  { name: 'ALLOWED_HOSTS', path: ['http', 'allowedHosts'], meaning: 'comma-separated extra `Host` names accepted besides PUBLIC_URL\'s and the listen address' },
  { name: 'MAX_CONNECTIONS', path: ['http', 'maxConnections'], meaning: 'most open client connections; more are dropped at once' },
  { name: 'METRICS_TOKEN', path: ['metricsToken'], meaning: 'set: `/metrics` needs it as a bearer token; unset: `/metrics` answers only loopback clients', secret: true },
  { name: 'LOG_LEVEL', path: ['logLevel'], meaning: 'pino level (fatal … trace, silent)' },
  { name: 'DEFAULT_COUNTRY', path: ['scheduling', 'defaultCountry'], meaning: 'ISO country used to read national numbers (e.g. `US`)' },
  { name: 'DIALS_PER_SECOND', path: ['queue', 'dialsPerSecond'], meaning: 'most dials started in any one second' },
  { name: 'MAX_CONCURRENT_CALLS', path: ['queue', 'maxConcurrentCalls'], meaning: 'most calls live at once' },
  { name: 'TELNYX_API_KEY', path: ['telnyx', 'apiKey'], meaning: 'set: talk to Telnyx; unset: start the carrier simulator (refused in production)', secret: true },
  { name: 'TELNYX_PUBLIC_KEY', path: ['telnyx', 'publicKey'], meaning: 'base64 ed25519 key that verifies webhooks' },
  { name: 'TELNYX_CONNECTION_ID', path: ['telnyx', 'connectionId'], meaning: 'the Call Control connection (application) id' },
  { name: 'TELNYX_FROM_NUMBER', path: ['telnyx', 'fromNumber'], meaning: 'caller id, E.164' },
  { name: 'TELNYX_BASE_URL', path: ['telnyx', 'baseUrl'], meaning: "the SDK's API address override (the simulator, a proxy)" },
  { name: 'NGROK_AUTHTOKEN', path: ['ngrokAuthtoken'], meaning: 'set: the development tunnel can open', secret: true },
] as const satisfies readonly { name: string; path: readonly string[]; meaning: string; secret?: boolean }[];
