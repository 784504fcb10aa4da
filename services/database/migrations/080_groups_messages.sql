-- 080_groups_messages: the indexer follows GroupRegistry (groups, memberships, catalogues, join-fee
-- treasuries) and MessageBus (paid messages, inboxes, contacts, message-fee treasuries). Additive:
-- new tables only. Conventions are 001_init's (addresses lower-case, the zero address = native coin,
-- amounts NUMERIC(78,0), the last four columns of a mutable row name the event that last changed it).
-- GroupRegistry's TokenAllowed and role events, and MessageBus's Withdrawn, FloorSet,
-- FeeRecipientChanged and role events land in `events`.

-- One row per group, changed in place. `banner` and `banner_source` are not written by ingest: the
-- GroupRegistry module's start hook fills them from the banner JSON on Swarm (best effort); the
-- banner is current only while `banner_source = banner_ref`.
CREATE TABLE groups (
  id                  NUMERIC(78,0) PRIMARY KEY,
  owner               TEXT          NOT NULL,
  pending_owner       TEXT,                                   -- offered by transferOwnership; NULL = none
  name                TEXT          NOT NULL,
  banner_ref          TEXT,                                   -- Swarm reference of the banner JSON; NULL = none
  join_policy         TEXT          NOT NULL,                 -- 'OPEN' | 'FEE' | 'APPROVAL'
  membership_period   NUMERIC(78,0) NOT NULL DEFAULT 0,       -- seconds; 0 = memberships never expire
  token               TEXT          NOT NULL,                 -- of join and message fees
  join_fee            NUMERIC(78,0) NOT NULL DEFAULT 0,
  member_message_fee  NUMERIC(78,0) NOT NULL DEFAULT 0,
  public_message_fee  NUMERIC(78,0) NOT NULL DEFAULT 0,
  surge_window        NUMERIC(78,0) NOT NULL DEFAULT 0,       -- seconds; 0 = no surge pricing
  surge_bps           INTEGER       NOT NULL DEFAULT 0,
  message_count       INTEGER       NOT NULL DEFAULT 0,
  created_block       NUMERIC(78,0) NOT NULL,
  created_at          NUMERIC(78,0) NOT NULL,
  created_tx          TEXT          NOT NULL,
  banner              JSONB,                                  -- the banner as read from Swarm (start hook)
  banner_source       TEXT,                                   -- the reference `banner` was read from
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL
);
CREATE INDEX groups_owner_idx ON groups (owner, id);
CREATE INDEX groups_created_block_idx ON groups (created_block, id);

-- An account's standing in a group. The contract deletes a membership on leave, reject, remove and
-- unban: the row stays, with status 'NONE'.
CREATE TABLE group_members (
  group_id            NUMERIC(78,0) NOT NULL,
  account             TEXT          NOT NULL,
  status              TEXT          NOT NULL,                 -- 'MEMBER' | 'REQUESTED' | 'BANNED' | 'NONE'
  admin               BOOLEAN       NOT NULL DEFAULT FALSE,
  expires_at          NUMERIC(78,0),                          -- MEMBER only; NULL = never
  joined_at           NUMERIC(78,0),                          -- MEMBER: when the current membership began (renewals keep it)
  requested_at        NUMERIC(78,0),                          -- REQUESTED, and members admitted by approval
  banned_at           NUMERIC(78,0),                          -- BANNED only
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL,
  PRIMARY KEY (group_id, account)
);
CREATE INDEX group_members_account_idx ON group_members (account, group_id);

-- The pods admins posted to a group's catalogue (a removed pod keeps its row, posted = false).
CREATE TABLE group_pods (
  group_id            NUMERIC(78,0) NOT NULL,
  pod_id              NUMERIC(78,0) NOT NULL,
  posted              BOOLEAN       NOT NULL,
  posted_by           TEXT          NOT NULL,                 -- the admin of the latest post
  posted_at           NUMERIC(78,0) NOT NULL,
  posted_block        NUMERIC(78,0) NOT NULL,
  removed_by          TEXT,                                   -- set while removed
  removed_at          NUMERIC(78,0),
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL,
  PRIMARY KEY (group_id, pod_id)
);
CREATE INDEX group_pods_pod_idx ON group_pods (pod_id, group_id);

