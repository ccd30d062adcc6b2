import { createHash } from 'node:crypto';
import { defaultCatalogers, supportAnalyzers } from '../catalog/catalogers.ts';
import { analyzerFingerprint, type FileAnalyzer } from '../catalog/file-analyzer.ts';
import { CUSTOMS_VERSION } from '../version.ts';

/**
 * The scanner version a claim is keyed by (`0.1.0+<12 hex>`): Customs' release and a hash of the
 * analyzers buildSbom runs by default, with their versions. A cataloger whose version is bumped
 * (its output changed) without a release therefore still rescans every digest once, as the layer
 * cache already tells its analyses apart. Matching and the advisory gate change only with a
 * release, which CUSTOMS_VERSION covers. Hashed, so the claim's sort key stays short whatever the
 * number of analyzers.
 */
export function scannerVersion(analyzers: readonly FileAnalyzer[] = [...supportAnalyzers, ...defaultCatalogers]): string {
  const hash = createHash('sha256').update(analyzerFingerprint(analyzers)).digest('hex').slice(0, 12);
  return `${CUSTOMS_VERSION}+${hash}`;
}
