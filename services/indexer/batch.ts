import type { DecodedLog } from "./abi";
import type { IndexerEventMap } from "./events";
import type { Queryable } from "../database";
import { CopyRows } from "./copy";
import { BALANCES, EVENTS, LICENSES, LISTING_EVENTS, MARKET_SETTINGS, MARKET_TOKENS, PODS, POD_VERSIONS, PURCHASES, TRANSFERS, WITHDRAWALS, type Row, type TableSpec } from "./tables";

/** A decoded log with its position on chain and its block's timestamp. */
export interface ChainEvent extends DecodedLog {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
  timestamp: number;
}

/** Mutable rows by table and key; null = known not to exist. */
export type RowCache = Map<TableSpec, Map<string, Row | null>>;

export function newRowCache(): RowCache {
  return new Map([PODS, BALANCES, MARKET_TOKENS, MARKET_SETTINGS].map((table) => [table, new Map<string, Row | null>()]));
}

export function rowCacheSize(cache: RowCache): number {
  let size = 0;
  for (const rows of cache.values()) size += rows.size;
  return size;
}

export interface UndoEntry {
  blockNumber: number;
  table: string;
  key: Row;
  image: Row | null;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const VISIBILITY = ["PRIVATE", "PUBLIC"];

/** Events with a history table of their own; `events` keeps the rest (migration 002). */
const RECORDED_ELSEWHERE = new Set([
  "PodPublished",
  "VersionPublished",
  "Transfer",
  "Listed",
  "PriceChanged",
  "ListingPaused",
  "Delisted",
  "LicensePurchased",
  "PodSold",
  "Withdrawn",
]);

/**
 * The effect of a run of events, computed in memory: the mutable rows they touch are loaded once,
 * changed in place event by event, and written back once; new history rows are collected. When
 * `journal` is on (unfinalized blocks), the image of a mutable row before its first change in each
 * block goes to the undo journal, which is what makes a rollback to any block above finality exact.
 */
export class Batch {
  private readonly mutable: RowCache;
  private readonly dirty = new Map<TableSpec, Set<string>>([PODS, BALANCES, MARKET_TOKENS, MARKET_SETTINGS].map((table) => [table, new Set<string>()]));
  /** Keys of mutable rows that did not exist before this batch: written with COPY, not upserted. */
  private readonly created = new Map<TableSpec, Set<string>>([PODS, BALANCES, MARKET_TOKENS, MARKET_SETTINGS].map((table) => [table, new Set<string>()]));
  private readonly journaledIn = new Map<string, number>();
  readonly undo: UndoEntry[] = [];
  /**
   * New history rows, already in COPY text. Licences and versions keep the first row per key, as
   * INSERT ... ON CONFLICT DO NOTHING did: Lure's contracts never repeat them, other emitters may.
   */
  readonly history = {
    pod_versions: new CopyRows(POD_VERSIONS, true),
    listing_events: new CopyRows(LISTING_EVENTS),
    licenses: new CopyRows(LICENSES, true),
    purchases: new CopyRows(PURCHASES),
    transfers: new CopyRows(TRANSFERS),
    withdrawals: new CopyRows(WITHDRAWALS),
    events: new CopyRows(EVENTS),
  };
  readonly announcements: { podPublished: IndexerEventMap["podPublished"][]; purchase: IndexerEventMap["purchase"][] } = { podPublished: [], purchase: [] };

  /**
   * @param rows Rows known from earlier batches of the same run (the final-block backfill shares
   *   one cache, so a batch can be applied while the previous one is still being committed).
   */
  constructor(
    private readonly journal: boolean,
    rows: RowCache = newRowCache(),
  ) {
    this.mutable = rows;
  }

