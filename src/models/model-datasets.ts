import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { selectByKey } from '../db/sql';
import { idOf, ids } from '../ids';
import { getDataset, getDatasetVersion, listDatasetVersions } from '../read/datasets';
import type { Page } from '../read/page';
import { trainingRuns, versionLinks } from './links';
import { findVersion, type ModelVersion } from './registry';
import { versionRef } from './uri';

/**
 * Model versions in Marquez's shapes. Marquez clients (and its web UI, which draws only DATASET and JOB
 * nodes) see each model version as a dataset of the reserved namespace `models`, named
 * `<model>/<version>`; the dataset endpoints answer for it, so the UI can open and walk from it.
 */
export const MODELS_NAMESPACE = 'models';

/**
 * The rule that decides whether `models`/`name` is a model version: the name is `<model>/<version>` (a
 * number, alias, stage or `latest`), that version is registered, and no dataset of that name has been
 * stored (a producer's own dataset always wins).
 */
export async function modelBehindDataset(db: Db, name: string): Promise<ModelVersion | undefined> {
  const slash = name.lastIndexOf('/');
  if (slash <= 0 || slash === name.length - 1) return undefined;
  const [stored, version] = await Promise.all([
    selectByKey<{ id: string }>(db, sql`select id from datasets where id = ${ids.dataset(MODELS_NAMESPACE, name)}`),
    findVersion(db, versionRef(name.slice(0, slash), name.slice(slash + 1))),
  ]);
  return stored.length ? undefined : version;
}

const modelBehind = (db: Db, namespace: string, name: string) =>
  namespace === MODELS_NAMESPACE ? modelBehindDataset(db, name) : Promise.resolve(undefined);

/** A dataset, or the model version behind its name (see modelBehindDataset). */
export async function getDatasetOrModel(db: Db, namespace: string, name: string) {
  const v = await modelBehind(db, namespace, name);
  return v ? (await modelDataset(db, v)).dataset : getDataset(db, namespace, name);
}

export async function listDatasetOrModelVersions(db: Db, namespace: string, name: string, page: Page) {
  const v = await modelBehind(db, namespace, name);
  return v ? { totalCount: 1, versions: [(await modelDataset(db, v)).version] } : listDatasetVersions(db, namespace, name, page);
}

export async function getDatasetOrModelVersion(db: Db, namespace: string, name: string, version: string) {
  const v = await modelBehind(db, namespace, name);
  // A model's one version is named by its id; anything else is looked up (and not found) as a dataset's.
  if (v && idOf('model_version', v.name, String(v.version)) === version.toLowerCase()) return (await modelDataset(db, v)).version;
  return getDatasetVersion(db, namespace, name, version);
}

/** A version as Marquez's DatasetData (the graph node the web UI draws). */
export function modelAsDataset(v: ModelVersion, runs: string[]) {
  const name = `${v.name}/${v.version}`;
  return {
    id: { namespace: MODELS_NAMESPACE, name },
    type: 'MODEL',
    name,
    physicalName: v.source ?? name,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    namespace: MODELS_NAMESPACE,
    sourceName: 'pedigree',
    fields: [],
    tags: v.aliases.map((a) => `@${a}`),
    lastModifiedAt: v.updatedAt,
    lastLifecycleState: '',
    description: `${v.name} version ${v.version}, ${v.stage}${v.aliases.length ? `, @${v.aliases.join(', @')}` : ''}`,
    model: { name: v.name, version: v.version, stage: v.stage, aliases: v.aliases, source: v.source, trainingRunIds: runs },
  };
}

/** A model version as Marquez's full Dataset and its one DatasetVersion (the web UI's version history). */
async function modelDataset(db: Db, v: ModelVersion) {
  const runs = trainingRuns(await versionLinks(db, v));
  const dataset = modelAsDataset(v, runs);
  const versionId = idOf('model_version', v.name, String(v.version));
  return {
    dataset: { ...dataset, currentVersion: versionId, columnLineage: null, facets: {}, deleted: false },
    version: {
      id: { namespace: MODELS_NAMESPACE, name: dataset.name, version: versionId },
      type: 'MODEL',
      name: dataset.name,
      physicalName: dataset.physicalName,
      createdAt: v.createdAt,
      version: versionId,
      datasetVersion: String(v.version),
      namespace: MODELS_NAMESPACE,
      sourceName: dataset.sourceName,
      fields: [],
      tags: dataset.tags,
      lifecycleState: '',
      description: dataset.description,
      createdByRun: null,
      facets: {},
    },
  };
}
