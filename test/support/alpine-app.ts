import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TarInput } from '../../tools/image-builder/tar-writer.ts';
import { sharedFixtures } from './paths.ts';

/**
 * A layer's entries for an Alpine 3.20.3 image (its real installed database) with lodash 4.17.15
 * and minimist 1.2.0 in `app/node_modules`, which the shared npm advisories make vulnerable;
 * `extra` entries are added after them.
 */
export function alpineAppEntries(extra: readonly TarInput[] = []): TarInput[] {
  const root = sharedFixtures('os', 'apk', 'alpine-3.20.3');
  return [
    { type: 'file', path: 'etc/os-release', content: readFileSync(join(root, 'etc', 'os-release')) },
    { type: 'file', path: 'lib/apk/db/installed', content: readFileSync(join(root, 'lib', 'apk', 'db', 'installed')) },
    { type: 'file', path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.15' }) },
    { type: 'file', path: 'app/node_modules/minimist/package.json', content: JSON.stringify({ name: 'minimist', version: '1.2.0' }) },
    ...extra,
  ];
}
