import { createHash } from 'node:crypto';
import { TOOL } from '../../version.ts';
import { renderCycloneDx } from '../../report/cyclonedx.ts';
import type { ImageSbom } from '../../sbom/model.ts';
import type { ApiCallContext } from '../api-context.ts';
import { notFound } from '../api-error.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { imageKeyOf, iso, type Input, type Output } from './read-helpers.ts';

/** Below the HTTP API's 6 MB cap with room for the JSON around it. */
export const DEFAULT_INLINE_SBOM_BYTES = 4 * 1024 * 1024;

/**
 * The CycloneDX 1.6 document `customs sbom` writes for the image (an index: every platform child
 * with a stored SBOM), rendered by the same code from the stored SBOMs. Past the inline cap it is
 * published as a large answer and a short-lived URL is answered instead.
 */
export async function getSbom(input: Input<'getSbom'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getSbom'> {
  const key = imageKeyOf(input.query, input.path.digest, context);
  const state = await deps.images.get(key);
  if (!state) throw notFound(`no image ${key.digest} in ${key.repository}`);
  const platforms = state.children.length > 0 ? state.children : [state.digest];
  const scans = await Promise.all(platforms.map((digest) => deps.results.get(digest)));
  const sboms: ImageSbom[] = [];
  for (const scan of scans) if (scan?.sbom) sboms.push(await deps.sboms.get(scan.sbom));
  if (sboms.length === 0) throw notFound(`no SBOM stored for ${key.digest} in ${key.repository}`);
  const reference = `${key.account}.dkr.ecr.${key.region}.amazonaws.com/${key.repository}@${key.digest}`;
  const text = renderCycloneDx({ reference, images: sboms }, { tool: TOOL, generatedAt: context.now });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= (deps.options.inlineSbomBytes ?? DEFAULT_INLINE_SBOM_BYTES)) {
    return { format: 'CycloneDX', specVersion: '1.6', document: JSON.parse(text) as Record<string, unknown> };
  }
  // Named by image (hashed: repository names may hold characters object names should not) and time, so URLs never collide.
  const name = createHash('sha256').update(`${key.account}/${key.region}/${key.repository}/${key.digest}`).digest('hex').slice(0, 32);
  const published = await deps.largeAnswers.publish(`sbom/${name}-${String(context.now.getTime())}.cdx.json`, Buffer.from(text, 'utf8'), 'application/vnd.cyclonedx+json; version=1.6', context.now);
  return { format: 'CycloneDX', specVersion: '1.6', url: published.url, expiresAt: iso(published.expiresAt), bytes };
}
