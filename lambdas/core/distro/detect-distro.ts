import type { SquashedView } from '../image/squashed-view.ts';
import type { Distro } from '../sbom/model.ts';
import { FALLBACK_RELEASE_PATHS, OS_RELEASE_PATHS, releaseFilesAnalyzer, type ReleaseFileFacts } from './release-files-analyzer.ts';

/**
 * The distribution of the squashed image: `/etc/os-release`, else `/usr/lib/os-release` (each
 * followed through symlinks, as on a real system), else the per-family release files.
 */
export function detectDistro(view: SquashedView): Distro | undefined {
  for (const path of [...OS_RELEASE_PATHS, ...FALLBACK_RELEASE_PATHS]) {
    const file = view.lookup(path);
    const facts = file?.versions[0]?.results[releaseFilesAnalyzer.name] as ReleaseFileFacts | undefined;
    if (facts?.id) return { ...facts, id: facts.id, source: file!.path };
  }
  return undefined;
}
