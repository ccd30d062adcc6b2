import { describe, expect, it } from 'vitest';
import { yarnBerryScenario, yarnClassicScenario } from '../../support/yarn-scenario.ts';
import { scanLockfileOnly, toolLines } from './lockfile-scenario-scan.ts';

const LOCKFILE_ONLY = ['package.json', 'yarn.lock'];

describe.each([
  ['yarn 1.22', yarnClassicScenario],
  ['yarn 4 (berry)', yarnBerryScenario],
])('yarn.lock written by %s, compared with what it installs for development and for production', (_tool, scenario) => {
  const { app, expected } = scenario();

  it('has the cases this test is about', () => {
    expect(expected).toContainEqual({ name: 'lodash.get', version: '4.4.2', dev: false, alias: 'lodash' });
    // string-width is installed under its own name (for wrap-ansi) and as string-width-cjs: no single alias.
    expect(expected).toContainEqual({ name: 'string-width', version: '4.2.3', dev: false });
    expect(expected).toContainEqual({ name: 'strip-ansi', version: '6.0.1', dev: false });
    expect(expected).toContainEqual({ name: 'tarpkg', version: '1.0.0', dev: true });
    expect(expected).toContainEqual({ name: 'is-number', version: '6.0.0', dev: true });
  });

  it('the lockfile and package.json alone give the packages, dev flags and aliases the tool installs', async () => {
    const { lines, warnings } = await scanLockfileOnly(app, LOCKFILE_ONLY);
    expect(lines).toEqual(toolLines(expected));
    expect(warnings).toEqual([]);
  }, 120_000);
});
