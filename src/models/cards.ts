import { sql } from 'drizzle-orm';
import { invalid } from '../core/errors';
import type { Db } from '../db/client';
import { iso, selectByKey } from '../db/sql';
import { appendAudit } from './audit';
import { versionLinks } from './links';
import type { ModelVersion } from './registry';
import { linkedTrainingRuns, type TrainingRun } from './training';

/** Structured fields of a model card; anything else the caller sends is kept too. */
export interface CardFields {
  intendedUse?: string;
  limitations?: string;
  metrics?: Record<string, number | string>;
  [key: string]: unknown;
}

export interface ModelCard {
  name: string;
  version: number;
  markdown: string;
  fields: CardFields;
  updatedBy: string | null;
  updatedAt: string | null;
  /** Generated from lineage at read time: the confirmed training runs' inputs at their exact versions. */
  trainingData: { runId: string; job: TrainingRun['job']; inputs: TrainingRun['inputs'] }[];
  trainingDataMarkdown: string;
}

/** What was written of a version's card (no row: nothing yet). */
export async function cardRow(db: Db, v: Pick<ModelVersion, 'name' | 'version'>) {
  const [row] = await selectByKey<{ markdown: string; fields: CardFields; updatedBy: string; updatedAt: string }>(
    db,
    sql`select markdown, fields, updated_by as "updatedBy", ${iso(sql`updated_at`)} as "updatedAt" from model_cards
      where model_name = ${v.name} and version = ${v.version}`,
  );
  return row;
}

export async function getCard(db: Db, v: ModelVersion): Promise<ModelCard> {
  const [row, runs] = await Promise.all([cardRow(db, v), versionLinks(db, v).then((l) => linkedTrainingRuns(db, l))]);
  const trainingData = runs.map((r) => ({ runId: r.runId, job: r.job, inputs: r.inputs }));
  return {
    name: v.name,
    version: v.version,
    markdown: row?.markdown ?? '',
    fields: row?.fields ?? {},
    updatedBy: row?.updatedBy ?? null,
    updatedAt: row?.updatedAt ?? null,
    trainingData,
    trainingDataMarkdown: trainingDataMarkdown(trainingData),
  };
}

function trainingDataMarkdown(data: ModelCard['trainingData']): string {
  if (data.length === 0) return '## Training data\n\nNo training run is linked to this version yet.\n';
  const lines = ['## Training data', ''];
  for (const run of data) {
    lines.push(`Run \`${run.runId}\` of job \`${run.job.namespace}:${run.job.name}\` read:`, '');
    for (const i of run.inputs)
      lines.push(
        `- \`${i.namespace}:${i.name}\` at version \`${i.version ?? 'unknown'}\`${i.fields ? ` (${i.fields.length} fields)` : ''}`,
      );
    lines.push('');
  }
  return lines.join('\n');
}

export async function putCard(db: Db, actor: string, v: ModelVersion, body: unknown): Promise<ModelCard> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.markdown !== 'string') throw invalid('/markdown', 'markdown must be a string');
  const fields = b.fields ?? {};
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw invalid('/fields', 'fields must be an object');
  await db.transaction(async (query) => {
    await query(sql`insert into model_cards (model_name, version, markdown, fields, updated_by, updated_at)
      values (${v.name}, ${v.version}, ${b.markdown}, ${JSON.stringify(fields)}::text::jsonb, ${actor}, now())
      on conflict (model_name, version) do update set markdown = excluded.markdown, fields = excluded.fields,
        updated_by = excluded.updated_by, updated_at = now()`);
    await appendAudit(query, {
      actor,
      action: 'card.updated',
      modelName: v.name,
      version: v.version,
      detail: { fields: Object.keys(fields) },
    });
  });
  return getCard(db, v);
}
