// `node tasks/openapi/client-types.ts`: writes test/helpers/openapi-client.d.ts, the TypeScript types openapi-typescript
// generates from the OpenAPI document, which the generated-client test uses (and checks are current).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { buildOpenApiDocument } from '../../src/http/openapi/openapi-document.ts';
import { clientTypes } from './generate-types.ts';

const file = join(ROOT_DIR, 'test', 'helpers', 'openapi-client.d.ts');
await writeFile(file, await clientTypes(buildOpenApiDocument({ version: '0.0.0', serverUrl: 'http://127.0.0.1:3000' })));
console.log(`wrote ${file}`);
