/**
 * Every advisory lock key Pedigree takes (pg_advisory_*lock with one bigint), in one place, so that no two
 * concerns share one by accident: a shared key makes unrelated work wait for each other. Arbitrary but
 * fixed: instances of different versions meet on them.
 */
export const LOCKS = {
  /** Migrations, one instance at a time (migrate.ts). */
  migrations: 7_302_184_551,
  /** Facet values: shared by every writer of facets, exclusive for retention's collection (retention/facet-values.ts). */
  facetValues: 7_302_184_552,
  /** One retention pass at a time (retention/retention.ts). */
  retentionPass: 7_302_184_553,
  /** One build of stale documents at a time (ingest/stale-documents.ts). */
  staleDocuments: 7_302_184_554,
  /** Model links: shared by ingest's refreshes, exclusive for the registry's changes (models/link-refresh.ts). */
  modelLinks: 7_302_184_555,
} as const;
