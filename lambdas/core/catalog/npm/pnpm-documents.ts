import type { IssueSink } from '../file-analyzer.ts';
import { pnpmDocument, pnpmImporter, type PnpmDocument } from './pnpm-lock-schema.ts';

const PROJECT_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/**
 * The document of a pnpm-lock.yaml that locks the project. pnpm 11 and later write pnpm's own
 * tooling (configDependencies, the packageManager pin) as a first document with its own
 * `importers` and `packages`; those are not the project's dependencies. The project document is
 * the last one that is not tooling-only.
 */
export function projectDocument(documents: readonly unknown[], issues: IssueSink): PnpmDocument | undefined {
  const projects: PnpmDocument[] = [];
  for (const [index, value] of documents.entries()) {
    const parsed = pnpmDocument.safeParse(value);
    if (!parsed.success) {
      // With one document the caller says the file is not a lockfile; with several, say which was dropped.
      if (documents.length > 1) issues.warn(`document ${index + 1} is not a pnpm lockfile mapping and was ignored`);
      continue;
    }
    if (!isToolingOnly(parsed.data)) projects.push(parsed.data);
  }
  if (projects.length > 1) issues.warn(`has ${projects.length} project documents; only the last was read`);
  return projects.at(-1);
}

/** Every importer has only pnpm's tooling sections (configDependencies, packageManagerDependencies). */
function isToolingOnly(document: PnpmDocument): boolean {
  const importers = Object.values(document.importers ?? {}).map((value) => pnpmImporter.safeParse(value));
  const tooling = importers.some((parsed) => parsed.success && (parsed.data.configDependencies || parsed.data.packageManagerDependencies));
  const project = importers.some((parsed) => !parsed.success || PROJECT_SECTIONS.some((section) => parsed.data[section] !== undefined));
  return tooling && !project;
}
