/** Customs' own version, reported in SBOMs; kept equal to package.json by a test. */
export const CUSTOMS_VERSION = '0.1.0';
export const TOOL = { name: 'customs', version: CUSTOMS_VERSION } as const;
