-- 002_events_unmodelled (announcement, no schema change): from this version on, the `events` table
-- keeps only the events that no other table records row by row — VisibilityChanged, Approval,
-- ApprovalForAll, FeeChanged, FeeRecipientChanged, TokenAllowed, role and pause events, and any other
-- event of the two contracts. PodPublished, VersionPublished, Transfer, Listed, PriceChanged,
-- ListingPaused, Delisted, LicensePurchased, PodSold and Withdrawn live in pods / pod_versions /
-- transfers / listing_events / purchases / withdrawals, each row with its block number, block hash,
-- tx hash and log index. Writing them twice halved the backfill rate for no reader.
COMMENT ON TABLE events IS 'Events no other table records row by row (see migration 002)';
