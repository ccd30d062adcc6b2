import type { Package } from '../sbom/model.ts';
import type { ImageContext } from './image-context.ts';
import type { ParsedPurl } from './package-url.ts';
import { purlMatches } from './purl-match.ts';
import type { VexComponent, VexProduct, VexStatement } from './vex-statement.ts';

/**
 * Whether a statement's products cover `pkg` in this image. A product is either the image itself
 * (a `pkg:oci` purl, see identifiesImage), which covers its listed subcomponents or, listing none,
 * every package in it; or a package purl, which covers that package, or, when it lists
 * subcomponents, those of them found in an image that also holds the product.
 */
export function statementCovers(statement: VexStatement, pkg: Package, image: ImageContext): boolean {
  const purl = image.purlOf(pkg);
  if (!purl) return false;
  return statement.products.some((product) => productCovers(product, purl, image));
}

function productCovers(product: VexProduct, purl: ParsedPurl, image: ImageContext): boolean {
  if (!product.purl) return false; // an IRI names something Customs cannot see in the image
  if (product.purl.type === 'oci') {
    if (!identifiesImage(product.purl, image)) return false;
    return product.subcomponents.length === 0 || anyCovers(product.subcomponents, purl);
  }
  if (product.subcomponents.length === 0) return purlMatches(product.purl, purl);
  const productPurl = product.purl;
  return anyCovers(product.subcomponents, purl) && image.packagePurls().some((candidate) => purlMatches(productPurl, candidate));
}

function anyCovers(components: readonly VexComponent[], purl: ParsedPurl): boolean {
  return components.some((component) => component.purl !== undefined && purlMatches(component.purl, purl));
}

/**
 * A `pkg:oci` purl names this image when its version is the image's manifest digest (or the digest of
 * the index it was selected from), or, without a version, when its name is the last segment of the
 * image's repository. `repository_url`, `tag` (any of the image's tags) and `arch` qualifiers must
 * then agree when given.
 */
export function identifiesImage(purl: ParsedPurl, image: ImageContext): boolean {
  const { sbom } = image;
  if (purl.version !== undefined) {
    const digest = purl.version.toLowerCase();
    if (digest !== sbom.manifestDigest && digest !== sbom.indexDigest) return false;
  } else if (purl.name.toLowerCase() !== lastSegment(sbom.repository)) {
    return false;
  }
  const { repository_url: repositoryUrl, tag, arch } = purl.qualifiers;
  if (repositoryUrl !== undefined && normaliseRepository(repositoryUrl) !== normaliseRepository(sbom.repository)) return false;
  if (tag !== undefined && !image.tags.includes(tag)) return false;
  if (arch !== undefined && arch !== sbom.platform.architecture) return false;
  return true;
}

function lastSegment(repository: string): string {
  return repository.slice(repository.lastIndexOf('/') + 1).toLowerCase();
}

function normaliseRepository(repository: string): string {
  return repository.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}
