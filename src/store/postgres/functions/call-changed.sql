-- Every instance hears of a call's new status, whichever instance (or job) changed it: the live page's wake-up.
-- The channel and payload are pg-notify.ts's (NOTIFY_CHANNEL; the origin 'database' is nobody's instance id).
CREATE FUNCTION daj_call_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('dial_a_joke', json_build_object('o', 'database',
    's', json_build_object('kind', 'changed', 'accountId', NEW.account_id, 'callId', NEW.id))::TEXT);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER calls_inserted AFTER INSERT ON calls FOR EACH ROW EXECUTE FUNCTION daj_call_changed();
CREATE TRIGGER calls_status_changed AFTER UPDATE OF status ON calls FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION daj_call_changed();
