-- An agent's wallet summed its tasks' escrow accounts and every payout of its
-- history at each read: thousands of tasks made one wallet read take tens of
-- milliseconds. The same sums are kept here as postings are written (triggers),
-- so a wallet is read in a few rows whatever the agent's history.
--
-- escrow_minor   = the sum of the balances of `escrow:<task>` for the agent's tasks
-- paid_out_minor = the sum of postings to `host:%` accounts in the agent's entries
-- A row exists for every currency the agent has an entry in.
CREATE TABLE agent_money (
    agent_id       TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    escrow_minor   INTEGER NOT NULL DEFAULT 0,
    paid_out_minor INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, currency)
) WITHOUT ROWID;

INSERT INTO agent_money (agent_id, currency)
SELECT DISTINCT agent_id, currency FROM ledger_entries WHERE agent_id IS NOT NULL;

UPDATE agent_money SET
    escrow_minor = COALESCE((
        SELECT SUM(b.balance_minor) FROM tasks AS t
        JOIN account_balances AS b ON b.account = 'escrow:' || t.id
        WHERE t.agent_id = agent_money.agent_id AND b.currency = agent_money.currency), 0),
    paid_out_minor = COALESCE((
        SELECT SUM(p.amount_minor) FROM ledger_entries AS e
        JOIN ledger_postings AS p ON p.entry_seq = e.seq
        WHERE e.agent_id = agent_money.agent_id AND e.currency = agent_money.currency
          AND p.account LIKE 'host:%'), 0);

-- Escrow may be held for a task in a currency the agent has no entry in yet
-- (as the old read counted it): give those a row too.
INSERT INTO agent_money (agent_id, currency, escrow_minor)
SELECT t.agent_id, b.currency, SUM(b.balance_minor) FROM tasks AS t
JOIN account_balances AS b ON b.account = 'escrow:' || t.id
WHERE NOT EXISTS (SELECT 1 FROM agent_money AS m
                  WHERE m.agent_id = t.agent_id AND m.currency = b.currency)
GROUP BY t.agent_id, b.currency;

CREATE TRIGGER agent_money_entry AFTER INSERT ON ledger_entries
WHEN NEW.agent_id IS NOT NULL
BEGIN
    INSERT INTO agent_money (agent_id, currency) VALUES (NEW.agent_id, NEW.currency)
    ON CONFLICT (agent_id, currency) DO NOTHING;
END;

CREATE TRIGGER agent_money_escrow AFTER INSERT ON ledger_postings
WHEN NEW.account LIKE 'escrow:%'
BEGIN
    INSERT INTO agent_money (agent_id, currency, escrow_minor)
    SELECT t.agent_id, e.currency, NEW.amount_minor
    FROM ledger_entries AS e JOIN tasks AS t ON t.id = substr(NEW.account, 8)
    WHERE e.seq = NEW.entry_seq
    ON CONFLICT (agent_id, currency) DO UPDATE SET escrow_minor = escrow_minor + excluded.escrow_minor;
END;

CREATE TRIGGER agent_money_paid_out AFTER INSERT ON ledger_postings
WHEN NEW.account LIKE 'host:%'
BEGIN
    INSERT INTO agent_money (agent_id, currency, paid_out_minor)
    SELECT e.agent_id, e.currency, NEW.amount_minor
    FROM ledger_entries AS e
    WHERE e.seq = NEW.entry_seq AND e.agent_id IS NOT NULL
    ON CONFLICT (agent_id, currency) DO UPDATE SET paid_out_minor = paid_out_minor + excluded.paid_out_minor;
END;
