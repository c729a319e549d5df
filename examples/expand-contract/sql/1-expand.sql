-- Release 1 (before orders 2.0.0 rolls out): add display_name next to full_name.
ALTER TABLE users ADD COLUMN display_name text;

-- Until contract, each version writes only its own column; the trigger fills in the other one, so
-- orders 1.x keeps working next to 2.x and stays a safe rollback target.
CREATE FUNCTION users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.display_name := coalesce(NEW.display_name, NEW.full_name);
  NEW.full_name := coalesce(NEW.full_name, NEW.display_name);
  RETURN NEW;
END
$$;

CREATE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_display_name_sync();

-- Search by display name; built without blocking writes to users.
CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name);
