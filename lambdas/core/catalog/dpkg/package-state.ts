/** The package states dpkg knows (the third word of `Status`), per dpkg-query(1). */
const STATES = new Set(['not-installed', 'config-files', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending', 'installed']);

/** States in which the package's files are not on disk. */
const ABSENT_STATES = new Set(['not-installed', 'config-files']);

export type Presence = { readonly present: boolean } | { readonly problem: string };

/**
 * Whether a stanza's package is on disk. In dpkg's status file a stanza without `Status` is
 * not-installed, as dpkg-query reports it; distroless status.d stanzas never carry one and each
 * describes an installed package. A `Status` dpkg would refuse is a problem, not a guess.
 */
export function presenceOf(status: string | undefined, statusRequired: boolean): Presence {
  if (status === undefined) return { present: !statusRequired };
  const state = status.trim().split(/\s+/)[2];
  if (state === undefined || !STATES.has(state)) return { problem: `has a Status field dpkg cannot read (${JSON.stringify(status.slice(0, 60))})` };
  return { present: !ABSENT_STATES.has(state) };
}
