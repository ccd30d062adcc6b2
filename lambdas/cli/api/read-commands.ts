import { writeFile } from 'node:fs/promises';
import { SEVERITIES } from '../../core/findings/model.ts';
import { verdictParam } from '../../core/api/api-params.ts';
import { routes } from '../../core/api/routes.ts';
import { CustomsError } from '../../core/errors.ts';
import { booleanText, noPositionals, oneOf, onePositional, requiredOption, stringOption, type ApiSubcommand } from './api-subcommand.ts';
import { IMAGE_OPTIONS, imageArgument, REGISTRY_OPTIONS, REGISTRY_USAGE, registryQuery } from './image-scope.ts';
import { listing, nextNotes, PAGE_OPTIONS, PAGE_USAGE, pageQuery } from './listing.ts';
import { renderFields, renderTable, shortDigest } from './render-table.ts';

const severityColumns = <T>(counts: (row: T) => Record<(typeof SEVERITIES)[number], number> | undefined) =>
  (['CRITICAL', 'HIGH', 'MEDIUM'] as const).map((severity) => ({ header: severity.slice(0, 4), value: (row: T) => counts(row)?.[severity], align: 'right' as const }));

export const repositoriesCommand: ApiSubcommand = {
  name: 'repositories',
  synopsis: 'repositories [--prefix P]              the catalogue, with counts by verdict',
  usage: `Usage: customs api repositories [--prefix PREFIX] [options]

The repositories you may read, with image counts by verdict and findings by severity.

  --prefix PREFIX        only repositories whose names start so
${PAGE_USAGE}`,
  options: { prefix: { type: 'string' }, ...PAGE_OPTIONS },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'repositories');
    const prefix = stringOption(values, 'prefix');
    const answer = await listing(client, 'listRepositories', { path: {}, query: { ...(prefix === undefined ? {} : { prefix }), ...pageQuery(values) }, body: undefined }, values);
    return {
      json: answer,
      notes: nextNotes(answer),
      table: () =>
        renderTable(
          [
            { header: 'REPOSITORY', value: (row) => row.repository },
            { header: 'IMAGES', value: (row) => row.images, align: 'right' },
            { header: 'PASS', value: (row) => row.verdicts.PASS ?? 0, align: 'right' },
            { header: 'FAIL', value: (row) => row.verdicts.FAIL ?? 0, align: 'right' },
            { header: 'QUARANTINED', value: (row) => row.quarantined, align: 'right' },
            ...severityColumns<(typeof answer.items)[number]>((row) => row.findings),
            { header: 'LAST PUSH', value: (row) => row.lastPushAt },
          ],
          answer.items,
        ),
    };
  },
};

export const imagesCommand: ApiSubcommand = {
  name: 'images',
  synopsis: 'images --repository R [filters]        images of a repository, newest first',
  usage: `Usage: customs api images --repository REPO [options]

  --repository REPO      the repository (required)
  --verdict V            ${verdictParam.options.join(' | ')}
  --severity S           at least one unsuppressed finding this severe or worse
  --quarantined BOOL     true or false
${REGISTRY_USAGE}${PAGE_USAGE}`,
  options: { repository: { type: 'string' }, verdict: { type: 'string' }, severity: { type: 'string' }, quarantined: { type: 'string' }, ...REGISTRY_OPTIONS, ...PAGE_OPTIONS },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'images');
    const verdict = oneOf(values, 'verdict', verdictParam.options);
    const severity = oneOf(values, 'severity', SEVERITIES);
    const quarantined = booleanText(values, 'quarantined');
    const query = {
      repository: requiredOption(values, 'repository', 'images'),
      ...registryQuery(values),
      ...(verdict === undefined ? {} : { verdict }),
      ...(severity === undefined ? {} : { severity }),
      ...(quarantined === undefined ? {} : { quarantined }),
      ...pageQuery(values),
    };
    const answer = await listing(client, 'listImages', { path: {}, query, body: undefined }, values);
    return {
      json: answer,
      notes: nextNotes(answer),
      table: () =>
        renderTable(
          [
            { header: 'DIGEST', value: (row) => shortDigest(row.digest) },
            { header: 'TAGS', value: (row) => row.tags.join(',') },
            { header: 'PUSHED', value: (row) => row.pushedAt },
            { header: 'VERDICT', value: (row) => row.verdict?.verdict },
            ...severityColumns<(typeof answer.items)[number]>((row) => row.verdict?.counts),
            { header: 'QUARANTINED', value: (row) => row.quarantined },
          ],
          answer.items,
        ),
    };
  },
};