-- A group's treasury per token: join fees held by GroupRegistry (treasuryOf) and the group's share
-- of message fees held by MessageBus (groupCreditOf), both withdrawn by the owner.
CREATE TABLE group_treasuries (
  group_id            NUMERIC(78,0) NOT NULL,
  token               TEXT          NOT NULL,
  join_fees           NUMERIC(78,0) NOT NULL DEFAULT 0,       -- held now in GroupRegistry
  message_fees        NUMERIC(78,0) NOT NULL DEFAULT 0,       -- held now in MessageBus
  earned              NUMERIC(78,0) NOT NULL DEFAULT 0,       -- credited in total (join and message fees)
  withdrawn           NUMERIC(78,0) NOT NULL DEFAULT 0,
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL,
  PRIMARY KEY (group_id, token)
);

-- One row per message (MessageSent), by id; ContactRequested, later in the same transaction, sets
-- `request`. Mutable only for that: nothing else changes a message.
CREATE TABLE messages (
  id                  NUMERIC(78,0) PRIMARY KEY,
  sender              TEXT          NOT NULL,
  target_kind         TEXT          NOT NULL,                 -- 'GROUP' | 'ACCOUNT'
  group_id            NUMERIC(78,0),                          -- GROUP only
  recipient           TEXT,                                   -- ACCOUNT only
  content_ref         TEXT          NOT NULL,
  decoder_pod_id      NUMERIC(78,0),                          -- NULL = plain content
  content_type        INTEGER       NOT NULL,
  size                NUMERIC(78,0) NOT NULL,
  reply_to            NUMERIC(78,0),                          -- NULL = none
  token               TEXT          NOT NULL,
  fee                 NUMERIC(78,0) NOT NULL,                 -- the whole payment
  protocol_fee        NUMERIC(78,0) NOT NULL,                 -- credited to the protocol's fee recipient; the rest to the target
  request             BOOLEAN       NOT NULL DEFAULT FALSE,   -- an unknown sender's contact request
  sent_block          NUMERIC(78,0) NOT NULL,
  sent_at             NUMERIC(78,0) NOT NULL,
  sent_tx             TEXT          NOT NULL,
  sent_log_index      INTEGER       NOT NULL,
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL
);
CREATE INDEX messages_group_idx ON messages (group_id, id);
CREATE INDEX messages_recipient_idx ON messages (recipient, id);
CREATE INDEX messages_sender_idx ON messages (sender, id);
CREATE INDEX messages_reply_to_idx ON messages (reply_to, id);
CREATE INDEX messages_decoder_idx ON messages (decoder_pod_id, id);

-- An account's inbox prices, as last set.
CREATE TABLE inboxes (
  account             TEXT          PRIMARY KEY,
  token               TEXT          NOT NULL,
  price               NUMERIC(78,0) NOT NULL,                 -- paid by senders whose request is pending
  request_price       NUMERIC(78,0) NOT NULL,                 -- paid by an unknown sender's first message
  surge_window        NUMERIC(78,0) NOT NULL,
  surge_bps           INTEGER       NOT NULL,
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL
);

-- How a recipient's inbox treats a sender.
CREATE TABLE contacts (
  recipient           TEXT          NOT NULL,
  sender              TEXT          NOT NULL,
  status              TEXT          NOT NULL,                 -- 'NONE' | 'REQUESTED' | 'ALLOWED' | 'DENIED'
  request_message_id  NUMERIC(78,0),                          -- the latest contact request's message
  requested_at        NUMERIC(78,0),
  block_number        NUMERIC(78,0) NOT NULL,
  block_hash          TEXT          NOT NULL,
  tx_hash             TEXT          NOT NULL,
  log_index           INTEGER       NOT NULL,
  PRIMARY KEY (recipient, sender)
);
CREATE INDEX contacts_status_idx ON contacts (recipient, status, sender);
