import { SEVERITIES } from '../../core/findings/model.ts';
import { oneOf, onePositional, type ApiSubcommand } from './api-subcommand.ts';
import { REGISTRY_OPTIONS, REGISTRY_USAGE, registryQuery } from './image-scope.ts';
import { parseTagReference } from './image-reference.ts';
import { renderFields } from './render-table.ts';
import { tagGate } from './tag-gate.ts';

export const tagCommand: ApiSubcommand = {
  name: 'tag',
  synopsis: 'tag REPO:TAG [--fail-on SEVERITY]      what a tag names, its verdict; a CI deploy gate',
  usage: `Usage: customs api tag REPOSITORY:TAG [--fail-on SEVERITY] [options]

What a tag names now, its stored verdict and its history.

  --fail-on SEVERITY     a deploy gate: exit 1 unless the stored verdict is PASS with no unsuppressed
                         finding at SEVERITY or worse (${SEVERITIES.join(', ')}); also exit 1 when the
                         image was judged without advisories (ADVISORIES_UNAVAILABLE), is not judged
                         yet, failed to scan, is quarantined, or the tag names nothing now
${REGISTRY_USAGE}
Exit codes: 0 shown (or the gate passed), 1 the gate failed, 2 usage, input or API error.
`,
  options: { 'fail-on': { type: 'string' }, ...REGISTRY_OPTIONS },
  async run({ values, positionals, client }) {
    const reference = parseTagReference(onePositional(positionals, 'REPOSITORY:TAG', 'tag'));
    const failOn = oneOf(values, 'fail-on', SEVERITIES);
    const answer = await client.call('getTag', { path: {}, query: { repository: reference.repository, tag: reference.tag, ...registryQuery(values, reference) }, body: undefined });
    const gate = failOn === undefined ? undefined : tagGate(answer, failOn);
    const verdict = answer.verdict;
    return {
      json: gate === undefined ? answer : { ...answer, gate: { failOn, pass: gate.pass, reason: gate.reason } },
      code: gate?.pass === false ? 1 : 0,
      notes: gate === undefined ? [] : [`${gate.pass ? 'pass' : 'FAIL'}: ${gate.reason}`],
      table: () =>
        renderFields([
          ['tag', `${answer.repository}:${answer.tag}`],
          ['digest', answer.digest ?? '(none)'],
          ['verdict', verdict?.verdict ?? 'not judged'],
          ['reason', verdict?.reason],
          ['findings', verdict ? SEVERITIES.map((severity) => `${severity} ${verdict.counts[severity]}`).join(', ') : undefined],
          ['suppressed', verdict?.suppressedCount],
          ['failing', verdict?.failingIds.join(', ') || undefined],
          ['policy', verdict ? `${verdict.policyVersion} (fail on ${verdict.failOn})` : undefined],
          ['evaluated', verdict?.evaluatedAt],
          ['quarantined', answer.quarantined],
          ['history', answer.history.map((entry) => `${entry.at} ${entry.action} ${entry.digest.slice(0, 19)}`).join('\n           ') || undefined],
        ]),
    };
  },
};
