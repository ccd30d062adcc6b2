import { z } from 'zod';
import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { aliasedIdentity } from './npm-alias.ts';
import { installedIdentity, isUnderNodeModules } from './npm-path.ts';
import type { NpmFile } from './npm-record.ts';
import { readJson } from '../read-json.ts';

// Only the fields used; anything else in a manifest may hold any value.
const dependencyMap = z.record(z.string(), z.unknown()).optional();
const manifestSchema = z.looseObject({
  name: z.unknown().optional(),
  version: z.unknown().optional(),
  dependencies: dependencyMap.catch(undefined),
  optionalDependencies: dependencyMap.catch(undefined),
  devDependencies: dependencyMap.catch(undefined),
});

/**
 * A package.json: an installed package's own manifest under node_modules, or an application's
 * manifest outside node_modules (kept for its dependency lists, to tell dev from production in
 * yarn.lock). Other package.json files under node_modules are not packages and yield nothing.
 */
export function parsePackageJson(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  const identity = installedIdentity(file.path);
  if (!identity && isUnderNodeModules(file.path)) return undefined;
  const manifest = readJson(file.bytes, manifestSchema, issues);
  if (!manifest) return undefined;
  if (!identity) {
    return {
      kind: 'manifest',
      packages: [],
      dependencies: { ...ranges(manifest.optionalDependencies), ...ranges(manifest.dependencies) },
      devDependencies: ranges(manifest.devDependencies),
    };
  }
  const version = typeof manifest.version === 'string' ? manifest.version.trim() : '';
  if (version === '') return undefined;
  const folderName = identity.namespace ? `${identity.namespace}/${identity.name}` : identity.name;
  // An alias (`npm i foo@npm:bar`) installs bar in foo/: bar is the package, foo is where it sits.
  const aliased = aliasedIdentity(folderName, manifest.name, issues, 'the manifest');
  return aliased ? { kind: 'installed', packages: [{ ...aliased, version }] } : undefined;
}

function ranges(map: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  // fromEntries defines own properties, so a `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(map ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
