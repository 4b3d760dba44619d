import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_platform } from './Migration20261127000000_platform.js';
import { Migration20261127010000_commerce } from './Migration20261127010000_commerce.js';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list runs from the
 * compiled build, the tests and the embedded PGlite default.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_platform', class: Migration20261127000000_platform },
  { name: 'Migration20261127010000_commerce', class: Migration20261127010000_commerce },
];
