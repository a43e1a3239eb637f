-- The read models' documents are JSON texts of tens of KB for a Spark job (its ten latest runs, whole),
-- built again on every refresh and read by every listing. lz4 compresses them faster than the default
-- pglz, and smaller (the bench corpus's 35 job documents: 115 KB stored against 233 KB), and reads them
-- back in half the time. Values written before keep pglz until their next refresh. Servers built without
-- lz4 (PGlite) keep the default: that is not an error (as in 0001).
DO $$
BEGIN
  ALTER TABLE job_documents ALTER COLUMN document SET COMPRESSION lz4, ALTER COLUMN node SET COMPRESSION lz4;
  ALTER TABLE dataset_documents ALTER COLUMN document SET COMPRESSION lz4, ALTER COLUMN node SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 compression not available; keeping the default';
END $$;
