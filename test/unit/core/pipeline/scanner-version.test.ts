import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultCatalogers, supportAnalyzers } from '../../../../lambdas/core/catalog/catalogers.ts';
import type { FileAnalyzer } from '../../../../lambdas/core/catalog/file-analyzer.ts';
import { scannerVersion } from '../../../../lambdas/core/pipeline/scanner-version.ts';
import { CUSTOMS_VERSION } from '../../../../lambdas/core/version.ts';

describe('scannerVersion', () => {
  const analyzers: readonly FileAnalyzer[] = [...supportAnalyzers, ...defaultCatalogers];

  it('is the release plus a short hash of every default analyzer’s name and version', () => {
    const listed = analyzers.map((analyzer) => `${analyzer.name}@${analyzer.version}`).sort().join(',');
    expect(scannerVersion()).toBe(`${CUSTOMS_VERSION}+${createHash('sha256').update(listed).digest('hex').slice(0, 12)}`);
  });

  it('changes when one analyzer’s version does, not with their order', () => {
    const [first, ...rest] = analyzers;
    const bumped: FileAnalyzer = { ...first!, version: first!.version + 1 };
    expect(scannerVersion([bumped, ...rest])).not.toBe(scannerVersion(analyzers));
    expect(scannerVersion([...analyzers].reverse())).toBe(scannerVersion(analyzers));
  });
});
