-- Release 3 (once no running version, nor the rollback target, reads full_name): remove it.
DROP TRIGGER users_display_name_sync ON users;
DROP FUNCTION users_display_name_sync();
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_display_name_not_null;
ALTER TABLE users DROP COLUMN full_name;
