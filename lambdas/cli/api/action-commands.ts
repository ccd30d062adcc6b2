import { CustomsError } from '../../core/errors.ts';
import { listOption, noPositionals, requiredOption, stringOption, type ApiSubcommand } from './api-subcommand.ts';
import { IMAGE_OPTIONS, imageArgument, REGISTRY_USAGE } from './image-scope.ts';
import { renderFields } from './render-table.ts';

export const releaseCommand: ApiSubcommand = {
  name: 'release',
  synopsis: 'release REPO@DIGEST --reason TEXT      restore a quarantined image\'s tags',
  usage: `Usage: customs api release REPOSITORY@sha256:DIGEST --reason TEXT [options]

Releases a quarantined image: its tags come back, except a tag pushed meanwhile (kept as it is).

  --reason TEXT          why (required; recorded with the action)
${REGISTRY_USAGE}`,
  options: { ...IMAGE_OPTIONS, reason: { type: 'string' } },
  async run({ values, positionals, client }) {
    const { digest, ...query } = imageArgument(values, positionals, 'release');
    const reason = requiredOption(values, 'reason', 'release');
    const answer = await client.call('releaseImage', { path: { digest }, query, body: { reason } });
    return {
      json: answer,
      table: () =>
        renderFields([
          ['outcome', answer.outcome],
          ['restored', answer.restoredTags.join(', ') || undefined],
          ['kept', answer.keptTags.map((one) => `${one.tag} (${one.reason})`).join(', ') || undefined],
          ['action', answer.action.id],
        ]),
    };
  },
};

export const rescanCommand: ApiSubcommand = {
  name: 'rescan',
  synopsis: 'rescan REPO@DIGEST [--reason TEXT]     re-match the stored SBOM, judge again',
  usage: `Usage: customs api rescan REPOSITORY@sha256:DIGEST [--reason TEXT] [options]

  --reason TEXT          why (recorded with the action)
${REGISTRY_USAGE}`,
  options: { ...IMAGE_OPTIONS, reason: { type: 'string' } },
  async run({ values, positionals, client }) {
    const { digest, ...query } = imageArgument(values, positionals, 'rescan');
    const reason = stringOption(values, 'reason');
    const answer = await client.call('rescanImage', { path: { digest }, query, body: reason === undefined ? {} : { reason } });
    return { json: answer, table: () => renderFields([['queued', answer.queued.join('\n        ') || '(none)'], ['action', answer.action.id]]) };
  },
};

export const backfillCommand: ApiSubcommand = {
  name: 'backfill',
  synopsis: 'backfill [--repository R]...          queue the images not scanned yet',
  usage: `Usage: customs api backfill [--repository REPO]... [options]

Queues the images this scanner version has not scanned. An answer with complete: false ran out of
time: run it again with --run-id to go on (nothing is queued twice).

  --repository REPO      a repository (repeatable; default: all you may act on)
  --max-age-days N       only images pushed in the last N days
  --reason TEXT          why (recorded with the action)
  --run-id ID            continue this run
`,
  options: { repository: { type: 'string', multiple: true }, 'max-age-days': { type: 'string' }, reason: { type: 'string' }, 'run-id': { type: 'string' } },
  async run({ values, positionals, client }) {
    noPositionals(positionals, 'backfill');
    const repositories = listOption(values, 'repository');
    const maxAge = stringOption(values, 'max-age-days');
    if (maxAge !== undefined && !/^\d{1,4}$/.test(maxAge)) throw new CustomsError('usage', `--max-age-days must be a whole number of days, not ${JSON.stringify(maxAge)}`);
    const reason = stringOption(values, 'reason');
    const runId = stringOption(values, 'run-id');
    const answer = await client.call('startBackfill', {
      path: {},
      query: {},
      body: {
        ...(repositories.length > 0 ? { repositories } : {}),
        ...(maxAge === undefined ? {} : { maxAgeDays: Number(maxAge) }),
        ...(reason === undefined ? {} : { reason }),
        ...(runId === undefined ? {} : { runId }),
      },
    });
    return {
      json: answer,
      notes: answer.complete ? [] : [`not complete: run again with --run-id ${answer.runId}`],
      table: () => renderFields([['run', answer.runId], ['repositories', answer.repositories], ['queued', answer.queued], ['skipped', answer.skipped], ['complete', answer.complete]]),
    };
  },
};
