import type { SquashedView } from '../image/squashed-view.ts';
import type { Distro } from '../sbom/model.ts';
import { FALLBACK_RELEASE_PATHS, OS_RELEASE_PATHS, releaseFilesAnalyzer, type ReleaseFileFacts } from './release-files-analyzer.ts';

/**
 * The distribution of the squashed image: `/etc/os-release`, else `/usr/lib/os-release` (each
 * followed through symlinks, as on a real system), else the per-family release files. An os-release
 * without VERSION_ID (distroless Debian) takes the release from its own family's file
 * (`etc/debian_version` `12.7` → `12`), never from another distribution's.
 */
export function detectDistro(view: SquashedView): Distro | undefined {
  const found = [...OS_RELEASE_PATHS, ...FALLBACK_RELEASE_PATHS].flatMap((path) => {
    const file = view.lookup(path);
    const facts = file?.versions[0]?.results[releaseFilesAnalyzer.name] as ReleaseFileFacts | undefined;
    return facts?.id ? [{ facts: { ...facts, id: facts.id }, source: file!.path }] : [];
  });
  const first = found[0];
  if (!first) return undefined;
  const release = first.facts.versionId ? undefined : found.find(({ facts }) => facts.id === first.facts.id && facts.versionId)?.facts.versionId;
  return { ...first.facts, ...(release ? { versionId: release } : {}), source: first.source };
}
