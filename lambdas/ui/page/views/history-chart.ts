import type { HistoryAnswer } from '../api-types.ts';
import { el } from '../dom.ts';
import { callApi } from '../page-api.ts';

const SVG = 'http://www.w3.org/2000/svg';
const STACK = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

function svg(tag: string, attributes: Readonly<Record<string, string | number>>): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * Findings by severity per day (the API's history, kept by the daily pass) as stacked bars, with
 * the same numbers as a table for screen readers and for reading exact values.
 */
export async function historyChart(days = 30): Promise<HTMLElement> {
  const { days: history } = await callApi<HistoryAnswer>('/history', { days: String(days) });
  if (history.length === 0) return el('p', { id: 'history', class: 'status' }, 'No history yet: the daily pass records one point a day.');
  const width = 640;
  const height = 160;
  const step = width / history.length;
  const peak = Math.max(1, ...history.map((day) => STACK.reduce((sum, severity) => sum + day.findings[severity], 0)));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 20}`, role: 'img', 'aria-labelledby': 'history-caption', class: 'chart' });
  history.forEach((day, index) => {
    let top = height;
    for (const severity of STACK) {
      const barHeight = (day.findings[severity] / peak) * height;
      if (barHeight <= 0) continue;
      top -= barHeight;
      const bar = svg('rect', { x: index * step + 1, y: top, width: Math.max(1, step - 2), height: barHeight, class: `bar-${severity.toLowerCase()}` });
      const title = svg('title', {});
      title.textContent = `${day.date}: ${day.findings[severity]} ${severity}`;
      bar.appendChild(title);
      chart.appendChild(bar);
    }
  });
  const first = svg('text', { x: 0, y: height + 16, class: 'axis' });
  first.textContent = history[0]!.date;
  const last = svg('text', { x: width, y: height + 16, 'text-anchor': 'end', class: 'axis' });
  last.textContent = history.at(-1)!.date;
  chart.append(first, last);
  const latest = history.at(-1)!;
  return el(
    'figure',
    { id: 'history' },
    chart,
    el('figcaption', { id: 'history-caption' }, `Findings by severity, last ${history.length} days; on ${latest.date}: ${STACK.map((severity) => `${latest.findings[severity]} ${severity.toLowerCase()}`).join(', ')}`),
    el('details', {}, el('summary', {}, 'As a table'), el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Day'), ...STACK.map((severity) => el('th', { scope: 'col' }, severity)))), el('tbody', {}, ...history.map((day) => el('tr', {}, el('th', { scope: 'row' }, day.date), ...STACK.map((severity) => el('td', { class: 'num' }, day.findings[severity]))))))),
  );
}
