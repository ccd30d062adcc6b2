import type { ImageSbom, Package } from '../sbom/model.ts';
import { parsePurl, type ParsedPurl } from './package-url.ts';

/** One image while its findings are judged: purls are parsed once per package, not once per statement. */
export class ImageContext {
  private readonly purls = new Map<Package, ParsedPurl | undefined>();
  private all: ParsedPurl[] | undefined;

  constructor(readonly sbom: ImageSbom) {}

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
