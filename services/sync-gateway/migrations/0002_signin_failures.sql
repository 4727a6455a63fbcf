-- Failed local sign-ins, for per-user and per-address limits (as auth's login_failures).
-- Kept in the file so a restart does not reset a lockout; rows older than the window go.
CREATE TABLE signin_failures (
    failure_id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,  -- 'user:' + lower-cased username
    address TEXT NOT NULL,  -- the client's IP address
    failed_at TEXT NOT NULL
);

CREATE INDEX signin_failures_subject ON signin_failures (subject, failed_at);
CREATE INDEX signin_failures_address ON signin_failures (address, failed_at);