  /** Loads every mutable row the events will touch, in one query per table. */
  async load(tx: Queryable, events: readonly ChainEvent[]): Promise<void> {
    const podIds = new Set<string>();
    const balanceKeys = new Set<string>();
    const tokens = new Set<string>();
    const settings = new Set<string>();
    for (const event of events) {
      const args = event.args;
      const podId = (args.podId ?? (event.name === "Transfer" && event.contract === "PodRegistry" ? args.tokenId : undefined)) as string | undefined;
      if (podId !== undefined) podIds.add(podId);
      if (event.name === "LicensePurchased" || event.name === "PodSold") {
        const token = args.token as string;
        balanceKeys.add(`${args.seller}|${token}`).add(`${args.feeRecipient}|${token}`).add(`${args.royaltyReceiver}|${token}`);
      } else if (event.name === "Withdrawn") balanceKeys.add(`${args.account}|${args.token}`);
      else if (event.name === "TokenAllowed") tokens.add(args.token as string);
      else if (event.name === "FeeChanged") settings.add("fee_bps");
      else if (event.name === "FeeRecipientChanged") settings.add("fee_recipient");
      else if ((event.name === "Paused" || event.name === "Unpaused") && event.contract === "PodMarket") settings.add("paused");
    }
    await this.loadRows(tx, PODS, [...podIds], `SELECT * FROM pods WHERE id = ANY($1::numeric[])`, (ids) => [ids]);
    await this.loadRows(
      tx,
      BALANCES,
      [...balanceKeys],
      `SELECT b.* FROM balances b JOIN unnest($1::text[], $2::text[]) AS k(account, token) ON b.account = k.account AND b.token = k.token`,
      (keys) => [keys.map((key) => key.split("|")[0]), keys.map((key) => key.split("|")[1])],
    );
    await this.loadRows(tx, MARKET_TOKENS, [...tokens], `SELECT * FROM market_tokens WHERE token = ANY($1::text[])`, (keys) => [keys]);
    await this.loadRows(tx, MARKET_SETTINGS, [...settings], `SELECT * FROM market_settings WHERE key = ANY($1::text[])`, (keys) => [keys]);
  }

  private async loadRows(tx: Queryable, table: TableSpec, keys: string[], sql: string, params: (keys: string[]) => unknown[]): Promise<void> {
    const rows = this.mutable.get(table)!;
    const missing = keys.filter((key) => !rows.has(key));
    if (missing.length === 0) return;
    for (const key of missing) rows.set(key, null);
    for (const row of await tx.query(sql, params(missing))) {
      const { search: _search, description: _description, ...stored } = row;
      rows.set(keyOf(table, stored), stored);
    }
  }

