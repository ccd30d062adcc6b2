import { z } from 'zod';
import type { IssueSink } from '../file-analyzer.ts';
import { readLockfileYaml } from './lockfile-yaml.ts';
import { descriptorName, isValidPackageName, normalizeDescriptor, splitName } from './npm-path.ts';
import type { YarnRecord } from './npm-record.ts';
import { splitKeys } from './yarn-classic.ts';
import { aliasOf, readDescriptor } from './yarn-descriptor.ts';

const dependencies = z.record(z.string(), z.string()).optional();

/** One berry entry; the failsafe YAML schema leaves every scalar a string. */
const berryEntry = z.looseObject({ version: z.string(), resolution: z.string().optional(), dependencies, optionalDependencies: dependencies });

/** Resolutions that are not registry packages of their own: the app's workspaces, local links, and patched copies of a package listed separately. */
const NOT_A_PACKAGE = /@(?:workspace|link|portal|patch):/;

/** yarn 2+ (berry): one YAML document of `"name@npm:range, …":` entries plus `__metadata`. */
export function parseBerry(text: string, issues: IssueSink): YarnRecord[] | undefined {
  const yaml = readLockfileYaml(text);
  if ('problem' in yaml) {
    issues.warn(`is not a readable yarn lockfile: ${yaml.problem}`);
    return undefined;
  }
  const [document, ...rest] = yaml.documents;
  const entries = z.record(z.string(), z.unknown()).safeParse(document);
  if (!entries.success || rest.length > 0) {
    issues.warn(rest.length > 0 ? `holds ${yaml.documents.length} YAML documents, not one yarn lockfile` : 'is not a yarn lockfile mapping');
    return undefined;
  }
  const records: YarnRecord[] = [];
  for (const [header, value] of Object.entries(entries.data)) {
    if (header === '__metadata') continue;
    const parsed = berryEntry.safeParse(value);
    if (!parsed.success) {
      issues.warn(`entry ${JSON.stringify(header)} has no version and was skipped`);
      continue;
    }
    const entry = parsed.data;
    const resolution = entry.resolution ?? header;
    if (NOT_A_PACKAGE.test(resolution) || entry.version === '0.0.0-use.local') continue;
    // The resolution names the real package; an alias's descriptors name what it is installed as.
    const name = descriptorName(resolution);
    if (!isValidPackageName(name)) {
      issues.warn(`entry ${JSON.stringify(header)} resolves to ${JSON.stringify(name)}, which is not an npm package name, and was skipped`);
      continue;
    }
    const descriptors = splitKeys(header).map(readDescriptor);
    const requires = [entry.dependencies, entry.optionalDependencies].flatMap((map) => Object.entries(map ?? {}).map(([dep, range]) => normalizeDescriptor(dep, range)));
    const alias = aliasOf(descriptors, name);
    records.push({ ...splitName(name), version: entry.version, ...(alias ? { alias } : {}), descriptors: descriptors.map((descriptor) => descriptor.descriptor), requires });
  }
  return records;
}