export const imageCommand: ApiSubcommand = {
  name: 'image',
  synopsis: 'image REPO@DIGEST                      one image: tags, platforms, scan, verdict',
  usage: `Usage: customs api image REPOSITORY@sha256:DIGEST [options]
       customs api image --repository REPO --digest sha256:DIGEST [options]

${REGISTRY_USAGE}`,
  options: IMAGE_OPTIONS,
  async run({ values, positionals, client }) {
    const { digest, ...query } = imageArgument(values, positionals, 'image');
    const image = await client.call('getImage', { path: { digest }, query, body: undefined });
    return {
      json: image,
      table: () =>
        renderFields([
          ['repository', image.repository],
          ['digest', image.digest],
          ['registry', `${image.account} ${image.region}`],
          ['kind', image.kind],
          ['tags', image.tags.join(', ') || undefined],
          ['pushed', image.pushedAt],
          ['deleted', image.deletedAt],
          ['verdict', image.verdict?.verdict],
          ['reason', image.verdict?.reason],
          ['findings', image.verdict ? SEVERITIES.map((severity) => `${severity} ${image.verdict!.counts[severity]}`).join(', ') : undefined],
          ['failing', image.verdict?.failingIds.join(', ') || undefined],
          ['evaluated', image.verdict?.evaluatedAt],
          ['quarantined', image.quarantined],
          ['platforms', image.platforms.map((one) => `${one.platform ? `${one.platform.os}/${one.platform.architecture}${one.platform.variant ? `/${one.platform.variant}` : ''}` : one.digest} ${one.verdict}`).join(', ') || undefined],
          ['packages', image.scan?.packages],
          ['distro', image.scan?.distro ? `${image.scan.distro.id} ${image.scan.distro.version ?? ''}`.trim() : undefined],
        ]),
    };
  },
};

export const findingsCommand: ApiSubcommand = {
  name: 'findings',
  synopsis: 'findings REPO@DIGEST [filters]         an image\'s findings, worst first',
  usage: `Usage: customs api findings REPOSITORY@sha256:DIGEST [options]

  --severity S           this severity or worse
  --fixable BOOL         true: only findings with a fixed version
  --suppressed BOOL      true: only suppressed findings; false: only unsuppressed
${REGISTRY_USAGE}${PAGE_USAGE}`,
  options: { ...IMAGE_OPTIONS, severity: { type: 'string' }, fixable: { type: 'string' }, suppressed: { type: 'string' }, ...PAGE_OPTIONS },
  async run({ values, positionals, client }) {
    const { digest, ...scope } = imageArgument(values, positionals, 'findings');
    const severity = oneOf(values, 'severity', SEVERITIES);
    const fixable = booleanText(values, 'fixable');
    const suppressed = booleanText(values, 'suppressed');
    const query = { ...scope, ...(severity === undefined ? {} : { severity }), ...(fixable === undefined ? {} : { fixable }), ...(suppressed === undefined ? {} : { suppressed }), ...pageQuery(values) };
    const answer = await listing(client, 'listFindings', { path: { digest }, query, body: undefined }, values);
    return {
      json: answer,
      notes: nextNotes(answer),
      table: () =>
        renderTable(
          [
            { header: 'ID', value: (row) => row.id },
            { header: 'SEVERITY', value: (row) => row.severity },
            { header: 'PACKAGE', value: (row) => row.package.name },
            { header: 'INSTALLED', value: (row) => row.installedVersion },
            { header: 'FIXED IN', value: (row) => row.fixedVersions.join(', ') || undefined },
            { header: 'SUPPRESSED', value: (row) => (row.suppressed ? row.suppressed.by : undefined) },
          ],
          answer.items,
        ),
    };
  },
};

export const sbomCommand: ApiSubcommand = {
  name: 'sbom',
  synopsis: 'sbom REPO@DIGEST [--output FILE]       the CycloneDX 1.6 SBOM (always JSON)',
  usage: `Usage: customs api sbom REPOSITORY@sha256:DIGEST [--output FILE] [options]

Writes the image's CycloneDX 1.6 document (the one customs sbom writes); a large one is fetched
from the short-lived URL the API answers with.

  --output FILE          write it to FILE instead of standard output
${REGISTRY_USAGE}`,
  options: { ...IMAGE_OPTIONS, output: { type: 'string' } },
  async run({ values, positionals, client }) {
    const { digest, ...query } = imageArgument(values, positionals, 'sbom');
    const answer = await client.call('getSbom', { path: { digest }, query, body: undefined });
    let text: string;
    if ('document' in answer) text = `${JSON.stringify(answer.document, null, 2)}\n`;
    else {
      // A presigned S3 URL: its own signature is in the query, no credentials are added.
      const download = await fetch(answer.url, { signal: AbortSignal.timeout(120_000) });
      if (!download.ok) throw new CustomsError('network', `the SBOM download answered HTTP ${download.status} (the URL expires at ${answer.expiresAt})`);
      text = await download.text();
    }
    const output = stringOption(values, 'output');
    if (output !== undefined) {
      await writeFile(output, text);
      return { json: { written: output, bytes: Buffer.byteLength(text) }, table: () => `wrote ${output} (${Buffer.byteLength(text)} bytes)\n` };
    }
    return { json: undefined, table: () => text, raw: text };
  },
};

