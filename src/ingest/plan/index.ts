import type { Deviation } from '../../core/errors';
import type { UnderstoodEvent } from '../understand';
import { planDatasetEvent } from './dataset-event';
import type { EventPlan } from './event-plan';
import { planJobEvent } from './job-event';
import { PlanBuilder } from './plan-builder';
import { planRunEvent } from './run-event';

export type { EventPlan } from './event-plan';

/**
 * Maps one understood event to rows; what it has to leave out is added to `warnings`. `eventId` is the
 * stored event's id (from its content hash); it breaks ties between events with the same event time, so
 * merges stay deterministic.
 */
export function planEvent(u: UnderstoodEvent, eventId: string, raw: string, warnings: Deviation[]): EventPlan {
  const plan = new PlanBuilder(u, eventId, raw, warnings);
  // understand() guarantees what each kind is about: a DatasetEvent its dataset, the others their job.
  if (u.kind === 'dataset') planDatasetEvent(plan, u.event, u.dataset!);
  else if (u.kind === 'job') planJobEvent(plan, u.event, u.job!);
  else planRunEvent(plan, u);
  return plan.plan;
}