  /** Applies one event. Events must come in chain order. */
  apply(event: ChainEvent): void {
    const changedBy = { block_number: event.blockNumber, block_hash: event.blockHash, tx_hash: event.txHash, log_index: event.logIndex };
    // History rows take the event's position (block, log index, timestamp, hashes) from `event`
    // itself (CopyRows.add), and are encoded at once: no copy of it in every row object.
    const args = event.args;
    if (!RECORDED_ELSEWHERE.has(event.name)) this.history.events.add({ contract: event.contract, name: event.name, args }, event);

    if (event.contract === "PodRegistry") {
      switch (event.name) {
        case "PodPublished": {
          const podId = args.podId as string;
          const parent = args.parentPodId as string;
          this.change(PODS, podId, event, (pod) => ({
            ...pod,
            id: podId,
            owner: args.owner as string,
            creator: args.owner as string,
            name: args.name as string,
            visibility: VISIBILITY[Number(args.visibility)] ?? `UNKNOWN_${args.visibility}`,
            version_count: Math.max(Number(pod?.version_count ?? 0), 1),
            latest_ref: pod?.latest_ref && Number(pod.version_count) > 1 ? pod.latest_ref : (args.manifestRef as string),
            parent_pod_id: parent === "0" ? null : parent,
            parent_version: parent === "0" ? null : Number(args.parentVersion),
            royalty_bps: Number(args.royaltyBps),
            fork_royalty_bps: Number(args.forkRoyaltyBps),
            listed: pod?.listed ?? false,
            listing_seller: pod?.listing_seller ?? null,
            listing_token: pod?.listing_token ?? null,
            listing_price: pod?.listing_price ?? null,
            listing_pod_price: pod?.listing_pod_price ?? null,
            listing_paused: pod?.listing_paused ?? false,
            license_sales: pod?.license_sales ?? 0,
            revenue: pod?.revenue ?? "0",
            created_block: String(event.blockNumber),
            created_at: String(event.timestamp),
            created_tx: event.txHash,
            ...changedBy,
          }));
          this.announcements.podPublished.push({
            podId,
            owner: args.owner as string,
            name: args.name as string,
            manifestRef: args.manifestRef as string,
            parentPodId: parent === "0" ? null : parent,
            blockNumber: event.blockNumber,
          });
          return;
        }
        case "VersionPublished": {
          const version = Number(args.version);
          this.history.pod_versions.add({ pod_id: args.podId, version, manifest_ref: args.manifestRef, publisher: args.publisher, published_at: event.timestamp }, event);
          this.changeExisting(PODS, args.podId as string, event, (pod) => {
            if (version < Number(pod.version_count)) return pod;
            pod.version_count = version;
            pod.latest_ref = args.manifestRef;
            return stamp(pod, event);
          });
          return;
        }
        case "VisibilityChanged":
          this.changeExisting(PODS, args.podId as string, event, (pod) => ({ ...pod, visibility: VISIBILITY[Number(args.visibility)] ?? `UNKNOWN_${args.visibility}`, ...changedBy }));
          return;
        case "Transfer": {
          const podId = args.tokenId as string;
          const to = args.to as string;
          this.history.transfers.add({ pod_id: podId, from_address: args.from, to_address: to }, event);
          this.changeExisting(PODS, podId, event, (pod) => {
            // A listing belongs to the seller who made it: once the token moves it is void.
            const voided = pod.listed === true && pod.listing_seller !== to;
            if (voided) {
              this.history.listing_events.add({ kind: "voided", pod_id: podId, seller: pod.listing_seller, token: pod.listing_token, price: pod.listing_price, pod_price: pod.listing_pod_price, paused: pod.listing_paused }, event);
            }
            pod.owner = to;
            if (voided) pod.listed = false;
            return stamp(pod, event);
          });
          return;
        }
        default:
          return; // Approval, ApprovalForAll, roles: kept in `events` only.
      }
    }

    switch (event.name) {
      case "Listed":
      case "PriceChanged": {
        const listing = { listing_seller: args.seller, listing_token: args.token, listing_price: args.price, listing_pod_price: args.podPrice };
        this.history.listing_events.add({ kind: event.name === "Listed" ? "listed" : "price_changed", pod_id: args.podId, seller: args.seller, token: args.token, price: args.price, pod_price: args.podPrice, paused: null }, event);
        this.changeExisting(PODS, args.podId as string, event, (pod) => ({
          ...pod,
          ...listing,
          listed: true,
          listing_paused: event.name === "Listed" ? false : pod.listing_paused,
          ...changedBy,
        }));
        return;
      }
      case "ListingPaused":
        this.history.listing_events.add({ kind: args.paused ? "paused" : "resumed", pod_id: args.podId, seller: args.seller, token: null, price: null, pod_price: null, paused: args.paused }, event);
        this.changeExisting(PODS, args.podId as string, event, (pod) => ({ ...pod, listing_paused: args.paused, ...changedBy }));
        return;
      case "Delisted":
        this.history.listing_events.add({ kind: "delisted", pod_id: args.podId, seller: args.seller, token: null, price: null, pod_price: null, paused: null }, event);
        this.changeExisting(PODS, args.podId as string, event, (pod) => ({ ...pod, listed: false, ...changedBy }));
        return;
      case "LicensePurchased":
      case "PodSold": {
        const kind = event.name === "LicensePurchased" ? "license" : "pod";
        const podId = args.podId as string;
        this.history.purchases.add(
          {
            kind,
            pod_id: podId,
            buyer: args.buyer,
            seller: args.seller,
            token: args.token,
            price: args.price,
            fee: args.fee,
            fee_recipient: args.feeRecipient,
            royalty: args.royalty,
            royalty_receiver: args.royaltyReceiver,
            seller_proceeds: args.sellerProceeds,
          },
          event,
        );
        if (kind === "license") {
          this.history.licenses.add({ pod_id: podId, account: args.buyer, token: args.token, price: args.price, purchased_at: event.timestamp }, event);
        }
        this.changeExisting(PODS, podId, event, (pod) => {
          // In place: the undo image (if any) was copied before this call; allocation-free on the hot path.
          pod.license_sales = Number(pod.license_sales) + (kind === "license" ? 1 : 0);
          pod.revenue = (BigInt(pod.revenue as string) + BigInt(args.price as string)).toString();
          // A pod sale consumes the listing (the market deletes it); the Transfer that follows changes the owner.
          if (kind === "pod") pod.listed = false;
          return stamp(pod, event);
        });
        const token = args.token as string;
        this.credit(args.feeRecipient as string, token, args.fee as string, event);
        this.credit(args.royaltyReceiver as string, token, args.royalty as string, event);
        this.credit(args.seller as string, token, args.sellerProceeds as string, event);
        this.announcements.purchase.push({
          kind,
          podId,
          buyer: args.buyer as string,
          seller: args.seller as string,
          token,
          price: args.price as string,
          blockNumber: event.blockNumber,
          txHash: event.txHash,
          logIndex: event.logIndex,
        });
        return;
      }
      case "Withdrawn": {
        this.history.withdrawals.add({ account: args.account, token: args.token, amount: args.amount }, event);
        const amount = BigInt(args.amount as string);
        this.change(BALANCES, `${args.account}|${args.token}`, event, (balance) => ({
          ...(balance ?? emptyBalance(args.account as string, args.token as string)),
          withdrawable: (BigInt((balance?.withdrawable as string) ?? "0") - amount).toString(),
          withdrawn: (BigInt((balance?.withdrawn as string) ?? "0") + amount).toString(),
          ...changedBy,
        }));
        return;
      }
      case "TokenAllowed":
        this.change(MARKET_TOKENS, args.token as string, event, () => ({ token: args.token, allowed: args.allowed, ...changedBy }));
        return;
      case "FeeChanged":
        this.change(MARKET_SETTINGS, "fee_bps", event, () => ({ key: "fee_bps", value: String(args.newBps), ...changedBy }));
        return;
      case "FeeRecipientChanged":
        this.change(MARKET_SETTINGS, "fee_recipient", event, () => ({ key: "fee_recipient", value: args.newRecipient, ...changedBy }));
        return;
      case "Paused":
      case "Unpaused":
        this.change(MARKET_SETTINGS, "paused", event, () => ({ key: "paused", value: String(event.name === "Paused"), ...changedBy }));
        return;
      default:
        return;
    }
  }

