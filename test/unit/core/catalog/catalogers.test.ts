import { describe, expect, it } from 'vitest';
import { defaultCatalogers, supportAnalyzers } from '../../../../lambdas/core/catalog/catalogers.ts';

describe('default catalogers', () => {
  it('cover every ecosystem Customs reads, each under its own name', () => {
    const names = defaultCatalogers.map((cataloger) => cataloger.name);
    expect(names).toEqual(expect.arrayContaining(['dpkg', 'rpm', 'apk', 'go-binary', 'rust-binary', 'npm', 'python', 'java', 'ruby', 'composer', 'dotnet']));
    const all = [...names, ...supportAnalyzers.map((analyzer) => analyzer.name)];
    expect(new Set(all).size).toBe(all.length);
  });
});
