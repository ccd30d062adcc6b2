import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMS_VERSION } from '../../../lambdas/core/version.ts';
import { runCli } from '../../support/cli.ts';
import { repoRoot } from '../../support/paths.ts';

describe('customs CLI (usage)', () => {
  it('prints help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: customs <command>');
    expect((await runCli(['sbom', '--help'])).stdout).toContain('oci-archive:FILE[:tag]');
  });

  it('reports its version, the one in package.json', async () => {
    const packageJson = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string };
    expect(CUSTOMS_VERSION).toBe(packageJson.version);
    expect((await runCli(['--version'])).stdout).toBe(`customs ${packageJson.version}\n`);
  });

  it.each([
    [[], /^Usage: customs/],
    [['inspect'], /^customs: unknown command "inspect" \(see customs --help\)\n$/],
    [['sbom'], /^customs: sbom needs an IMAGE \(see customs sbom --help\)\n$/],
    [['sbom', 'a', 'b'], /^customs: sbom takes one IMAGE, got 2\n$/],
    [['sbom', '--colour', 'x'], /^customs: Unknown option '--colour'/],
    [['sbom', '--format', 'xml', 'x'], /^customs: --format must be one of table, json, cyclonedx-json, not "xml"\n$/],
    [['sbom', '--platform', 'amd64', 'x'], /^customs: platform "amd64" is not of the form os\/arch\[\/variant\]/],
    [['sbom', '--max-file-size', 'lots', 'x'], /^customs: --max-file-size takes a size such as 64MiB/],
    [['sbom', 'Not A Valid/Reference'], /^customs: image reference "Not A Valid\/Reference"/],
    [['sbom', 'dir:/tmp/x'], /^customs: image reference "dir:\/tmp\/x" uses the dir: transport/],
  ])('exits 2 with a one-line reason for %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(`${run.stderr}${run.code === 2 && args.length === 0 ? run.stdout : ''}`).toMatch(message);
    expect(run.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
  });
});