  private credit(account: string, token: string, amount: string, event: ChainEvent): void {
    if (amount === "0" || account === ZERO_ADDRESS) return;
    const value = BigInt(amount);
    this.change(BALANCES, `${account}|${token}`, event, (balance) => {
      const row = balance ?? emptyBalance(account, token);
      row.withdrawable = (BigInt(row.withdrawable as string) + value).toString();
      row.earned = (BigInt(row.earned as string) + value).toString();
      return stamp(row, event);
    });
  }

  /** Changes a row that must exist (events about an unknown pod still land in history tables). */
  private changeExisting(table: TableSpec, key: string, event: ChainEvent, update: (row: Row) => Row): void {
    if (!this.mutable.get(table)!.get(key)) return;
    this.change(table, key, event, (row) => update(row!));
  }

  private change(table: TableSpec, key: string, event: ChainEvent, update: (row: Row | null) => Row): void {
    const rows = this.mutable.get(table)!;
    const current = rows.get(key) ?? null;
    if (this.journal) {
      const journalKey = `${table.name}|${key}`;
      if (this.journaledIn.get(journalKey) !== event.blockNumber) {
        this.journaledIn.set(journalKey, event.blockNumber);
        this.undo.push({ blockNumber: event.blockNumber, table: table.name, key: keyObject(table, key), image: current && { ...current } });
      }
    }
    const dirty = this.dirty.get(table)!;
    if (current === null && !dirty.has(key)) this.created.get(table)!.add(key);
    const next = update(current);
    rows.set(key, next);
    dirty.add(key);
  }

  /** Other COPY payloads of this batch's commit (new mutable rows), released with it. */
  readonly copies: CopyRows[] = [];

  /** Returns the COPY buffers for reuse, once the batch is committed. */
  release(): void {
    for (const rows of Object.values(this.history)) rows.release();
    for (const rows of this.copies.splice(0)) rows.release();
  }

  /**
   * A new cache holding only the rows this batch changed (the ones the next batches most likely
   * touch again). Valid once this batch is committed: every row then equals the database's.
   */
  changedRowsCache(): RowCache {
    const cache = newRowCache();
    for (const [table, keys] of this.dirty) {
      const rows = this.mutable.get(table)!;
      const kept = cache.get(table)!;
      for (const key of keys) kept.set(key, rows.get(key)!);
    }
    return cache;
  }

  /** The changed mutable rows, per table: those created by this batch, and those that existed before. */
  dirtyRows(): { table: TableSpec; created: Row[]; updated: Row[] }[] {
    return [...this.dirty].map(([table, keys]) => {
      const rows = this.mutable.get(table)!;
      const created = this.created.get(table)!;
      const result = { table, created: [] as Row[], updated: [] as Row[] };
      for (const key of keys) (created.has(key) ? result.created : result.updated).push(rows.get(key)!);
      return result;
    });
  }
}

/**
 * Records `event` as the last change of `row`, in place. Rows are changed in place on the hot paths:
 * the undo image (journal) is a copy taken before the change, and a batch waiting for its commit
 * holds its rows' values in its statements already (prepareCommit), not the row objects.
 */
function stamp(row: Row, event: ChainEvent): Row {
  row.block_number = event.blockNumber;
  row.block_hash = event.blockHash;
  row.tx_hash = event.txHash;
  row.log_index = event.logIndex;
  return row;
}

function emptyBalance(account: string, token: string): Row {
  return { account, token, withdrawable: "0", earned: "0", withdrawn: "0" };
}

function keyOf(table: TableSpec, row: Row): string {
  return table.key.map((column) => String(row[column])).join("|");
}

function keyObject(table: TableSpec, key: string): Row {
  const parts = key.split("|");
  return Object.fromEntries(table.key.map((column, index) => [column, parts[index]]));
}
