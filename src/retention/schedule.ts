import type { Db } from '../db/client';
import { type Logger, silentLogger } from '../log';
import { cutoffOf } from './duration';
import { ensureEventPartitions } from './partitions';
import { describeReport } from './report';
import { applyRetention, type RetentionReport } from './retention';

export interface ScheduleOptions {
  /** PEDIGREE_RETENTION_DAYS: delete what is older than this many days; unset, only partitions are kept. */
  days: number | undefined;
  /** Between two turns (a day). */
  intervalMs?: number;
  /** Before the first turn, so that a start-up is not slowed by a pass (a minute). */
  firstDelayMs?: number;
  /** Where each turn's counts, or its failure, are logged. */
  logger?: Pick<Logger, 'info' | 'error'>;
}

const DAY = 86_400_000;

/**
 * The Node service's daily maintenance of stored events: the partitions of the coming months created, and
 * with PEDIGREE_RETENTION_DAYS, a retention pass, its counts logged. Several instances may run it: the
 * pass takes an advisory lock (retention.ts), so one deletes and the others skip that turn. A failing turn
 * is logged and the next one tries again.
 */
export class RetentionSchedule {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly options: ScheduleOptions,
  ) {}

  start(): void {
    this.arm(this.options.firstDelayMs ?? 60_000);
  }

  /** One turn now: partitions, then retention when configured. Undefined when no pass ran. */
  async turn(now = Date.now()): Promise<RetentionReport | undefined> {
    const logger = this.options.logger ?? silentLogger;
    await ensureEventPartitions(this.db, new Date(now));
    const days = this.options.days;
    if (!days) return undefined;
    const report = await applyRetention(this.db, { cutoff: cutoffOf(days * DAY, now) });
    if (report) logger.info({ retention: report }, describeReport(report, `${days}d`));
    else logger.info('retention: another instance is running a pass; skipped');
    return report;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  private arm(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.turn()
        .catch((err) =>
          (this.options.logger ?? silentLogger).error({ err }, 'retention: the scheduled turn failed; the next one tries again'),
        )
        .finally(() => {
          this.running = undefined;
          this.arm(this.options.intervalMs ?? DAY);
        });
    }, delay);
    // The schedule alone never keeps the process alive.
    this.timer.unref?.();
  }
}
