import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths.ts';

describe('npm run demo (the README quick start)', () => {
  it('builds the sample image and inventories both platforms', () => {
    const output = execFileSync('npm', ['run', '--silent', 'demo', '--', '--format', 'json'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const report = JSON.parse(output) as { images: Array<{ platform: { architecture: string }; distro: { id: string }; packages: Array<{ name: string; location: { layerIndex: number } }> }> };
    expect(report.images.map((image) => image.platform.architecture)).toEqual(['amd64', 'arm64']);
    for (const image of report.images) {
      expect(image.distro.id).toBe('debian');
      expect(image.packages).toHaveLength(11);
      expect(image.packages.find((pkg) => pkg.name === 'curl')!.location.layerIndex).toBe(1);
      expect(image.packages.find((pkg) => pkg.name === 'libc6')!.location.layerIndex).toBe(0);
    }
  });
});
