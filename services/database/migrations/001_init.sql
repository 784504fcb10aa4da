-- 001_init: Lure indexer schema, version 1.
--
-- Conventions (the contract with graphql/ and services/api/):
--   * big integers (wei amounts, pod ids, block numbers, timestamps) are NUMERIC(78,0) and come back as strings;
--   * small counters (version_count, license_sales, bps, log_index) are INTEGER;
--   * addresses and hashes are lower-case 0x-hex TEXT; the zero address stands for the native coin;
--   * every domain row carries block_number, block_hash, tx_hash, log_index of the event that last changed it;
--   * timestamps are block timestamps in unix seconds.
-- Later migrations are additive and say so in a comment at their top.

-- Pods (ERC-721 tokens of the PodRegistry), with their current listing on the PodMarket.
CREATE TABLE pods (
  id                NUMERIC(78,0) PRIMARY KEY,
  owner             TEXT          NOT NULL,
  creator           TEXT          NOT NULL,
  name              TEXT          NOT NULL,
  description       TEXT,                                   -- not on chain: enriched best-effort from the recipe on Swarm
  visibility        TEXT          NOT NULL,                 -- 'PRIVATE' | 'PUBLIC'
  version_count     INTEGER       NOT NULL,
  latest_ref        TEXT          NOT NULL,                 -- 0x + 64 hex: Swarm manifest reference of the latest version
  parent_pod_id     NUMERIC(78,0),                          -- NULL for an original pod
  parent_version    INTEGER,                                -- NULL for an original pod
  royalty_bps       INTEGER       NOT NULL,                 -- owed upstream on every sale of this pod
  fork_royalty_bps  INTEGER       NOT NULL,                 -- what forks of this pod owe it
  listed            BOOLEAN       NOT NULL DEFAULT FALSE,   -- an active listing by the current owner exists
  listing_seller    TEXT,
  listing_token     TEXT,
  listing_price     NUMERIC(78,0),                          -- licence price
  listing_pod_price NUMERIC(78,0),                          -- whole-pod price; 0 = pod not for sale
  listing_paused    BOOLEAN       NOT NULL DEFAULT FALSE,
  license_sales     INTEGER       NOT NULL DEFAULT 0,
  revenue           NUMERIC(78,0) NOT NULL DEFAULT 0,       -- sum of all licence and pod sale prices (any token; see purchases for per-token sums)
  created_block     NUMERIC(78,0) NOT NULL,
  created_at        NUMERIC(78,0) NOT NULL,
  created_tx        TEXT          NOT NULL,
  block_number      NUMERIC(78,0) NOT NULL,
  block_hash        TEXT          NOT NULL,
  tx_hash           TEXT          NOT NULL,
  log_index         INTEGER       NOT NULL,
  search            TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))) STORED
);
CREATE INDEX pods_owner_idx ON pods (owner, id);
CREATE INDEX pods_creator_idx ON pods (creator, id);
CREATE INDEX pods_parent_idx ON pods (parent_pod_id, id);
CREATE INDEX pods_listed_price_idx ON pods (listed, listing_price, id);
CREATE INDEX pods_name_idx ON pods (lower(name), id);
CREATE INDEX pods_created_idx ON pods (created_block, id);
CREATE INDEX pods_search_idx ON pods USING GIN (search);

-- One row per published version (version 1 is the publish itself).
CREATE TABLE pod_versions (
  pod_id        NUMERIC(78,0) NOT NULL,
  version       INTEGER       NOT NULL,
  manifest_ref  TEXT          NOT NULL,
  publisher     TEXT          NOT NULL,
  published_at  NUMERIC(78,0) NOT NULL,
  block_number  NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  log_index     INTEGER       NOT NULL,
  PRIMARY KEY (pod_id, version)
);

