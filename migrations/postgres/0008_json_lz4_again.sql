-- 0006 changed the type of the two JSON columns, and a change of type resets a
-- column's compression to the server default (pglz): the lz4 set by 0004 was
-- lost, and pglz_compress showed in profiles of a benchmark run. Set it again.
DO $$
BEGIN
    ALTER TABLE documents ALTER COLUMN extracted_json SET COMPRESSION lz4;
    ALTER TABLE documents ALTER COLUMN match_json SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available on this server; JSON columns keep pglz';
END
$$;