export const verdictCommand: ApiSubcommand = {
  name: 'verdict',
  synopsis: 'verdict --repository R --digest D      the stored verdict (what admission asks)',
  usage: `Usage: customs api verdict --repository REPO --digest sha256:DIGEST [options]
       customs api verdict REPOSITORY@sha256:DIGEST [options]

The stored verdict of a digest in a repository, as an admission controller asks it.

  --require-allowed      exit 1 unless the answer allows the image to run
${REGISTRY_USAGE}`,
  options: { ...IMAGE_OPTIONS, 'require-allowed': { type: 'boolean' } },
  async run({ values, positionals, client }) {
    const query = imageArgument(values, positionals, 'verdict');
    const answer = await client.call('getVerdict', { path: {}, query, body: undefined });
    const refused = values['require-allowed'] === true && !answer.allowed;
    return {
      json: answer,
      code: refused ? 1 : 0,
      notes: refused ? [`${answer.repository}@${answer.digest} is not allowed: verdict ${answer.verdict}`] : [],
      table: () =>
        renderFields([
          ['repository', answer.repository],
          ['digest', answer.digest],
          ['verdict', answer.verdict],
          ['allowed', answer.allowed],
          ['failing', answer.failingCount],
          ['failing ids', answer.failingIds.join(', ') || undefined],
          ['quarantined', answer.quarantined],
          ['evaluated', answer.evaluatedAt],
        ]),
    };
  },
};

export const vulnerabilityCommand: ApiSubcommand = {
  name: 'vulnerability',
  synopsis: 'vulnerability ID [--repository-prefix P] images with a CVE, GHSA or any alias',
  usage: `Usage: customs api vulnerability ID [options]

Images affected by a vulnerability, by its ID or any alias (CVE, GHSA, DSA, OSV).

  --repository-prefix P  only repositories whose names start so
${PAGE_USAGE}`,
  options: { 'repository-prefix': { type: 'string' }, ...PAGE_OPTIONS },
  async run({ values, positionals, client }) {
    const id = onePositional(positionals, 'vulnerability ID', 'vulnerability');
    const prefix = stringOption(values, 'repository-prefix');
    const answer = await listing(client, 'listVulnerabilityImages', { path: { id }, query: { ...(prefix === undefined ? {} : { repositoryPrefix: prefix }), ...pageQuery(values) }, body: undefined }, values);
    return {
      json: answer,
      notes: [`${answer.id}: ${answer.resolvedIds.join(', ') || 'no record'}`, ...nextNotes(answer)],
      table: () =>
        renderTable(
          [
            { header: 'REPOSITORY', value: (row) => row.repository },
            { header: 'DIGEST', value: (row) => shortDigest(row.digest) },
            { header: 'TAGS', value: (row) => row.tags.join(',') },
            { header: 'PACKAGES', value: (row) => row.packages.join(', ') },
            { header: 'FINDINGS', value: (row) => row.findingIds.join(', ') },
          ],
          answer.items,
        ),
    };
  },
};

export const quarantineCommand: ApiSubcommand = {
  name: 'quarantine',
  synopsis: 'quarantine --repository R [--state S]  quarantine records, current and released',
  usage: `Usage: customs api quarantine --repository REPO [--state STATE] [options]

  --state STATE          ${routes.listQuarantine.query.shape.state.unwrap().options.join(' | ')}
${REGISTRY_USAGE}${PAGE_USAGE}`,
  options: { repository: { type: 'string' }, state: { type: 'string' }, ...REGISTRY_OPTIONS, ...PAGE_OPTIONS },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'quarantine');
    const state = oneOf(values, 'state', routes.listQuarantine.query.shape.state.unwrap().options);
    const query = { repository: requiredOption(values, 'repository', 'quarantine'), ...registryQuery(values), ...(state === undefined ? {} : { state }), ...pageQuery(values) };
    const answer = await listing(client, 'listQuarantine', { path: {}, query, body: undefined }, values);
    return {
      json: answer,
      notes: nextNotes(answer),
      table: () =>
        renderTable(
          [
            { header: 'DIGEST', value: (row) => shortDigest(row.key.digest) },
            { header: 'STATE', value: (row) => row.state },
            { header: 'METHOD', value: (row) => row.method },
            { header: 'STARTED', value: (row) => row.startedAt },
            { header: 'TAGS REMOVED', value: (row) => row.removedTags.map((one) => one.tag).join(',') },
            { header: 'FAILING', value: (row) => row.failingIds.join(', ') },
            { header: 'RELEASED BY', value: (row) => row.release?.by },
          ],
          answer.items,
        ),
    };
  },
};

