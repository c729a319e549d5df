-- Release 2 (after orders 2.0.0 runs everywhere). The backfill of the rows written before expand runs
-- first, in batches (see main.ts); then this proves every row has a display name without locking
-- users, so contract can make it NOT NULL without scanning the table under an exclusive lock. The
-- runner commits the ADD CONSTRAINT before the VALIDATE, whose scan then blocks no reads or writes.
ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null;
