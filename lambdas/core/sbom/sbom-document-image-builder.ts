import type { Distro, ImageSbom, Package } from './model.ts';
import type { DocumentContext } from './sbom-document-context.ts';
import { assembleImage, distroFromQualifier, imageIdentity, type ImageDescription, type ImageIdentity } from './sbom-document-image.ts';
import { readDocumentPackage, type DocumentPackage } from './sbom-document-package.ts';
import { SbomDocumentWarnings } from './sbom-document-warnings.ts';

/** Gathers one platform image's packages, OS and warnings while a format reader walks the document. */
export class SbomDocumentImageBuilder {
  readonly warnings = new SbomDocumentWarnings();
  private readonly identity: ImageIdentity;
  private readonly packages: Package[] = [];
  private readonly ids = new Set<string>();
  private operatingSystem?: Distro;
  private distroQualifier?: string;

  constructor(
    private readonly context: DocumentContext,
    private readonly cataloger: string,
    description: ImageDescription | undefined,
    private readonly idPrefix?: string,
  ) {
    this.identity = imageIdentity(description, { ...context, warn: (message) => this.warnings.add(message) });
  }

  /** How the document is named, for what is read from it (Distro.source). */
  get documentSource(): string {
    return this.context.source;
  }

  addPackage(entry: DocumentPackage): void {
    const read = readDocumentPackage(entry, {
      cataloger: this.cataloger,
      warnings: this.warnings,
      ids: this.ids,
      ...(this.identity.layerDiffIds ? { layerDiffIds: this.identity.layerDiffIds } : {}),
      ...(this.idPrefix ? { idPrefix: this.idPrefix } : {}),
    });
    if (!read) return;
    this.packages.push(read.package);
    this.distroQualifier ??= read.distro;
  }

  /** The first OS the document declares wins; a second one is reported, not merged. */
  setOperatingSystem(distro: Distro): void {
    if (!this.operatingSystem) this.operatingSystem = distro;
    else if (distro.id !== this.operatingSystem.id || distro.versionId !== this.operatingSystem.versionId) {
      this.warnings.add(`operating system ${distro.id} ${distro.versionId ?? ''}`.trimEnd() + ` ignored: the image is already described as ${this.operatingSystem.id}`);
    }
  }

  build(documentWarnings: readonly string[] = []): ImageSbom {
    // Syft and Trivy also name the distribution in every OS package's purl; use it when no OS is declared.
    const distro = this.operatingSystem ?? (this.distroQualifier ? distroFromQualifier(this.distroQualifier, this.context.source) : undefined);
    return assembleImage(this.identity, distro, this.packages, [...documentWarnings, ...this.warnings.list()]);
  }
}
