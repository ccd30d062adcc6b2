import type { IssueSink } from '../file-analyzer.ts';
import { isValidPackageName, normalizeDescriptor, splitName } from './npm-path.ts';
import type { YarnRecord } from './npm-record.ts';
import { aliasOf, readDescriptor } from './yarn-descriptor.ts';

interface Draft {
  readonly keys: string[];
  readonly line: number;
  version?: string;
  readonly requires: string[];
}

/** yarn 1's own format: `"a@^1", a@^1.1:` headers, indented `version "1.2.3"` fields and `dependencies:` sections. */
export function parseClassic(text: string, issues: IssueSink): YarnRecord[] {
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
  return drafts.flatMap((entry) => toRecord(entry, issues));
}

function toRecord({ keys, line, version, requires }: Draft, issues: IssueSink): YarnRecord[] {
  if (keys.length === 0) return [];
  if (!version) {
    issues.warn(`the entry at line ${line} has no version and was skipped`);
    return [];
  }
  const descriptors = keys.map(readDescriptor);
  const name = descriptors[0]!.realName;
  if (!isValidPackageName(name)) {
    issues.warn(`the entry at line ${line} is for ${JSON.stringify(name)}, which is not an npm package name, and was skipped`);
    return [];
  }
  const alias = aliasOf(descriptors, name);
  return [{ ...splitName(name), version, ...(alias ? { alias } : {}), descriptors: descriptors.map((descriptor) => descriptor.descriptor), requires }];
}

/** `"a@^1", a@~1.2` → [`a@^1`, `a@~1.2`]. */
export function splitKeys(header: string): string[] {
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
