-- Connected sources: catalogues and APIs an organisation's records are harvested from, and
-- the report of each run. Times are Unix seconds (UTC).

CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('dcat', 'ckan', 'ldes')),
    url           TEXT NOT NULL,
    schedule      TEXT NOT NULL,                 -- cron expression (minute hour day month weekday)
    max_removal   REAL NOT NULL DEFAULT 0.5,     -- share of its records one run may remove
    time_budget   INTEGER NOT NULL DEFAULT 900,  -- seconds a run may take
    etag          TEXT,                          -- validators of the last complete fetch
    last_modified TEXT,
    position      TEXT,                          -- LDES: as:published of the last member applied
    confirm_removal INTEGER NOT NULL DEFAULT 0,  -- an admin allowed the next run to remove more
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (org_id, url)
);

CREATE TABLE source_runs (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed')),
    report      TEXT NOT NULL DEFAULT '{}'      -- JSON: the run report
);
CREATE INDEX source_runs_by_source ON source_runs (source_id, id);
