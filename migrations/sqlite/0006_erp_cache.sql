-- The ERP master-data cache (docket-store/src/erp_cache.rs): suppliers, open
-- purchase orders and goods receipts copied by `docket erp sync`, one JSON
-- record per id, and the watermark of the last sync per ERP kind.

-- parent: the supplier of a purchase order, the purchase order of a receipt
-- (what matching looks them up by). body is the record's JSON as written,
-- compared as text to tell an update from an unchanged record.
CREATE TABLE erp_cache (
    erp     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    parent  TEXT,
    body    TEXT NOT NULL,
    PRIMARY KEY (erp, kind, id)
);
CREATE INDEX erp_cache_parent ON erp_cache (erp, kind, parent);

-- The ERP's own time of the last answer taken in (the next sync asks for
-- what changed since), and when Docket took it.
CREATE TABLE erp_sync (
    erp        TEXT PRIMARY KEY,
    watermark  TEXT NOT NULL,
    synced_at  TEXT NOT NULL
);
