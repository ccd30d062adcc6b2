/** Calendar dates and RFC 3339 timestamps, checked strictly (Date.parse alone rolls 02-30 over to March). */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds at the start (00:00 UTC) of a `YYYY-MM-DD` date, or undefined when it is no real date. */
export function parseCalendarDate(text: string): number | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  return utcDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Milliseconds of an RFC 3339 date-time, or undefined when it is not one. */
export function parseTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match || utcDay(Number(match[1]), Number(match[2]), Number(match[3])) === undefined) return undefined;
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 60) return undefined;
  // Date.parse knows no leap seconds: 23:59:60 is read as 23:59:59.
  const ms = Date.parse(text.replace(/:60(?=[.Zz+-])/, ':59').replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

function utcDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return ms;
}
