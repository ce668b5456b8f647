-- The extraction and the match outcome are written once by one stage and read
-- whole by the next; nothing queries inside them in SQL. As `json` they are kept
-- as written: no conversion to PostgreSQL's binary form (jsonb) and back on every
-- write and read (json_lex and escape_json showed in profiles of a benchmark run).
-- The reasons stay jsonb: the review queue will filter on them.
ALTER TABLE documents ALTER COLUMN extracted_json TYPE json USING extracted_json::json;
ALTER TABLE documents ALTER COLUMN match_json TYPE json USING match_json::json;
