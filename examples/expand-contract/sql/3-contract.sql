-- Release 3 (once no running version, nor the rollback target, reads full_name): remove it. The
-- phases declare that contract removes users.full_name (main.ts); any other drop would be refused.
DROP TRIGGER IF EXISTS users_display_name_sync ON users;
DROP FUNCTION IF EXISTS users_display_name_sync();
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_display_name_not_null;
ALTER TABLE users DROP COLUMN IF EXISTS full_name;
