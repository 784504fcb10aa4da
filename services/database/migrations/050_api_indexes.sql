-- 050_api_indexes: indexes the GraphQL API's orders and filters need (owned by services/api).
-- Additive only: no table or column changes. Each index serves a keyset page
-- `ORDER BY <sort key>, <primary key> LIMIT n` or a frequent filter of graphql/schema.graphql.

-- pods(orderBy: name | versionCount | licenseSales | revenue | listingPrice), tie-broken by id.
CREATE INDEX IF NOT EXISTS api_pods_name_idx ON pods (name, id);
CREATE INDEX IF NOT EXISTS api_pods_version_count_idx ON pods (version_count, id);
CREATE INDEX IF NOT EXISTS api_pods_license_sales_idx ON pods (license_sales, id);
CREATE INDEX IF NOT EXISTS api_pods_revenue_idx ON pods (revenue, id);
CREATE INDEX IF NOT EXISTS api_pods_listing_price_idx ON pods (listing_price, id);
-- an account's pods, newest first (Account.pods, pods(where: { owner }, orderBy: createdBlock)).
CREATE INDEX IF NOT EXISTS api_pods_owner_created_idx ON pods (owner, created_block, id);
-- pods(where: { token }) listed in one payment token, by price.
CREATE INDEX IF NOT EXISTS api_pods_token_price_idx ON pods (listing_token, listing_price, id);

-- podVersions(orderBy: blockNumber) and (where: { publisher }).
CREATE INDEX IF NOT EXISTS api_pod_versions_block_idx ON pod_versions (block_number, pod_id, version);
CREATE INDEX IF NOT EXISTS api_pod_versions_publisher_idx ON pod_versions (publisher, pod_id, version);

-- licenses(orderBy: blockNumber), the default order, tie-broken by the (pod_id, account) key.
CREATE INDEX IF NOT EXISTS api_licenses_block_idx ON licenses (block_number, pod_id, account);

-- purchases(orderBy: price).
CREATE INDEX IF NOT EXISTS api_purchases_price_idx ON purchases (price, block_number, log_index);
