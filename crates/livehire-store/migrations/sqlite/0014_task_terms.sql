-- A task's terms as parsed when it was posted (livehire_domain::task::TaskDraft
-- serialised as JSON): commission structure with its bonus tiers, products,
-- requirements, sessions. The service reads them back typed instead of
-- re-parsing the body, so a rule that changes later cannot reinterpret or
-- refuse a task posted under the old one. NULL for tasks posted before this
-- column; the server fills those from their body at start-up.
ALTER TABLE tasks ADD COLUMN terms TEXT;