-- Listing and price history: one row per Listed / PriceChanged / ListingPaused / Delisted event, plus
-- 'voided' when the pod token changed hands (a listing is void once its seller no longer owns the pod).
CREATE TABLE listing_events (
  block_number  NUMERIC(78,0) NOT NULL,
  log_index     INTEGER       NOT NULL,
  kind          TEXT          NOT NULL,                    -- 'listed' | 'price_changed' | 'paused' | 'resumed' | 'delisted' | 'voided'
  pod_id        NUMERIC(78,0) NOT NULL,
  seller        TEXT          NOT NULL,
  token         TEXT,
  price         NUMERIC(78,0),
  pod_price     NUMERIC(78,0),
  paused        BOOLEAN,
  timestamp     NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX listing_events_pod_idx ON listing_events (pod_id, block_number, log_index);

-- Licence holders (the pod owner always counts as licensed; that is derived by the API, not stored).
CREATE TABLE licenses (
  pod_id        NUMERIC(78,0) NOT NULL,
  account       TEXT          NOT NULL,
  token         TEXT          NOT NULL,
  price         NUMERIC(78,0) NOT NULL,
  purchased_at  NUMERIC(78,0) NOT NULL,
  block_number  NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  log_index     INTEGER       NOT NULL,
  PRIMARY KEY (pod_id, account)
);
CREATE INDEX licenses_account_idx ON licenses (account, pod_id);

-- Every sale: a licence ('license') or the whole pod ('pod'). fee + royalty + seller_proceeds = price.
CREATE TABLE purchases (
  block_number     NUMERIC(78,0) NOT NULL,
  log_index        INTEGER       NOT NULL,
  kind             TEXT          NOT NULL,                 -- 'license' | 'pod'
  pod_id           NUMERIC(78,0) NOT NULL,
  buyer            TEXT          NOT NULL,
  seller           TEXT          NOT NULL,
  token            TEXT          NOT NULL,
  price            NUMERIC(78,0) NOT NULL,
  fee              NUMERIC(78,0) NOT NULL,
  fee_recipient    TEXT          NOT NULL,
  royalty          NUMERIC(78,0) NOT NULL,
  royalty_receiver TEXT          NOT NULL,
  seller_proceeds  NUMERIC(78,0) NOT NULL,
  timestamp        NUMERIC(78,0) NOT NULL,
  block_hash       TEXT          NOT NULL,
  tx_hash          TEXT          NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX purchases_pod_idx ON purchases (pod_id, block_number, log_index);
CREATE INDEX purchases_buyer_idx ON purchases (buyer, block_number, log_index);
CREATE INDEX purchases_seller_idx ON purchases (seller, block_number, log_index);

-- ERC-721 transfers of pod tokens (the mint is a transfer from the zero address).
CREATE TABLE transfers (
  block_number  NUMERIC(78,0) NOT NULL,
  log_index     INTEGER       NOT NULL,
  pod_id        NUMERIC(78,0) NOT NULL,
  from_address  TEXT          NOT NULL,
  to_address    TEXT          NOT NULL,
  timestamp     NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX transfers_pod_idx ON transfers (pod_id, block_number, log_index);

-- Pull-payment balances per account and token (the zero address = native coin).
CREATE TABLE balances (
  account       TEXT          NOT NULL,
  token         TEXT          NOT NULL,
  withdrawable  NUMERIC(78,0) NOT NULL DEFAULT 0,
  earned        NUMERIC(78,0) NOT NULL DEFAULT 0,        -- everything ever credited (fees, royalties, seller proceeds)
  withdrawn     NUMERIC(78,0) NOT NULL DEFAULT 0,
  block_number  NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  log_index     INTEGER       NOT NULL,
  PRIMARY KEY (account, token)
);

CREATE TABLE withdrawals (
  block_number  NUMERIC(78,0) NOT NULL,
  log_index     INTEGER       NOT NULL,
  account       TEXT          NOT NULL,
  token         TEXT          NOT NULL,
  amount        NUMERIC(78,0) NOT NULL,
  timestamp     NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX withdrawals_account_idx ON withdrawals (account, block_number, log_index);

-- Market settings: ERC-20 allow-list and fee parameters (key 'fee_bps', 'fee_recipient', 'paused').
CREATE TABLE market_tokens (
  token         TEXT          PRIMARY KEY,
  allowed       BOOLEAN       NOT NULL,
  block_number  NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  log_index     INTEGER       NOT NULL
);
CREATE TABLE market_settings (
  key           TEXT          PRIMARY KEY,
  value         TEXT          NOT NULL,
  block_number  NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  log_index     INTEGER       NOT NULL
);

-- Every decoded contract event, including the ones no table above models (roles, pausing, approvals).
CREATE TABLE events (
  block_number  NUMERIC(78,0) NOT NULL,
  log_index     INTEGER       NOT NULL,
  contract      TEXT          NOT NULL,                   -- 'PodRegistry' | 'PodMarket'
  name          TEXT          NOT NULL,                   -- event name, e.g. 'LicensePurchased'
  args          JSONB         NOT NULL,                   -- decoded arguments; big integers as decimal strings
  block_hash    TEXT          NOT NULL,
  tx_hash       TEXT          NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX events_name_idx ON events (name, block_number, log_index);

-- Indexer bookkeeping -------------------------------------------------------------------------------

-- Headers of the blocks not yet final (pruned below head - finality depth): reorg detection.
CREATE TABLE blocks (
  number        NUMERIC(78,0) PRIMARY KEY,
  hash          TEXT          NOT NULL,
  parent_hash   TEXT          NOT NULL,
  timestamp     NUMERIC(78,0) NOT NULL
);

-- The last block whose effects are fully committed. Exactly one row (id = 1) once indexing started.
CREATE TABLE cursor (
  id            SMALLINT      PRIMARY KEY CHECK (id = 1),
  chain_id      INTEGER       NOT NULL,
  block_number  NUMERIC(78,0) NOT NULL,
  block_hash    TEXT          NOT NULL,
  block_timestamp NUMERIC(78,0) NOT NULL
);

-- Facts about what this database indexes: chain_id, genesis_hash, contract addresses, fatal error.
CREATE TABLE meta (
  key           TEXT PRIMARY KEY,
  value         TEXT NOT NULL
);

-- Undo journal for the unfinalized blocks: the image of a mutable row (pods, balances, market_*)
-- before its first change in block_number (NULL image = the row did not exist). A rollback replays
-- the journal above the common ancestor newest-first; append-only tables are rolled back by block_number.
CREATE TABLE undo_log (
  id            BIGSERIAL     PRIMARY KEY,
  block_number  NUMERIC(78,0) NOT NULL,
  table_name    TEXT          NOT NULL,
  row_key       JSONB         NOT NULL,
  image         JSONB
);
CREATE INDEX undo_log_block_idx ON undo_log (block_number);
