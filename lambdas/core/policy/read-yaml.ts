import { parseDocument } from 'yaml';
import { CustomsError } from '../errors.ts';
import { MAX_YAML_ALIASES } from './policy-limits.ts';

/**
 * Reads one YAML document as plain data, refusing anything beyond data: custom or language tags
 * (`!foo`, `!!js/function`), merge keys, several documents, and alias expansion past a small budget.
 * The core schema is forced so a `%YAML 1.1` directive cannot turn on its looser scalar rules.
 */
export function readYaml(text: string, what: string): unknown {
  const document = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true, prettyErrors: false, customTags: [] });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw new CustomsError('malformed', `${what}: not valid YAML: ${firstLine(problem.message)}`);
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // yaml reports an alias bomb as a ReferenceError; anything else is equally not data we can use.
    throw new CustomsError('malformed', `${what}: not valid YAML: ${firstLine(error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}
