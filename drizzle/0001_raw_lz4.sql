-- Verbatim events and facets are large JSON texts: lz4 compresses them several times faster than the
-- default pglz. Servers built without lz4 (PGlite) keep the default: that is not an error.
DO $$
BEGIN
  ALTER TABLE lineage_events ALTER COLUMN raw SET COMPRESSION lz4;
  ALTER TABLE facets ALTER COLUMN value SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 compression not available; keeping the default';
END $$;
