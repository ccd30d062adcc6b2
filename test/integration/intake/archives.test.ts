import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OciLayoutWriter, sha256 } from '../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes, type TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { packageList, scan } from '../../support/scan.ts';

const work = mkdtempSync(join(tmpdir(), 'customs-archives-'));
const status = (...names: string[]): TarInput => ({ type: 'file', path: 'var/lib/dpkg/status', content: names.map((name) => `Package: ${name}\nStatus: install ok installed\nVersion: 1\n`).join('\n') });
const config = (diffIds: string[]) => JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } });

/** A `docker save` archive in the legacy layout: `<id>/layer.tar`, a shared layer stored once behind a symlink. */
function legacyDockerArchive(options: { corruptSecondLayer?: boolean } = {}): string {
  const base = tarBytes([{ type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }, status('base')]);
  const app = tarBytes([status('base', 'app')]);
  const tool = tarBytes([status('base', 'tool')]);
  const appConfig = config([sha256(base), sha256(app)]);
  const toolConfig = config([sha256(base), sha256(tool)]);
  const manifest = [
    { Config: `${sha256(Buffer.from(appConfig)).slice(7)}.json`, RepoTags: ['team/app:1'], Layers: ['base/layer.tar', 'app/layer.tar'] },
    { Config: `${sha256(Buffer.from(toolConfig)).slice(7)}.json`, RepoTags: ['docker.io/library/tool:latest'], Layers: ['shared/layer.tar', 'tool/layer.tar'] },
  ];
  const path = join(work, `legacy-${Math.random().toString(36).slice(2)}.tar`);
  writeFileSync(
    path,
    tarBytes([
      { type: 'file', path: 'manifest.json', content: JSON.stringify(manifest) },
      { type: 'file', path: manifest[0]!.Config, content: appConfig },
      { type: 'file', path: manifest[1]!.Config, content: toolConfig },
      { type: 'file', path: 'base/layer.tar', content: base },
      { type: 'symlink', path: 'shared/layer.tar', target: '../base/layer.tar' },
      { type: 'file', path: 'app/layer.tar', content: options.corruptSecondLayer ? Buffer.concat([app.subarray(0, 600), Buffer.from('!'), app.subarray(601)]) : app },
      { type: 'file', path: 'tool/layer.tar', content: tool },
    ]),
  );
  return path;
}

describe('docker archives', () => {
  it('picks an image by name or position; layers shared through symlinks are read', async () => {
    const archive = legacyDockerArchive();
    expect(packageList(await scan(`docker-archive:${archive}:team/app:1`))).toEqual([['app@1', 'base@1']]);
    expect(packageList(await scan(`docker-archive:${archive}:tool:latest`))).toEqual([['base@1', 'tool@1']]);
    const second = await scan(`docker-archive:${archive}:@1`);
    expect(second.images[0]).toMatchObject({ repository: 'docker.io/library/tool', tag: 'latest' });
  });

  it('asks which image when an archive holds several', async () => {
    await expect(scan(`docker-archive:${legacyDockerArchive()}`)).rejects.toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringMatching(/holds 2 images; pick one with .*\(@0 \(team\/app:1\), @1 \(docker.io\/library\/tool:latest\)\)$/) }),
    );
    await expect(scan(`docker-archive:${legacyDockerArchive()}:@7`)).rejects.toThrow(/has no image @7/);
  });

  it('checks layers against the config diffIDs', async () => {
    await expect(scan(`docker-archive:${legacyDockerArchive({ corruptSecondLayer: true })}:team/app:1`)).rejects.toThrow(/layer sha256:\w+ does not match its content/);
  });

  it('refuses compressed archives with a hint, and files that are not archives', async () => {
    const gz = join(work, 'image.tar.gz');
    writeFileSync(gz, gzipSync(tarBytes([{ type: 'file', path: 'manifest.json', content: '[]' }])));
    await expect(scan(`docker-archive:${gz}`)).rejects.toThrow(/is gzip-compressed; decompress it first/);
    const junk = join(work, 'junk.tar');
    writeFileSync(junk, Buffer.alloc(2048, 0x41));
    await expect(scan(`oci-archive:${junk}`)).rejects.toThrow(/tar header at offset 0 has a bad checksum/);
    await expect(scan(`oci-archive:${join(work, 'missing.tar')}`)).rejects.toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});

describe('OCI archives', () => {
  it('reads a layout tarred by GNU tar, choosing by tag', async () => {
    const dir = join(work, 'layout');
    const writer = new OciLayoutWriter(dir);
    const v1 = writer.image({ layers: [{ tar: tarBytes([status('one')]) }] });
    const v2 = writer.image({ layers: [{ tar: tarBytes([status('two')]) }] });
    writer.finish([
      { descriptor: v1, tag: 'v1' },
      { descriptor: v2, tag: 'v2' },
    ]);
    const archive = join(work, 'layout.tar');
    execFileSync('tar', ['-C', dir, '-cf', archive, '.']);
    expect(packageList(await scan(`oci-archive:${archive}:v2`))).toEqual([['two@1']]);
    expect(packageList(await scan(`oci-archive:${archive}`))).toEqual([['one@1'], ['two@1']]);
    expect((await scan(`oci-archive:${archive}`)).images[0]!.indexDigest).toBeUndefined();
  });
});
