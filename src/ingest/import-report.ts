import type { Deviation } from '../core/errors';

/** What became of one item of a batch. `line` (1-based) is set for NDJSON. */
export type ItemOutcome = Accepted | Rejected;

export interface Accepted {
  index: number;
  line?: number;
  outcome: 'accepted';
  id: string;
  warnings: Deviation[];
}

export interface Rejected {
  index: number;
  line?: number;
  /** `invalid`: the event cannot be understood (or stored); `tooLarge`: over the event limit. */
  outcome: 'invalid' | 'tooLarge';
  errors: Deviation[];
}

/** Warnings of accepted items, one entry per pointer and message. */
export interface WarningGroup extends Deviation {
  /** Accepted items with this warning. */
  count: number;
  firstIndex: number;
}

/**
 * A batch's outcome in bounded memory, whatever its number of items: the counts, the first rejected items
 * (what a client must fix), and the warnings grouped. Accepted items are only counted: each one's id is
 * the hash of its text (src/ids.ts), and the single-event endpoint answers it when needed.
 */
export interface ImportReport {
  received: number;
  accepted: number;
  rejected: number;
  /** The first LISTED_REJECTIONS rejected items, in order, each with at most LISTED_ERRORS errors. */
  rejections: Rejected[];
  /** The first LISTED_WARNING_GROUPS distinct warnings. */
  warnings: WarningGroup[];
}

export const LISTED_REJECTIONS = 1000;
export const LISTED_ERRORS = 20;
export const LISTED_WARNING_GROUPS = 100;

export class ReportBuilder {
  private readonly report: ImportReport = { received: 0, accepted: 0, rejected: 0, rejections: [], warnings: [] };
  private readonly groups = new Map<string, WarningGroup>();

  add(item: ItemOutcome): void {
    const r = this.report;
    r.received++;
    if (item.outcome !== 'accepted') {
      r.rejected++;
      if (r.rejections.length < LISTED_REJECTIONS) r.rejections.push({ ...item, errors: listed(item.errors) });
      return;
    }
    r.accepted++;
    for (const w of item.warnings) {
      const key = `${w.pointer}\u0000${w.message}`;
      const group = this.groups.get(key);
      if (group) group.count++;
      else if (this.groups.size < LISTED_WARNING_GROUPS) {
        const created = { ...w, count: 1, firstIndex: item.index };
        this.groups.set(key, created);
        r.warnings.push(created);
      }
    }
  }

  get result(): ImportReport {
    return this.report;
  }
}

/** At most `max` errors, the last saying how many more there were. */
export function listed(errors: Deviation[], max = LISTED_ERRORS): Deviation[] {
  if (errors.length <= max) return errors;
  const more = errors.length - (max - 1);
  return [...errors.slice(0, max - 1), { pointer: '', message: `and ${more} more deviations` }];
}
