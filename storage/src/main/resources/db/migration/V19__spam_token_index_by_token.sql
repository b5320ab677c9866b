-- Mailroom schema, version 19: an index on the spam tokens that leads with the token.
-- The classifier reads a message's tokens of one scope with "scope = ? AND token IN (500 values)". Through the
-- primary key (scope, token) each probe starts from a scope that, by Derby's index statistics, holds every row (one
-- global scope and a few users): Derby then costs the look-up above a scan of the whole table and scans it for every
-- message once the statistics exist (bench/README.md, SMTP, "h-dbplans"). Led by the token, whose values are nearly
-- all distinct, each probe is one row by any estimate, so the index is the only sensible plan at every size.
CREATE UNIQUE INDEX mr_spam_token_by_token ON mr_spam_token (token, scope);
