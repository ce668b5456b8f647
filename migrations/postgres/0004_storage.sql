-- Storage tuned for what the columns hold (the pipeline writes them for every document):
-- document files are mostly compressed already (PDF streams, ZIP, images), so
-- they are stored out of line without a second, wasted compression attempt;
-- the JSON of extractions and match results compresses with lz4, several times
-- cheaper than the default pglz, where the server was built with it.
ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

DO $$
BEGIN
    ALTER TABLE documents ALTER COLUMN extracted_json SET COMPRESSION lz4;
    ALTER TABLE documents ALTER COLUMN match_json SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available on this server; JSON columns keep pglz';
END
$$;
