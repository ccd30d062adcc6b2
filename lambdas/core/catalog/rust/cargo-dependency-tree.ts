import { z } from 'zod';
import type { IssueSink } from '../file-analyzer.ts';
import type { LanguageRecord } from '../language-package.ts';

const MAX_FIELD = 1024;

// auditable-serde's VersionInfo. It omits `kind` when it is runtime, `dependencies` when empty and
// `root` when false; unknown fields (newer format versions) are ignored.
const packageSchema = z.object({
  name: z.string().min(1).max(MAX_FIELD),
  version: z.string().min(1).max(MAX_FIELD),
  source: z.string().max(MAX_FIELD),
  kind: z.string().max(MAX_FIELD).optional(),
  dependencies: z.array(z.number().int().nonnegative()).optional(),
  root: z.boolean().optional(),
});
const treeSchema = z.object({ packages: z.array(packageSchema) });

/**
 * Crates from the JSON `cargo auditable` embeds. Build-kind packages (build scripts, proc macros)
 * ran on the build machine only and are not linked into the binary, so they are left out; every
 * other package is, whatever its source (crates.io, a git repository, a local path, another
 * registry), as is the root package, the binary's own crate.
 */
export function cargoRecords(json: string, issues: IssueSink): LanguageRecord[] | undefined {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    issues.warn('the cargo auditable dependency data (.dep-v0) is not JSON; nothing was read');
    return undefined;
  }
  const tree = treeSchema.safeParse(document);
  if (!tree.success) {
    const issue = tree.error.issues[0];
    issues.warn(`the cargo auditable dependency data (.dep-v0) does not have the expected shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}); nothing was read`);
    return undefined;
  }
  return tree.data.packages.filter((pkg) => pkg.kind !== 'build').map((pkg) => ({ name: pkg.name, version: pkg.version }));
}
