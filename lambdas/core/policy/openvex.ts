import { CustomsError } from '../errors.ts';
import { describeIssue, policyErrorMap } from './issue-messages.ts';
import { vexDocumentSchema, vexStatementSchema, type VexComponentDocument, type VexStatementDocument } from './openvex-schema.ts';
import { parsePurl } from './package-url.ts';
import { checkDocumentSize, MAX_VEX_DOCUMENT_BYTES } from './policy-limits.ts';
import { parseTimestamp } from './rfc3339.ts';
import { normaliseId } from './vulnerability-ids.ts';
import type { VexComponent, VexProduct, VexStatement } from './vex-statement.ts';

/** v0.2.0 is `https://openvex.dev/ns/v0.2.0`; the drafts used `https://openvex.dev/ns` and `…/ns/v0.0.x`. */
const OPENVEX_CONTEXT = /^https:\/\/openvex\.dev\/ns(?:\/v\d+\.\d+\.\d+)?\/?$/;

export interface OpenVexOptions {
  readonly maxBytes?: number;
}

/**
 * The statements of an OpenVEX JSON document; `source` names it in messages. Throws
 * CustomsError('malformed') naming the document and the 1-based statement, or 'limit' when too large.
 */
export function parseOpenVex(content: string, source: string, options: OpenVexOptions = {}): VexStatement[] {
  const what = `OpenVEX document ${source}`;
  checkDocumentSize(content, options.maxBytes ?? MAX_VEX_DOCUMENT_BYTES, what);
  let json: unknown;
  try {
    json = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CustomsError('malformed', `${what}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = vexDocumentSchema.safeParse(json, { error: policyErrorMap });
  if (!parsed.success) throw malformed(what, describeIssue(parsed.error.issues[0]!, 'the document'));
  const document = parsed.data;
  if (!OPENVEX_CONTEXT.test(document['@context'])) {
    throw malformed(what, `@context ${JSON.stringify(document['@context'])} is not an OpenVEX namespace (https://openvex.dev/ns/v0.2.0)`);
  }
  const documentTimestamp = document.last_updated ?? document.timestamp;
  if (documentTimestamp !== undefined && parseTimestamp(documentTimestamp) === undefined) {
    throw malformed(what, `timestamp ${JSON.stringify(documentTimestamp)} is not an RFC 3339 timestamp`);
  }
  return document.statements.map((statement, index) => toStatement(statement, source, index + 1, documentTimestamp));
}

function toStatement(value: unknown, source: string, number: number, documentTimestamp: string | undefined): VexStatement {
  const where = `OpenVEX document ${source}: statement ${number}`;
  const parsed = vexStatementSchema.safeParse(value, { error: policyErrorMap });
  if (!parsed.success) throw malformed(where, describeIssue(parsed.error.issues[0]!));
  const statement = parsed.data;
  // The spec requires a reason for not_affected; without one a suppression could not be explained.
  if (statement.status === 'not_affected' && !statement.justification && !statement.impact_statement?.trim()) {
    throw malformed(where, 'a not_affected statement needs a justification or an impact_statement');
  }
  const timestamp = statement.last_updated ?? statement.timestamp ?? documentTimestamp;
  const time = timestamp === undefined ? undefined : parseTimestamp(timestamp);
  if (timestamp !== undefined && time === undefined) throw malformed(where, `timestamp ${JSON.stringify(timestamp)} is not an RFC 3339 timestamp`);
  const { name, aliases = [] } = statement.vulnerability;
  return {
    vulnerability: name,
    ids: [...new Set([name, ...aliases].map(normaliseId))],
    products: productsOf(statement, where),
    status: statement.status,
    ...(statement.justification ? { justification: statement.justification } : {}),
    ...(statement.impact_statement?.trim() ? { impactStatement: statement.impact_statement.trim() } : {}),
    ...(statement.action_statement?.trim() ? { actionStatement: statement.action_statement.trim() } : {}),
    ...(timestamp !== undefined && time !== undefined ? { timestamp, time } : {}),
    document: source,
    statement: number,
  };
}

function productsOf(statement: VexStatementDocument, where: string): VexProduct[] {
  const shared = (statement.subcomponents ?? []).map((sub, index) => componentOf(sub, `${where}: subcomponents.${index}`));
  return statement.products.map((product, index) => {
    const subcomponents = (product.subcomponents ?? []).map((sub, subIndex) => componentOf(sub, `${where}: products.${index}.subcomponents.${subIndex}`));
    return { ...componentOf(product, `${where}: products.${index}`), subcomponents: [...subcomponents, ...shared] };
  });
}

/** `identifiers.purl` is preferred; an `@id` that is itself a purl serves as well. */
function componentOf(value: VexComponentDocument, where: string): VexComponent {
  const id = value['@id'] ?? value.identifiers?.purl;
  if (id === undefined) throw malformed(where, 'needs an @id or identifiers.purl');
  const purlText = value.identifiers?.purl ?? (/^pkg:/i.test(id) ? id : undefined);
  if (purlText === undefined) return { id };
  const purl = parsePurl(purlText);
  if (!purl) throw malformed(where, `${JSON.stringify(purlText)} is not a valid package URL`);
  return { id, purl };
}

function malformed(where: string, message: string): CustomsError {
  return new CustomsError('malformed', `${where}: ${message}`);
}
