-- Refresh tokens of local sign-ins (as auth's refresh_tokens): SHA-256 digests only, so the
-- file yields no usable token. A family is one sign-in's chain of rotations; every token of
-- a family expires with it. No foreign key to users: each credentials refresh replaces them.
CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    spent_at TEXT,
    revoked_at TEXT
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
