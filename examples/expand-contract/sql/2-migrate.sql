-- Release 2 (after orders 2.0.0 runs everywhere): copy the names of rows written before expand.
UPDATE users SET display_name = full_name WHERE display_name IS NULL;

-- Prove every row has a display name without locking users, so contract can make it NOT NULL
-- without scanning the table under an exclusive lock.
ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null;
