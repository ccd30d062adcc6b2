import type { ImageReference } from '../core/image/reference.ts';
import { formatReference } from '../core/image/reference.ts';
import type { ScanLimits } from '../core/limits.ts';
import type { ImageSource } from '../core/ports.ts';
import { DockerArchiveSource } from './archive/docker-archive-source.ts';
import { TarArchive } from './archive/tar-archive.ts';
import { DirectoryLayoutFiles } from './oci-layout/layout-files.ts';
import { OciLayoutSource } from './oci-layout/oci-layout-source.ts';
import { createCredentialStore } from './oci-registry/credentials.ts';
import { createRegistrySource } from './oci-registry/registry-source.ts';

export interface OpenSourceOptions {
  readonly limits: ScanLimits;
  /** Talk plain HTTP to the registry even when it is not on loopback. */
  readonly plainHttp?: boolean;
}

/** Picks the adapter for a reference's transport. */
export async function openImageSource(ref: ImageReference, options: OpenSourceOptions): Promise<ImageSource> {
  const text = formatReference(ref);
  switch (ref.transport) {
    case 'registry':
      return createRegistrySource(ref, {
        credentials: createCredentialStore({ registry: ref.registry }),
        ...(options.plainHttp !== undefined ? { plainHttp: options.plainHttp } : {}),
      });
    case 'oci':
      return new OciLayoutSource(new DirectoryLayoutFiles(ref.path), text, ref.tag, options.limits);
    case 'oci-archive':
      return new OciLayoutSource(await TarArchive.open(ref.path, options.limits), text, ref.tag, options.limits);
    case 'docker-archive':
      return DockerArchiveSource.create(await TarArchive.open(ref.path, options.limits), text, ref.selector, options.limits);
  }
}
