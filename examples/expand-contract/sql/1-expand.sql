-- Release 1 (before orders 2.0.0 rolls out): add display_name next to full_name. Every statement can
-- run twice (a retried Job, an Argo CD re-sync): IF NOT EXISTS and OR REPLACE forms.
ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;

-- Until contract, each version writes only its own column; the trigger fills in the other one, so
-- orders 1.x keeps working next to 2.x and stays a safe rollback target.
CREATE OR REPLACE FUNCTION users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.display_name := coalesce(NEW.display_name, NEW.full_name);
  NEW.full_name := coalesce(NEW.full_name, NEW.display_name);
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_display_name_sync();

-- Search by display name; built without blocking writes to users (an INVALID index left by a killed
-- build is dropped and built again on the next run).
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);
