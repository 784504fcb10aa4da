// The factory file only: the typechain index pulls in every contract of the repository. The
// contract's factory, not its interface's: its ABI lists the events it inherits too (ERC-721, ERC-4906).
import { PodRegistry__factory } from "../../../typechain-types/factories/contracts/PodRegistry__factory";
import { CHANGED_BY_COLUMNS, changedBy, stamp } from "../changed-by";
import { HISTORY_KEY_COLUMNS, HISTORY_POSITION_COLUMNS, type TableSpec } from "../tables";
import { eventsOf } from "./abi-types";
import { defineContract } from "./module";
import { startPodDescriptions } from "./pod-descriptions";
import { LISTING_EVENTS, PODS } from "./pod-tables";

/** PodRegistry: pods as ERC-721 tokens, their versions, revision, visibility and owners (migrations 001, 060). */

const POD_VERSIONS: TableSpec = {
  name: "pod_versions",
  key: ["pod_id", "version"],
  keepFirstRow: true,
  columns: [["pod_id", "numeric"], ["version", "int"], ["manifest_ref", "text"], ["publisher", "text"], ["published_at", "numeric"], ...CHANGED_BY_COLUMNS],
};

const TRANSFERS: TableSpec = {
  name: "transfers",
  key: ["block_number", "log_index"],
  columns: [...HISTORY_KEY_COLUMNS, ["pod_id", "numeric"], ["from_address", "text"], ["to_address", "text"], ...HISTORY_POSITION_COLUMNS],
};

/** Payloads the registry's events announce (IndexerEventMap; the API subscribes to them). */
export interface PodRegistryAnnouncements {
  podPublished: { podId: string; owner: string; name: string; manifestRef: string; parentPodId: string | null; blockNumber: number };
}

const VISIBILITY = ["PRIVATE", "PUBLIC"];
const visibilityName = (value: string) => VISIBILITY[Number(value)] ?? `UNKNOWN_${value}`;

const ABI = eventsOf(PodRegistry__factory.abi);

export const podRegistry = defineContract<typeof ABI, PodRegistryAnnouncements>({
  name: "PodRegistry",
  abi: ABI,
  // Transfers void listings: a listing_events row, and the listing columns of pods.
  tables: { mutable: [PODS], appendOnly: [POD_VERSIONS, LISTING_EVENTS, TRANSFERS] },
  announces: ["podPublished"],
  // Pod descriptions are not on chain: read from each published pod's recipe on Swarm, beside ingest.
  start: startPodDescriptions,
  handlers: {
    PodPublished: {
      recorded: true,
      touches: (args, keys) => keys.add(PODS, args.podId),
      apply(args, event, effects) {
        const podId = args.podId;
        const parent = args.parentPodId;
        effects.change(PODS, podId, event, (pod) => ({
          ...pod,
          id: podId,
          owner: args.creator,
          creator: args.creator,
          name: args.name,
          visibility: visibilityName(args.visibility),
          version_count: Math.max(Number(pod?.version_count ?? 0), 1),
          revision: Math.max(Number(pod?.revision ?? 0), 1),
          latest_ref: pod?.latest_ref && Number(pod.version_count) > 1 ? pod.latest_ref : args.manifestRef,
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
          listing_fee_bps: pod?.listing_fee_bps ?? null,
          listing_transferable: pod?.listing_transferable ?? null,
          licenses_transferable: pod?.licenses_transferable ?? false,
          license_sales: pod?.license_sales ?? 0,
          revenue: pod?.revenue ?? "0",
          royalties_earned: pod?.royalties_earned ?? "0",
          created_block: String(event.blockNumber),
          created_at: String(event.timestamp),
          created_tx: event.txHash,
          ...changedBy(event),
        }));
        effects.announce("podPublished", {
          podId,
          owner: args.creator,
          name: args.name,
          manifestRef: args.manifestRef,
          parentPodId: parent === "0" ? null : parent,
          blockNumber: event.blockNumber,
        });
      },
    },
    VersionPublished: {
      recorded: true,
      touches: (args, keys) => keys.add(PODS, args.podId),
      apply(args, event, effects) {
        const version = Number(args.version);
        effects.record(POD_VERSIONS, { pod_id: args.podId, version, manifest_ref: args.manifestRef, publisher: args.publisher, published_at: event.timestamp }, event);
        const revision = Number(args.revision);
        effects.changeExisting(PODS, args.podId, event, (pod) => {
          if (revision > Number(pod.revision)) pod.revision = revision;
          if (version < Number(pod.version_count)) return stamp(pod, event);
          pod.version_count = version;
          pod.latest_ref = args.manifestRef;
          return stamp(pod, event);
        });
      },
    },
    VisibilityChanged: {
      touches: (args, keys) => keys.add(PODS, args.podId),
      apply(args, event, effects) {
        const revision = Number(args.revision);
        effects.changeExisting(PODS, args.podId, event, (pod) => ({
          ...pod,
          visibility: visibilityName(args.visibility),
          revision: Math.max(revision, Number(pod.revision)),
          ...changedBy(event),
        }));
      },
    },
    Transfer: {
      recorded: true,
      touches: (args, keys) => keys.add(PODS, args.tokenId),
      apply(args, event, effects) {
        const podId = args.tokenId;
        const to = args.to;
        effects.record(TRANSFERS, { pod_id: podId, from_address: args.from, to_address: to }, event);
        effects.changeExisting(PODS, podId, event, (pod) => {
          // A listing belongs to the seller who made it: once the token moves it is void.
          const voided = pod.listed === true && pod.listing_seller !== to;
          if (voided) {
            effects.record(
              LISTING_EVENTS,
              {
                kind: "voided",
                pod_id: podId,
                seller: pod.listing_seller,
                token: pod.listing_token,
                price: pod.listing_price,
                pod_price: pod.listing_pod_price,
                paused: pod.listing_paused,
                fee_bps: null,
                transferable: null,
              },
              event,
            );
          }
          pod.owner = to;
          if (voided) pod.listed = false;
          return stamp(pod, event);
        });
      },
    },
    // Approval, ApprovalForAll, MetadataUpdate (ERC-4906, on every version and visibility change): kept in `events` only.
  },
});