export const coverageCommand: ApiSubcommand = {
  name: 'coverage',
  synopsis: 'coverage [--prefix P]                  scanned, failed, unsupported, waiting, stale',
  usage: `Usage: customs api coverage [--prefix PREFIX] [options]
`,
  options: { prefix: { type: 'string' } },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'coverage');
    const prefix = stringOption(values, 'prefix');
    const answer = await client.call('getCoverage', { path: {}, query: prefix === undefined ? {} : { prefix }, body: undefined });
    return { json: answer, table: () => renderFields(Object.entries(answer)) };
  },
};

export const historyCommand: ApiSubcommand = {
  name: 'history',
  synopsis: 'history [--repository R] [--days N]    daily counts by severity',
  usage: `Usage: customs api history [--repository REPO] [--days N] [options]

  --repository REPO      one repository (default: all you may read)
  --days N               how many days back, 1-400
${REGISTRY_USAGE}`,
  options: { repository: { type: 'string' }, days: { type: 'string' }, ...REGISTRY_OPTIONS },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'history');
    const repository = stringOption(values, 'repository');
    const days = stringOption(values, 'days');
    const answer = await client.call('getHistory', { path: {}, query: { ...(repository === undefined ? {} : { repository }), ...registryQuery(values), ...(days === undefined ? {} : { days }) }, body: undefined });
    return {
      json: answer,
      table: () =>
        renderTable(
          [
            { header: 'DATE', value: (row) => row.date },
            { header: 'IMAGES', value: (row) => row.images, align: 'right' },
            ...SEVERITIES.map((severity) => ({ header: severity, value: (row: (typeof answer.days)[number]) => row.findings[severity], align: 'right' as const })),
          ],
          answer.days,
        ),
    };
  },
};

export const actionsCommand: ApiSubcommand = {
  name: 'actions',
  synopsis: 'actions [--repository R]               actions taken (who, when, why)',
  usage: `Usage: customs api actions [--repository REPO] [options]

${REGISTRY_USAGE}${PAGE_USAGE}`,
  options: { repository: { type: 'string' }, ...REGISTRY_OPTIONS, ...PAGE_OPTIONS },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'actions');
    const repository = stringOption(values, 'repository');
    const answer = await listing(client, 'listActions', { path: {}, query: { ...(repository === undefined ? {} : { repository }), ...registryQuery(values), ...pageQuery(values) }, body: undefined }, values);
    return {
      json: answer,
      notes: nextNotes(answer),
      table: () =>
        renderTable(
          [
            { header: 'AT', value: (row) => row.at },
            { header: 'ACTION', value: (row) => row.action },
            { header: 'PRINCIPAL', value: (row) => row.principal },
            { header: 'TARGET', value: (row) => Object.entries(row.target).map(([key, value]) => `${key}=${value}`).join(' ') },
            { header: 'OUTCOME', value: (row) => row.outcome },
            { header: 'REASON', value: (row) => row.reason },
          ],
          answer.items,
        ),
    };
  },
};

export const advisoriesCommand: ApiSubcommand = {
  name: 'advisories',
  synopsis: 'advisories                             advisory sync status per ecosystem',
  usage: `Usage: customs api advisories [options]
`,
  options: {},
  async run({ positionals, client }) {
    noPositionals(positionals, 'advisories');
    const answer = await client.call('getAdvisoryStatus', { path: {}, query: {}, body: undefined });
    return {
      json: answer,
      table: () =>
        renderTable(
          [
            { header: 'ECOSYSTEM', value: (row) => row.ecosystem },
            { header: 'MODIFIED THROUGH', value: (row) => row.modifiedThrough },
            { header: 'SYNCED', value: (row) => row.syncedAt },
            { header: 'STALE', value: (row) => row.stale },
            { header: 'WAITING', value: (row) => row.waitingImages, align: 'right' },
          ],
          answer.ecosystems,
        ),
    };
  },
};
