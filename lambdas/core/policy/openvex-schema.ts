import { z } from 'zod';
import { VEX_JUSTIFICATIONS, VEX_STATUSES } from './vex-statement.ts';

/**
 * The parts of an OpenVEX document (https://github.com/openvex/spec, v0.2.0 and the 0.0.x drafts)
 * Customs reads. Objects are loose: the spec is JSON-LD and producers add fields. Earlier drafts
 * wrote vulnerabilities, products and subcomponents as bare strings; those are read as `name`/`@id`.
 */

const nonEmpty = z.string().trim().min(1);

const componentObject = z.looseObject({
  '@id': nonEmpty.optional(),
  identifiers: z.looseObject({ purl: nonEmpty.optional() }).optional(),
});

const component = z.preprocess((value) => (typeof value === 'string' ? { '@id': value } : value), componentObject);

const product = z.preprocess(
  (value) => (typeof value === 'string' ? { '@id': value } : value),
  componentObject.extend({ subcomponents: z.array(component).optional() }),
);

const vulnerability = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.looseObject({ name: nonEmpty, '@id': z.string().optional(), aliases: z.array(nonEmpty).optional() }),
);

export const vexStatementSchema = z.looseObject({
  vulnerability,
  products: z.array(product).min(1),
  /** 0.0.x drafts listed subcomponents beside the products rather than inside them. */
  subcomponents: z.array(component).optional(),
  status: z.enum(VEX_STATUSES),
  justification: z.enum(VEX_JUSTIFICATIONS).optional(),
  impact_statement: z.string().optional(),
  action_statement: z.string().optional(),
  timestamp: nonEmpty.optional(),
  last_updated: nonEmpty.optional(),
});

export const vexDocumentSchema = z.looseObject({
  '@context': z.string(),
  '@id': z.string().optional(),
  timestamp: nonEmpty.optional(),
  last_updated: nonEmpty.optional(),
  statements: z.array(z.unknown()),
});

export type VexStatementDocument = z.infer<typeof vexStatementSchema>;
export type VexComponentDocument = z.infer<typeof componentObject>;
