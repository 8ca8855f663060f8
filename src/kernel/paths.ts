import { join } from 'node:path';

/** The project's root folder (templates, config and relative database paths are found from here). */
export const ROOT_DIR = join(import.meta.dirname, '..', '..');
