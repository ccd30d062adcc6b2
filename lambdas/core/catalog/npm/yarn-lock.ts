import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { descriptorName, directoryOf, normalizeDescriptor, splitName } from './npm-path.ts';
import type { NpmFile, YarnRecord } from './npm-record.ts';
import { isYamlMap, parseYaml, YamlError, type YamlValue } from './yaml-subset.ts';

/**
 * yarn.lock in either format: yarn 1's own (`"a@^1", a@^1.1:` headers, `version "1.2.3"` fields),
 * or yarn 2+ (berry) YAML, recognised by its `__metadata` entry. Dev-only is not in the file: it is
 * decided later from the sibling package.json, so each record keeps its descriptors and requirements.
 */
export function parseYarnLock(file: CapturedFile, issues: IssueSink): NpmFile | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    issues.warn('is not UTF-8 text');
    return undefined;
  }
  const directory = directoryOf(file.path);
  const packages = /^__metadata:/m.test(text) ? parseBerry(text, issues) : parseClassic(text, issues);
  return packages ? { kind: 'yarn-lock', directory, packages } : undefined;
}

interface Draft {
  readonly keys: string[];
  readonly line: number;
  version?: string;
  readonly requires: string[];
}

function parseClassic(text: string, issues: IssueSink): YarnRecord[] {
  const drafts: Draft[] = [];
  let draft: Draft | undefined;
  let section: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0) {
      section = undefined;
      draft = trimmed.endsWith(':') ? { keys: splitKeys(trimmed.slice(0, -1)), line: index + 1, requires: [] } : undefined;
      if (draft) drafts.push(draft);
      else issues.warn(`line ${index + 1} is not an entry header and was skipped`);
      return;
    }
    if (!draft) return;
    const [field, value] = splitField(trimmed);
    if (indent <= 2) {
      section = value === undefined && field.endsWith(':') ? field.slice(0, -1) : undefined;
      if (field === 'version' && value !== undefined) draft.version = value;
    } else if ((section === 'dependencies' || section === 'optionalDependencies') && value !== undefined) {
      draft.requires.push(normalizeDescriptor(field, value));
    }
  });
  const records: YarnRecord[] = [];
  for (const { keys, line, version, requires } of drafts) {
    if (keys.length === 0) continue;
    if (!version) {
      issues.warn(`the entry at line ${line} has no version and was skipped`);
      continue;
    }
    const name = descriptorName(keys[0]!);
    records.push({ ...splitName(name), version, descriptors: keys.map((key) => normalizeDescriptor(descriptorName(key), key.slice(descriptorName(key).length + 1))), requires });
  }
  return records;
}

/** `"a@^1", a@~1.2` → [`a@^1`, `a@~1.2`]. */
function splitKeys(header: string): string[] {
  return header
    .split(/,\s*/)
    .map((key) => unquote(key.trim()))
    .filter((key) => key !== '');
}

/** `version "1.2.3"` → [version, 1.2.3]; `dependencies:` → [dependencies:, undefined]. */
function splitField(text: string): [string, string | undefined] {
  const match = /^("(?:[^"\\]|\\.)*"|\S+)\s+(.+)$/.exec(text);
  return match ? [unquote(match[1]!), unquote(match[2]!.trim())] : [unquote(text), undefined];
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/\\(.)/g, '$1') : text;
}

/** Resolutions that are not registry packages of their own: the app's workspaces, local links, and patched copies of a package listed separately. */
const NOT_A_PACKAGE = /@(?:workspace|link|portal|patch):/;

function parseBerry(text: string, issues: IssueSink): YarnRecord[] | undefined {
  let document: YamlValue;
  try {
    document = parseYaml(text);
  } catch (error) {
    if (!(error instanceof YamlError)) throw error;
    issues.warn(`is not a readable yarn lockfile: ${error.message}`);
    return undefined;
  }
  if (!isYamlMap(document)) {
    issues.warn('is not a yarn lockfile mapping');
    return undefined;
  }
  const records: YarnRecord[] = [];
  for (const [header, value] of Object.entries(document)) {
    if (header === '__metadata') continue;
    if (!isYamlMap(value) || typeof value.version !== 'string') {
      issues.warn(`entry ${JSON.stringify(header)} has no version and was skipped`);
      continue;
    }
    const resolution = typeof value.resolution === 'string' ? value.resolution : header;
    if (NOT_A_PACKAGE.test(resolution) || value.version === '0.0.0-use.local') continue;
    const keys = splitKeys(header);
    const name = descriptorName(resolution);
    const requires = [value.dependencies, value.optionalDependencies].flatMap((map) => (isYamlMap(map) ? Object.entries(map).flatMap(([dep, range]) => (typeof range === 'string' ? [normalizeDescriptor(dep, range)] : [])) : []));
    const descriptors = keys.map((key) => normalizeDescriptor(descriptorName(key), key.slice(descriptorName(key).length + 1)));
    records.push({ ...splitName(name), version: value.version, descriptors, requires });
  }
  return records;
}
