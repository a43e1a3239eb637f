import { randomUUID } from 'node:crypto';
import { corpusFiles, corpusText } from './events';
import { etlEvents, ORDERS_V21_FIELDS, ORDERS_V22_FIELDS, TRAINING_V1, TRAINING_V2, trainingEvents } from './model-story';

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely.
type Json = Record<string, any>;

/** Calls a running Pedigree over HTTP as `actor` (authentication off), expecting a 2xx. */
export function httpCalls(baseUrl: string) {
  return async function call(method: string, path: string, body?: unknown, actor = 'alice'): Promise<Json> {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      // Events posted are read next: their answer waits until they are normalized (other routes ignore it).
      headers: { 'content-type': 'application/json', 'x-pedigree-actor': actor, prefer: 'wait=normalized' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 400)}`);
    return (text ? JSON.parse(text) : {}) as Json;
  };
}

export const STORY = { model: 'clf', endpoint: '/predict', environment: 'production', trainingRun: 'exp-47b' } as const;

/**
 * What the web UI is tried on, through HTTP only: the shared corpus of real events (one batch; the events
 * it refuses show on the producers page), then the model story:
 * - `clf` version 1, trained by run exp-47b on orders 2.1 and users 3.0, approved by bob, in Production,
 *   served at /predict (production) by carol, alias `champion`, with a card;
 * - version 2, trained by exp-52c on orders 2.2 (`discount` dropped), a new commit and learning rate,
 *   in Staging and not approved: the diff and the approval are left to do.
 */
export async function seedStory(baseUrl: string, { corpus = true } = {}): Promise<{ trainingRuns: [string, string] }> {
  const call = httpCalls(baseUrl);
  const mlflow = (path: string, body: unknown, actor?: string) => call('POST', `/api/2.0/mlflow/${path}`, body, actor);
  if (corpus) {
    const batch = `[${corpusFiles().map(corpusText).join(',')}]`;
    await call('POST', '/api/v1/lineage/batch', batch);
  }
  const events = (list: unknown[]) => call('POST', '/api/v1/lineage/batch', list);
  const runs: [string, string] = [randomUUID(), randomUUID()];

  await events(etlEvents(randomUUID(), '2026-03-01T01:00:00Z', '2.1', ORDERS_V21_FIELDS));
  await events(trainingEvents({ runId: runs[0], ...TRAINING_V1 }));
  await mlflow('registered-models/create', { name: 'clf', description: 'churn classifier', tags: [{ key: 'team', value: 'growth' }] });
  await mlflow('model-versions/create', { name: 'clf', source: 's3://models/clf/2.1', run_id: 'exp-47b' });
  await mlflow('model-versions/transition-stage', { name: 'clf', version: '1', stage: 'Staging', archive_existing_versions: false });
  await call('POST', '/api/v1/models/clf/versions/1/approvals', { comment: 'metrics reviewed' }, 'bob');
  await call('PUT', '/api/v1/models/clf/versions/1/card', {
    markdown: '# clf v1\n\nChurn classifier for the **growth** team.\n\n- trained on orders 2.1 and users 3.0\n- validation AUC 0.91',
    fields: { intendedUse: 'churn scoring', metrics: { val_auc: 0.91 } },
  });
  await mlflow('model-versions/transition-stage', { name: 'clf', version: '1', stage: 'Production', archive_existing_versions: true });
  await call('POST', '/api/v1/deployments', { endpoint: '/predict', model: 'clf', version: '1', environment: 'production' }, 'carol');
  await mlflow('registered-models/alias', { name: 'clf', alias: 'champion', version: '1' });

  await events(etlEvents(randomUUID(), '2026-04-01T01:00:00Z', '2.2', ORDERS_V22_FIELDS));
  await events(trainingEvents({ runId: runs[1], ...TRAINING_V2 }));
  await mlflow('model-versions/create', { name: 'clf', source: 's3://models/clf/2.2', run_id: 'exp-52c' });
  await mlflow('model-versions/transition-stage', { name: 'clf', version: '2', stage: 'Staging', archive_existing_versions: false });
  return { trainingRuns: runs };
}
