-- +goose Up
-- One index for everything that needs attention: a pending message is
-- due at due_at, a sending one when its lease ends, and a claim sets
-- due_at to the lease end. A claim then reads one index in order and
-- changes one entry per message instead of moving it between two.
DROP INDEX outbox_pending_due;
DROP INDEX outbox_sending_lease;
UPDATE outbox SET due_at = lease_until WHERE status = 'sending';
CREATE INDEX outbox_due ON outbox (due_at) WHERE status IN ('pending', 'sending');

-- +goose Down
DROP INDEX outbox_due;
CREATE INDEX outbox_pending_due ON outbox (due_at) WHERE status = 'pending';
CREATE INDEX outbox_sending_lease ON outbox (lease_until) WHERE status = 'sending';
