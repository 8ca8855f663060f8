-- A stored call's "changed" notice is sent by the store after the insert commits (notify-batch.ts), many in one
-- statement, instead of by this trigger inside each insert's transaction.
DROP TRIGGER calls_inserted ON calls;
