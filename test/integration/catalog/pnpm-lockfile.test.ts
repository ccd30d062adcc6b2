import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pnpmScenario } from '../../support/pnpm-scenario.ts';
import { scanLockfileOnly, toolLines } from './lockfile-scenario-scan.ts';

const LOCKFILE_ONLY = ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml', 'packages/a/package.json', 'packages/b/package.json'];

describe.each([
  ['pnpm 12', 'pnpm12', 2],
  ['pnpm 9', 'pnpm9', 1],
] as const)('pnpm-lock.yaml written by %s, compared with pnpm list', (_name, tool, documents) => {
  const { app, expected } = pnpmScenario(tool);

  it('has the cases this test is about', () => {
    const lockfile = readFileSync(`${app}/pnpm-lock.yaml`, 'utf8');
    // pnpm 12 writes the tooling document (configDependencies) first, with importers and packages of its own.
    expect(lockfile.split(/^---$/m).filter((part) => part.trim() !== '').length).toBe(documents);
    if (documents === 2) expect(lockfile).toMatch(/configDependencies:\n\s+is-positive:/);
    expect(expected).toContainEqual({ name: 'lodash.get', version: '4.4.2', dev: false, alias: 'lodash' });
    expect(expected).toContainEqual({ name: 'tarpkg', version: '1.0.0', dev: true });
    expect(expected).toContainEqual({ name: 'is-number', version: '6.0.0', dev: true });
    expect(expected).toContainEqual({ name: 'kleur', version: '4.1.5', dev: false });
    expect(expected.find((pkg) => pkg.name === 'is-positive')).toBeUndefined();
  });

  it('the lockfile alone gives the packages, dev flags and aliases pnpm lists', async () => {
    const { lines, warnings } = await scanLockfileOnly(app, LOCKFILE_ONLY);
    expect(lines).toEqual(toolLines(expected));
    expect(warnings).toEqual([]);
  }, 120_000);
});
