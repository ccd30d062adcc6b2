import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';

/**
 * The demo's npm application in /srv/app: its manifest, its package-lock.json (lockfileVersion 3)
 * and the installed copies of its dependencies, as `npm ci` leaves them. Each dependency's manifest
 * holds the fields its published package.json has that a scanner reads (name, version, license).
 */
export interface NpmDependency {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly description: string;
}

/** lodash 4.17.11 and minimist 1.2.5: published releases inside the demo advisories' ranges. */
export const VULNERABLE_DEPENDENCIES: readonly NpmDependency[] = [
  { name: 'lodash', version: '4.17.11', license: 'MIT', description: 'Lodash modular utilities.' },
  { name: 'minimist', version: '1.2.5', license: 'MIT', description: 'parse argument options' },
];

/** The first releases past every demo advisory's fix. */
export const FIXED_DEPENDENCIES: readonly NpmDependency[] = [
  { name: 'lodash', version: '4.17.21', license: 'MIT', description: 'Lodash modular utilities.' },
  { name: 'minimist', version: '1.2.8', license: 'MIT', description: 'parse argument options' },
];

const APP = 'srv/app';
const APP_NAME = 'customs-demo-app';

export function npmAppEntries(dependencies: readonly NpmDependency[]): TarInput[] {
  const ranges = Object.fromEntries(dependencies.map((dep) => [dep.name, `^${dep.version}`]));
  const manifest = { name: APP_NAME, version: '1.0.0', private: true, main: 'server.js', dependencies: ranges };
  const lock = {
    name: APP_NAME,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: APP_NAME, version: '1.0.0', dependencies: ranges },
      ...Object.fromEntries(
        dependencies.map((dep) => [
          `node_modules/${dep.name}`,
          { version: dep.version, resolved: `https://registry.npmjs.org/${dep.name}/-/${dep.name}-${dep.version}.tgz`, license: dep.license },
        ]),
      ),
    },
  };
  return [
    { type: 'dir', path: APP },
    { type: 'file', path: `${APP}/package.json`, content: `${JSON.stringify(manifest, null, 2)}\n` },
    { type: 'file', path: `${APP}/package-lock.json`, content: `${JSON.stringify(lock, null, 2)}\n` },
    { type: 'file', path: `${APP}/server.js`, content: "const _ = require('lodash');\nconst argv = require('minimist')(process.argv.slice(2));\nconsole.log(_.defaultsDeep({}, argv));\n" },
    ...dependencies.map(
      (dep): TarInput => ({
        type: 'file',
        path: `${APP}/node_modules/${dep.name}/package.json`,
        content: `${JSON.stringify({ name: dep.name, version: dep.version, description: dep.description, license: dep.license, main: 'index.js' }, null, 2)}\n`,
      }),
    ),
  ];
}
