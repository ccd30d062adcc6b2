import { describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import { layoutOf } from '../../support/layout.ts';
import { auditableSection, elfSections, elfWithDepSection, noise } from '../../support/rust-auditable-binary.ts';
import { scan } from '../../support/scan.ts';

const catalogers = defaultCatalogers;

describe('a cargo auditable binary packed into an image', () => {
  it('lists its runtime crates as cargo purls located at the binary, and ignores a non-executable copy', async () => {
    const { path, bytes } = elfWithDepSection(
      auditableSection([
        { name: 'myapp', version: '0.1.0', source: 'local', dependencies: [1, 3], root: true },
        { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [2] },
        { name: 'itoa', version: '1.0.10', source: 'crates.io' },
        { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
      ]),
      { before: noise(32 * 1024, 4), after: noise(256 * 1024, 5) },
    );
    expect(elfSections(path).has('.dep-v0')).toBe(true);
    const dir = layoutOf([{ entries: [{ type: 'file', path: 'usr/local/bin/myapp', content: bytes, mode: 0o755 }, { type: 'file', path: 'srv/copy.bin', content: bytes, mode: 0o644 }] }]);
    const [image] = (await scan(`oci:${dir}`, { catalogers, limits: { maxCapturedFileBytes: 1024 } })).images;
    const cargo = image!.packages.filter((pkg) => pkg.type === 'cargo');
    expect(cargo.map((pkg) => pkg.purl).sort()).toEqual(['pkg:cargo/itoa@1.0.10', 'pkg:cargo/myapp@0.1.0', 'pkg:cargo/serde@1.0.193']);
    expect(cargo.every((pkg) => pkg.location.path === 'usr/local/bin/myapp' && pkg.location.layerIndex === 0 && pkg.cataloger === 'rust-binary')).toBe(true);
  });
});
