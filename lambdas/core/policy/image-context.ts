import type { ImageSbom, Package } from '../sbom/model.ts';
import { parsePurl, type ParsedPurl } from './package-url.ts';

/**
 * An SBOM as an image is judged. The pipeline judges one digest in several repositories and under
 * every tag it has there now, so it passes those tags (and the judged repository) here; the CLI
 * judges the one tag it scanned, the SBOM's own.
 */
export type JudgedSbom = ImageSbom & { readonly currentTags?: readonly string[] };

/** One image while its findings are judged: purls are parsed once per package, not once per statement. */
export class ImageContext {
  private readonly purls = new Map<Package, ParsedPurl | undefined>();
  private all: ParsedPurl[] | undefined;
  /** The tags a `pkg:oci` statement's `tag` qualifier may name. */
  readonly tags: readonly string[];

  constructor(readonly sbom: JudgedSbom) {
    this.tags = sbom.currentTags ?? (sbom.tag !== undefined ? [sbom.tag] : []);
  }

  purlOf(pkg: Package): ParsedPurl | undefined {
    if (!this.purls.has(pkg)) this.purls.set(pkg, parsePurl(pkg.purl));
    return this.purls.get(pkg);
  }

  /** Every package of the image with a readable purl. */
  packagePurls(): ParsedPurl[] {
    this.all ??= this.sbom.packages.map((pkg) => this.purlOf(pkg)).filter((purl): purl is ParsedPurl => purl !== undefined);
    return this.all;
  }
}
