import type { ParsedPurl } from './package-url.ts';

export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

/** A product or subcomponent: its identifier as written, and its purl when it has one. */
export interface VexComponent {
  readonly id: string;
  readonly purl?: ParsedPurl;
}

export interface VexProduct extends VexComponent {
  readonly subcomponents: readonly VexComponent[];
}

/** One OpenVEX statement, flattened for matching. */
export interface VexStatement {
  /** The vulnerability's name as written, for messages. */
  readonly vulnerability: string;
  /** Its name and aliases, normalised for matching. */
  readonly ids: readonly string[];
  readonly products: readonly VexProduct[];
  readonly status: VexStatus;
  readonly justification?: VexJustification;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  /** When the statement was last made (its own timestamp, else the document's), as written and in ms. */
  readonly timestamp?: string;
  readonly time?: number;
  /** The document it came from and its 1-based position there, for messages. */
  readonly document: string;
  readonly statement: number;
}

/** Statements that take a finding out of the results. */
export function suppresses(status: VexStatus): boolean {
  return status === 'not_affected' || status === 'fixed';
}
