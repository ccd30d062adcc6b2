import type { ImageDetail, SbomAnswer } from '../api-types.ts';
import { el, externalLink, routeLink } from '../dom.ts';
import { callApi } from '../page-api.ts';
import { shortDigest, verdictBadge, when } from './format.ts';

function bytes(size: number): string {
  if (size >= 1024 * 1024) return `${(size / 1024 / 1024).toFixed(1)} MiB`;
  if (size >= 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${size} B`;
}

/** What the image is: verdict, tags, distribution, platforms (an index), layers, the quarantine, and its SBOM to download. */
export async function imageFacts(repository: string, digest: string): Promise<HTMLElement> {
  const image = await callApi<ImageDetail>(`/images/${encodeURIComponent(digest)}`, { repository });
  const scan = image.scan;
  const facts = el(
    'dl',
    { id: 'image-facts', class: 'facts' },
    el('dt', {}, 'Verdict'),
    el('dd', {}, verdictBadge(image.verdict?.verdict), image.verdict?.reason ? ` ${image.verdict.reason}` : undefined),
    el('dt', {}, 'Tags'),
    el('dd', {}, image.tags.length > 0 ? image.tags.join(', ') : 'none'),
    el('dt', {}, 'Pushed'),
    el('dd', {}, when(image.pushedAt)),
    scan ? el('dt', {}, 'Distribution') : undefined,
    scan ? el('dd', {}, scan.distro ? `${scan.distro.name ?? scan.distro.id}${scan.distro.version ? ` ${scan.distro.version}` : ''}` : 'none found') : undefined,
    scan ? el('dt', {}, 'Packages') : undefined,
    scan ? el('dd', {}, scan.packages) : undefined,
    scan ? el('dt', {}, 'Scanned') : undefined,
    scan ? el('dd', {}, `${when(scan.finishedAt)} by Customs ${scan.scannerVersion}`) : undefined,
    image.quarantine ? el('dt', {}, 'Quarantine') : undefined,
    image.quarantine ? el('dd', {}, `${image.quarantine.state} since ${when(image.quarantine.startedAt)} (${image.quarantine.method}; tags removed: ${image.quarantine.removedTags.join(', ') || 'none'}) `, routeLink(`/quarantine/${encodeURIComponent(repository)}`, 'quarantine')) : undefined,
  );
  const platforms =
    image.platforms.length > 0
      ? el(
          'table',
          { id: 'platforms' },
          el('caption', {}, 'Platforms'),
          el('thead', {}, el('tr', {}, ...['Platform', 'Manifest', 'Scan', 'Verdict', 'Scanned'].map((label) => el('th', { scope: 'col' }, label)))),
          el('tbody', {}, ...image.platforms.map((platform) => el('tr', {}, el('td', {}, platform.platform ? [platform.platform.os, platform.platform.architecture, platform.platform.variant].filter(Boolean).join('/') : 'unknown'), el('td', {}, routeLink(`/image/${encodeURIComponent(repository)}/${platform.digest}`, el('code', {}, shortDigest(platform.digest)))), el('td', {}, platform.status), el('td', {}, verdictBadge(platform.verdict)), el('td', {}, when(platform.scannedAt))))),
        )
      : undefined;
  const added = scan ? await packagesByLayer(repository, digest) : undefined;
  const layers = scan
    ? el(
        'table',
        { id: 'layers' },
        el('caption', {}, `Layers (${scan.layers.length})`),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, '#'), el('th', { scope: 'col' }, 'Digest'), el('th', { scope: 'col' }, 'Compressed'), el('th', { scope: 'col' }, 'Packages it added'))),
        el(
          'tbody',
          {},
          ...scan.layers.map((layer, index) => {
            const names = added?.get(layer.digest) ?? [];
            const listed = names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
            return el('tr', { 'data-layer': layer.digest, 'data-packages': String(names.length) }, el('td', { class: 'num' }, index + 1), el('td', {}, el('code', {}, shortDigest(layer.digest))), el('td', { class: 'num' }, bytes(layer.size)), el('td', {}, added === undefined ? 'SBOM past the answer cap' : names.length === 0 ? 'none' : `${names.length}: ${listed}`));
          }),
        ),
      )
    : undefined;
  return el('section', { 'aria-label': 'Image' }, facts, sbomDownload(repository, digest), platforms, layers);
}

/** The CycloneDX SBOM the API returns, saved as a file (inline JSON), or a link to the presigned URL. */
function sbomDownload(repository: string, digest: string): HTMLElement {
  const button = el('button', { type: 'button', id: 'sbom-download' }, 'Download SBOM (CycloneDX 1.6)');
  const holder = el('p', { class: 'sbom' }, button);
  button.addEventListener('click', () => {
    button.disabled = true;
    callApi<SbomAnswer>(`/images/${encodeURIComponent(digest)}/sbom`, { repository }).then(
      (answer) => {
        button.disabled = false;
        if ('url' in answer) {
          holder.append(' ', externalLink(answer.url, `SBOM (${answer.bytes} bytes, link valid until ${when(answer.expiresAt)})`));
          return;
        }
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([JSON.stringify(answer.document, null, 2)], { type: 'application/vnd.cyclonedx+json' }));
        link.download = `${repository.replaceAll('/', '_')}_${digest.slice(7, 19)}.cdx.json`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      },
      (error: unknown) => {
        button.disabled = false;
        holder.append(` ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
  return holder;
}

/** Package names by the layer that added them, from the SBOM's `customs:layer:digest` properties; undefined when the SBOM is only a link. */
async function packagesByLayer(repository: string, digest: string): Promise<Map<string, string[]> | undefined> {
  const answer = await callApi<SbomAnswer>(`/images/${encodeURIComponent(digest)}/sbom`, { repository });
  if ('url' in answer) return undefined;
  const byLayer = new Map<string, string[]>();
  const components = Array.isArray(answer.document.components) ? (answer.document.components as unknown[]) : [];
  for (const component of components) {
    if (typeof component !== 'object' || component === null) continue;
    const { name, properties } = component as { name?: unknown; properties?: unknown };
    if (typeof name !== 'string' || !Array.isArray(properties)) continue;
    const layer = (properties as Array<{ name?: unknown; value?: unknown }>).find((property) => property.name === 'customs:layer:digest')?.value;
    if (typeof layer !== 'string') continue;
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), name]);
  }
  for (const names of byLayer.values()) names.sort();
  return byLayer;
}
