import { z } from 'zod';
import type { IssueSink } from '../file-analyzer.ts';
import type { LanguageRecord } from '../language-package.ts';

const depsSchema = z.object({ libraries: z.record(z.string(), z.unknown()).optional() });
const librarySchema = z.object({ type: z.string() });

/**
 * The prefix the SDK puts before a runtime pack's NuGet id in a self-contained app's `.deps.json`
 * (`runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.8`, of type `runtimepack`).
 */
const RUNTIME_PACK_PREFIX = 'runtimepack.';

/**
 * NuGet packages from a parsed `.deps.json`: the `libraries` entries of type `package`, keyed
 * `Name/Version`, and of type `runtimepack`: the .NET runtime a self-contained app carries, listed
 * under the runtime pack's own NuGet id so runtime advisories match. Projects and references are
 * the application's own assemblies, not packages.
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
    const { type } = library.data;
    if (type !== 'package' && type !== 'runtimepack') continue;
    const slash = key.indexOf('/');
    const name = key.slice(0, Math.max(slash, 0));
    const packageId = type === 'runtimepack' && name.startsWith(RUNTIME_PACK_PREFIX) ? name.slice(RUNTIME_PACK_PREFIX.length) : name;
    if (slash <= 0 || slash === key.length - 1 || packageId === '') {
      issues.warn(`library ${JSON.stringify(key)} is not keyed Name/Version and was skipped`);
      continue;
    }
    records.push({ name: packageId, version: key.slice(slash + 1) });
  }
  return records;
}
