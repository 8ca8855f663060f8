-- name: a claim's time is its dial slot's; dial slots outside a claim taken in one statement
-- Nothing changes in the tables. PostgreSQL's step re-creates daj_claim_due (postgres/functions/claim-due.sql), whose
-- claimed calls now carry the time of their dial slot, and adds daj_take_slots (postgres/functions/take-slots.sql).
-- SQLite's claim already read its time inside its transaction.
SELECT 1;
