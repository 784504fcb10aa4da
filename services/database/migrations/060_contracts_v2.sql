-- 060_contracts_v2: the indexer follows the v2 contracts (issue 13): PodRegistry, PodLicenses
-- (ERC-1155 licences, token id = pod id) and PodMarket. Additive: columns are added or made nullable,
-- one table is added, nothing is dropped. A v2 deployment has new contract addresses, so a database
-- that followed v1 is wiped and re-indexed on its first start (services/indexer/README.md).

-- pods: the content revision (1 at publish, +1 per version and visibility change), the current
-- listing's fee and licence transferability, whether the pod's licences may be transferred
-- (PodLicenses' setting, which the latest listing sets), and the royalties the pod earned as an
-- ancestor (summed across tokens, like revenue; per token in royalty_payments).
ALTER TABLE pods ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE pods ADD COLUMN listing_fee_bps INTEGER;
ALTER TABLE pods ADD COLUMN listing_transferable BOOLEAN;
ALTER TABLE pods ADD COLUMN licenses_transferable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE pods ADD COLUMN royalties_earned NUMERIC(78,0) NOT NULL DEFAULT 0;

-- listing_events: the terms a 'listed' row fixes (NULL for the other kinds).
ALTER TABLE listing_events ADD COLUMN fee_bps INTEGER;
ALTER TABLE listing_events ADD COLUMN transferable BOOLEAN;

-- licenses: now the holdings of PodLicenses tokens per (pod, account), changed in place (a mutable
-- table: mint = purchase, a transfer moves the balance, a burn lowers it; rows at balance 0 stay).
-- token, price and purchased_at describe the holder's last purchase from the market: NULL for a
-- licence only ever received by transfer. block_number .. log_index name the last change.
ALTER TABLE licenses ADD COLUMN balance NUMERIC(78,0) NOT NULL DEFAULT 0;
ALTER TABLE licenses ALTER COLUMN token DROP NOT NULL;
ALTER TABLE licenses ALTER COLUMN price DROP NOT NULL;
ALTER TABLE licenses ALTER COLUMN purchased_at DROP NOT NULL;

-- purchases: the revision the buyer paid for; royalty is now the total over the ancestors (one
-- royalty_payments row each), so royalty_receiver is NULL from v2 on.
ALTER TABLE purchases ADD COLUMN revision INTEGER;
ALTER TABLE purchases ALTER COLUMN royalty_receiver DROP NOT NULL;

-- withdrawals: where the credit was sent (withdrawTo; the account itself for withdraw).
ALTER TABLE withdrawals ADD COLUMN recipient TEXT;

-- One row per RoyaltyPaid: an ancestor's share of a sale of pod_id, credited to receiver.
CREATE TABLE royalty_payments (
  block_number     NUMERIC(78,0) NOT NULL,
  log_index        INTEGER       NOT NULL,
  pod_id           NUMERIC(78,0) NOT NULL,                -- the pod sold
  ancestor_pod_id  NUMERIC(78,0) NOT NULL,                -- the ancestor paid
  receiver         TEXT          NOT NULL,                -- the ancestor's owner at the sale
  token            TEXT          NOT NULL,
  amount           NUMERIC(78,0) NOT NULL,
  depth            INTEGER       NOT NULL,                -- 1 = parent, 2 = grandparent, ... up to 8
  timestamp        NUMERIC(78,0) NOT NULL,
  block_hash       TEXT          NOT NULL,
  tx_hash          TEXT          NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX royalty_payments_ancestor_idx ON royalty_payments (ancestor_pod_id, block_number, log_index);
CREATE INDEX royalty_payments_receiver_idx ON royalty_payments (receiver, block_number, log_index);
CREATE INDEX royalty_payments_pod_idx ON royalty_payments (pod_id, block_number, log_index);

-- An account's licences it holds (Account.licenses, licenses(where: { holder })).
CREATE INDEX IF NOT EXISTS api_licenses_holder_idx ON licenses (account, balance, pod_id);

-- market_settings gains the keys 'pending_fee_bps' and 'pending_fee_executable_at' (FeeChangeProposed;
-- '' once cancelled or applied): no schema change.
