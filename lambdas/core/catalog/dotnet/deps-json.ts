import { z } from 'zod';
import type { IssueSink } from '../file-analyzer.ts';
import type { LanguageRecord } from '../language-package.ts';

const depsSchema = z.object({ libraries: z.record(z.string(), z.unknown()).optional() });
const librarySchema = z.object({ type: z.string() });

/**
 * NuGet packages from a parsed `.deps.json`: the `libraries` entries of type `package`, keyed
 * `Name/Version`. Projects and references are the application's own assemblies, not packages.
 */
export function depsJsonRecords(document: unknown, issues: IssueSink): LanguageRecord[] {
  const deps = depsSchema.safeParse(document);
  if (!deps.success) {
    issues.warn('is not a .deps.json document (no "libraries" object); nothing was read');
    return [];
  }
  const records: LanguageRecord[] = [];
  for (const [key, value] of Object.entries(deps.data.libraries ?? {})) {
    const library = librarySchema.safeParse(value);
    if (!library.success) {
      issues.warn(`library ${JSON.stringify(key)} has no type and was skipped`);
      continue;
    }
    if (library.data.type !== 'package') continue;
    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) {
      issues.warn(`library ${JSON.stringify(key)} is not keyed Name/Version and was skipped`);
      continue;
    }
    records.push({ name: key.slice(0, slash), version: key.slice(slash + 1) });
  }
  return records;
}
