import type { Queryable } from "../../../services/database";

/** Fixture rows written straight into the indexer's tables (no chain involved). */

export const ZERO = "0x0000000000000000000000000000000000000000";
export const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
export const bytes32 = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

export interface PodFixture {
  id: number;
  owner?: string;
  creator?: string;
  name?: string;
  description?: string | null;
  visibility?: "PUBLIC" | "PRIVATE";
  versionCount?: number;
  parent?: number | null;
  listed?: boolean;
  token?: string | null;
  price?: string | null;
  podPrice?: string | null;
  /** The listing's and the licences' transferability. */
  transferable?: boolean;
  licenseSales?: number;
  revenue?: string;
  block?: number;
}

export async function insertPod(db: Queryable, pod: PodFixture): Promise<void> {
  const block = pod.block ?? pod.id;
  const listed = pod.listed ?? false;
  await db.query(
    `INSERT INTO pods (id, owner, creator, name, description, visibility, version_count, latest_ref, parent_pod_id, parent_version,
       royalty_bps, fork_royalty_bps, listed, listing_seller, listing_token, listing_price, listing_pod_price, listing_paused,
       license_sales, revenue, created_block, created_at, created_tx, block_number, block_hash, tx_hash, log_index,
       listing_fee_bps, listing_transferable, licenses_transferable)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 500, $11, $12, $13, $14, $15, false, $16, $17, $18, $19, $20, $18, $21, $20, 0, $22, $23, $24)`,
    [
      String(pod.id),
      pod.owner ?? address(1),
      pod.creator ?? pod.owner ?? address(1),
      pod.name ?? `pod-${pod.id}`,
      pod.description ?? null,
      pod.visibility ?? "PUBLIC",
      pod.versionCount ?? 1,
      bytes32(pod.id),
      pod.parent == null ? null : String(pod.parent),
      pod.parent == null ? null : 1,
      listed,
      listed ? pod.owner ?? address(1) : null,
      listed ? pod.token ?? ZERO : null,
      listed ? pod.price ?? "1000" : null,
      listed ? pod.podPrice ?? "0" : null,
      pod.licenseSales ?? 0,
      pod.revenue ?? "0",
      String(block),
      String(1_700_000_000 + block),
      bytes32(0x7000000 + pod.id),
      bytes32(0xb000000 + block),
      listed ? 250 : null,
      listed ? pod.transferable ?? false : null,
      pod.transferable ?? false,
    ],
  );
}

export async function setCursor(db: Queryable, block: number, chainId = 31337): Promise<void> {
  await db.query(
    `INSERT INTO cursor (id, chain_id, block_number, block_hash, block_timestamp) VALUES (1, $1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, block_timestamp = EXCLUDED.block_timestamp`,
    [chainId, String(block), bytes32(0xb000000 + block), String(1_700_000_000 + block)],
  );
}

export async function insertVersion(db: Queryable, podId: number, version: number, block: number, publisher = address(1)): Promise<void> {
  await db.query(
    `INSERT INTO pod_versions (pod_id, version, manifest_ref, publisher, published_at, block_number, block_hash, tx_hash, log_index)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)`,
    [String(podId), version, bytes32(podId * 1000 + version), publisher, String(1_700_000_000 + block), String(block), bytes32(0xb000000 + block), bytes32(0x9000000 + podId * 1000 + version)],
  );
}

export interface PurchaseFixture {
  block: number;
  logIndex?: number;
  kind?: "license" | "pod";
  podId: number;
  buyer: string;
  seller?: string;
  token?: string;
  price: string;
}

/** A purchase; a licence purchase also mints the buyer's licence (a holding of balance 1). */
export async function insertPurchase(db: Queryable, p: PurchaseFixture): Promise<void> {
  const logIndex = p.logIndex ?? 0;
  await db.query(
    `INSERT INTO purchases (block_number, log_index, kind, pod_id, buyer, seller, token, price, fee, fee_recipient, royalty, royalty_receiver, seller_proceeds, revision, timestamp, block_hash, tx_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, 0, NULL, $8, 1, $10, $11, $12)`,
    [String(p.block), logIndex, p.kind ?? "license", String(p.podId), p.buyer, p.seller ?? address(1), p.token ?? ZERO, p.price, address(99), String(1_700_000_000 + p.block), bytes32(0xb000000 + p.block), bytes32(0xa000000 + p.block * 10 + logIndex)],
  );
  if ((p.kind ?? "license") === "license") {
    await db.query(
      `INSERT INTO licenses (pod_id, account, balance, token, price, purchased_at, block_number, block_hash, tx_hash, log_index)
       VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [String(p.podId), p.buyer, p.token ?? ZERO, p.price, String(1_700_000_000 + p.block), String(p.block), bytes32(0xb000000 + p.block), bytes32(0xa000000 + p.block * 10 + logIndex), logIndex],
    );
  }
}

export async function insertBalance(db: Queryable, account: string, token: string, withdrawable: string, earned: string): Promise<void> {
  await db.query(
    `INSERT INTO balances (account, token, withdrawable, earned, withdrawn, block_number, block_hash, tx_hash, log_index) VALUES ($1, $2, $3, $4, 0, 1, $5, $5, 0)`,
    [account, token, withdrawable, earned, bytes32(1)],
  );
}

export async function insertWithdrawal(db: Queryable, account: string, token: string, amount: string, block: number): Promise<void> {
  await db.query(
    `INSERT INTO withdrawals (block_number, log_index, account, token, amount, recipient, timestamp, block_hash, tx_hash) VALUES ($1, 0, $2, $3, $4, $2, $5, $6, $6)`,
    [String(block), account, token, amount, String(1_700_000_000 + block), bytes32(0xb000000 + block)],
  );
}

export interface RoyaltyPaymentFixture {
  block: number;
  logIndex?: number;
  podId: number;
  ancestorPodId: number;
  receiver: string;
  token?: string;
  amount: string;
  depth?: number;
}

/** One ancestor's royalty share of a sale (a royalty_payments row), also added to the ancestor's royalties_earned. */
export async function insertRoyaltyPayment(db: Queryable, p: RoyaltyPaymentFixture): Promise<void> {
  const logIndex = p.logIndex ?? 0;
  await db.query(
    `INSERT INTO royalty_payments (block_number, log_index, pod_id, ancestor_pod_id, receiver, token, amount, depth, timestamp, block_hash, tx_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [String(p.block), logIndex, String(p.podId), String(p.ancestorPodId), p.receiver, p.token ?? ZERO, p.amount, p.depth ?? 1, String(1_700_000_000 + p.block), bytes32(0xb000000 + p.block), bytes32(0xa000000 + p.block * 10 + logIndex)],
  );
  await db.query(`UPDATE pods SET royalties_earned = royalties_earned + $1::numeric WHERE id = $2::numeric`, [p.amount, String(p.ancestorPodId)]);
}

/** A licence received by transfer (no purchase): a holding of `balance` without price. */
export async function insertLicenseHolding(db: Queryable, podId: number, account: string, balance: string, block: number): Promise<void> {
  await db.query(
    `INSERT INTO licenses (pod_id, account, balance, block_number, block_hash, tx_hash, log_index) VALUES ($1, $2, $3, $4, $5, $6, 0)`,
    [String(podId), account, balance, String(block), bytes32(0xb000000 + block), bytes32(0xa000000 + block * 10)],
  );
}
