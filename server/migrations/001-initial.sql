-- The key directory's schema. One file set for SQLite and PostgreSQL: only
-- portable types (TEXT, BIGINT), bytes as lower-case hex or base64, times as
-- milliseconds since the Unix epoch (docs/directory.md §Deployment).

-- Server-wide settings, e.g. the HMAC secret shared by every instance.
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Uploaded bundles, verified or not. Unverified ones are purged after 14 days.
CREATE TABLE uploads (
  fingerprint TEXT PRIMARY KEY,
  bundle TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Verified address → key bindings: the only thing lookups serve.
CREATE TABLE bindings (
  address TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  bundle TEXT NOT NULL,
  verified_at BIGINT NOT NULL,
  log_index BIGINT NOT NULL
);
CREATE INDEX bindings_fingerprint ON bindings (fingerprint);

-- Single-use confirmation tokens: only SHA-256 of the token is stored.
CREATE TABLE tokens (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  address TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX tokens_expires ON tokens (expires_at);

-- One verification mail per address per hour; keyed hash of the address only.
CREATE TABLE mail_limits (
  address_hash TEXT PRIMARY KEY,
  last_sent BIGINT NOT NULL
);

-- Keys revoked with a request signed by the key itself: never served again.
CREATE TABLE revoked_keys (
  fingerprint TEXT PRIMARY KEY,
  revoked_at BIGINT NOT NULL
);

-- Nonces of signed revocation requests, kept while their timestamp is acceptable.
CREATE TABLE request_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);

-- The transparency log's leaves (docs/transparency.md): one per binding
-- change, appended in the same transaction as the change, with a gap-free
-- increasing index. address_hash is the keyed hash inside the leaf.
CREATE TABLE log_leaves (
  leaf_index BIGINT PRIMARY KEY,
  leaf TEXT NOT NULL,
  address_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX log_leaves_address_hash ON log_leaves (address_hash);
