import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.ts';

describe('the customs executable', () => {
  it('runs from the repository root through npx, as package.json bin declares', () => {
    const output = execFileSync('npx', ['--no-install', 'customs', '--version'], { cwd: repoRoot, encoding: 'utf8' });
    expect(output).toMatch(/^customs \d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with one line on stderr for bad input, without a stack trace', () => {
    const run = spawnSync('node', ['bin/customs.mjs', 'sbom', 'oci:/nonexistent/layout'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('customs: /nonexistent/layout is not an OCI image layout (no oci-layout file)\n');
    expect(run.stdout).toBe('');
  });
});
