import { z } from 'zod';

/** What the daily schedule sends (DAILY_REVIEW_INPUT in lib/constructs/daily-review.ts). */
export const DAILY_REVIEW_SOURCE = 'customs.schedule';
export const DAILY_REVIEW_ACTION = 'daily-review';

const dailyEventSchema = z.object({ source: z.literal(DAILY_REVIEW_SOURCE), action: z.literal(DAILY_REVIEW_ACTION) });

export type DailyReviewEvent = z.infer<typeof dailyEventSchema>;

/** Refuses anything but the schedule's input, naming what was wrong (nothing runs on a stray invoke). */
export function parseDailyEvent(event: unknown): DailyReviewEvent {
  const parsed = dailyEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`not a daily review event: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}
