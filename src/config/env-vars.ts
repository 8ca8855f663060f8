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
  { name: 'LOG_LEVEL', path: ['logLevel'], meaning: 'pino level (fatal … trace, silent)' },
  { name: 'DEFAULT_COUNTRY', path: ['scheduling', 'defaultCountry'], meaning: 'ISO country used to read national numbers (e.g. `US`)' },
  { name: 'DIALS_PER_SECOND', path: ['queue', 'dialsPerSecond'], meaning: 'most dials started in any one second' },
  { name: 'MAX_CONCURRENT_CALLS', path: ['queue', 'maxConcurrentCalls'], meaning: "most calls live at once; never more than the account's Telnyx channels" },
  { name: 'TELNYX_API_KEY', path: ['telnyx', 'apiKey'], meaning: 'set: talk to Telnyx; unset: start the carrier simulator (refused in production)', secret: true },
  { name: 'TELNYX_PUBLIC_KEY', path: ['telnyx', 'publicKey'], meaning: 'base64 ed25519 key that verifies webhooks (checked at start: 32 bytes)' },
  { name: 'TELNYX_CONNECTION_ID', path: ['telnyx', 'connectionId'], meaning: 'the Call Control connection (application) id' },
  { name: 'TELNYX_FROM_NUMBER', path: ['telnyx', 'fromNumber'], meaning: 'caller id, E.164' },
  { name: 'TELNYX_BASE_URL', path: ['telnyx', 'baseUrl'], meaning: "the SDK's API address override (the simulator, a proxy)" },
  { name: 'NGROK_AUTHTOKEN', path: ['ngrokAuthtoken'], meaning: 'set: the development tunnel can open', secret: true },
] as const satisfies readonly { name: string; path: readonly string[]; meaning: string; secret?: boolean }[];
