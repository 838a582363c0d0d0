-- 152-ФЗ (issue 16): when a reader left, so that circulation's anonymiser
-- removes their personal data IBC_ANONYMISE_AFTER_DAYS later. Readers who
-- had left before this migration count from their last change.
ALTER TABLE readers ADD COLUMN left_at timestamptz;
UPDATE readers SET left_at = updated_at WHERE status = 'left';
CREATE INDEX readers_left ON readers (left_at) WHERE status = 'left' AND anonymised_at IS NULL;

CREATE FUNCTION readers_left_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'left' THEN
        IF TG_OP = 'INSERT' OR OLD.status <> 'left' THEN NEW.left_at := now(); END IF;
    ELSE
        NEW.left_at := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER readers_left_at BEFORE INSERT OR UPDATE OF status ON readers
    FOR EACH ROW EXECUTE FUNCTION readers_left_at();
