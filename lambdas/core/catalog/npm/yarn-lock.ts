import type { CapturedFile, IssueSink } from '../file-analyzer.ts';
import { directoryOf } from './npm-path.ts';
import type { NpmFile } from './npm-record.ts';
import { parseBerry } from './yarn-berry.ts';
import { parseClassic } from './yarn-classic.ts';

/**
 * yarn.lock in either format: yarn 1's own (yarn-classic.ts), or yarn 2+ (berry) YAML, recognised
 * by its `__metadata` entry (yarn-berry.ts). Dev-only is not in the file: it is decided later from
 * the sibling package.json, so each record keeps its descriptors and requirements.
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
