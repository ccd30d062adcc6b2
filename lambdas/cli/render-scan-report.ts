import type { VulnerabilityReport } from '../core/findings/model.ts';
import { renderCycloneDxWithVulnerabilities } from '../core/report/cyclonedx.ts';
import { renderFindingsTable } from '../core/report/findings-table.ts';
import { renderSarif } from '../core/report/sarif.ts';
import { renderScanJson } from '../core/report/scan-json.ts';
import { renderSpdx } from '../core/report/spdx.ts';
import { TOOL } from '../core/version.ts';

export const SCAN_FORMATS = ['table', 'json', 'sarif', 'cyclonedx-json', 'spdx-json'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

export function renderVulnerabilityReport(report: VulnerabilityReport, format: ScanFormat, options: { color: boolean; generatedAt: Date }): string {
  const meta = { tool: TOOL, generatedAt: options.generatedAt };
  switch (format) {
    case 'table':
      return renderFindingsTable(report, { color: options.color });
    case 'json':
      return renderScanJson(report, meta);
    case 'sarif':
      return renderSarif(report, meta);
    case 'cyclonedx-json':
      return renderCycloneDxWithVulnerabilities(report, meta);
    case 'spdx-json':
      return renderSpdx(report, meta);
  }
}
