import { z } from 'zod';
import type { IssueSink } from '../file-analyzer.ts';
import type { LanguageRecord } from '../language-package.ts';

/** Composer 1 writes a bare array of packages; Composer 2 wraps it and names the dev-only ones. */
const installedSchema = z.union([
  z.array(z.unknown()),
  z.object({ packages: z.array(z.unknown()), 'dev-package-names': z.array(z.unknown()).optional() }),
]);

const packageSchema = z.object({ name: z.string().min(1), version: z.string().optional(), version_normalized: z.string().optional() });

/**
 * Packages from a parsed `vendor/composer/installed.json`. An entry without a name or any version
 * is skipped with a warning; its neighbours are kept.
 */
export function composerRecords(document: unknown, issues: IssueSink): LanguageRecord[] {
  const shape = installedSchema.safeParse(document);
  if (!shape.success) {
    issues.warn('is neither a Composer 1 package list nor a Composer 2 document with "packages"; nothing was read');
    return [];
  }
  const entries = Array.isArray(shape.data) ? shape.data : shape.data.packages;
  const devNames = new Set(Array.isArray(shape.data) ? [] : (shape.data['dev-package-names'] ?? []).filter((name) => typeof name === 'string'));
  const records: LanguageRecord[] = [];
  entries.forEach((entry, index) => {
    const parsed = packageSchema.safeParse(entry);
    const version = parsed.success ? parsed.data.version || parsed.data.version_normalized : undefined;
    if (!parsed.success || !version) {
      const name = parsed.success ? ` (${parsed.data.name})` : '';
      issues.warn(`package ${index}${name} has no ${parsed.success ? 'version' : 'name'} and was skipped`);
      return;
    }
    const { name } = parsed.data;
    const slash = name.indexOf('/');
    records.push({
      ...(slash > 0 ? { namespace: name.slice(0, slash), name: name.slice(slash + 1) } : { name }),
      version,
      ...(devNames.has(name) ? { dev: true } : {}),
    });
  });
  return records;
}
