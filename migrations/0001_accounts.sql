-- Accounts, roles, tokens, invitations, sessions and the audit log: everything about people,
-- kept apart from the public RDF store. Times are Unix seconds (UTC).

CREATE TABLE organisations (
    id            INTEGER PRIMARY KEY,
    orgnr         TEXT NOT NULL UNIQUE,          -- ten digits, check digit verified
    name          TEXT NOT NULL,
    publisher_iri TEXT NOT NULL UNIQUE,          -- dcterms:publisher of its records
    uri_space     TEXT,                          -- optional own base for its record IRIs
    created_at    INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,                 -- argon2id PHC string
    site_admin    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id  INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    PRIMARY KEY (user_id, org_id)
);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL UNIQUE,           -- SHA-256 of the token; the token is shown once
    label        TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    secret_hash TEXT NOT NULL UNIQUE,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,                   -- user e-mail or "token #id"
    org_id      INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    record      TEXT NOT NULL,
    action      TEXT NOT NULL,                   -- created, updated, deleted
    hash_before TEXT,
    hash_after  TEXT
);
CREATE INDEX audit_by_org ON audit (org_id, at);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,                    -- JSON of the session record
    expires_at INTEGER NOT NULL
);
