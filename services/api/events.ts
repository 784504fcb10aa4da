/**
 * What the API needs from the indexer, typed structurally so that services/api does not depend
 * on the indexer's implementation: its `IndexerEvents` emitter and `status()` fit these shapes.
 * Events are emitted only after the data they describe is committed.
 */

interface BlockEvent {
  number: number;
  hash: string;
  timestamp: number;
}

interface PodPublishedEvent {
  podId: bigint | string;
  owner: string;
  name: string;
  manifestRef: string;
  parentPodId: bigint | string | null;
  blockNumber: number;
}

interface PurchaseEvent {
  kind: "license" | "pod";
  podId: bigint | string;
  buyer: string;
  seller: string;
  token: string;
  price: bigint | string;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

/** A run's state changed (RunMarket); the names are the SDL's RunStatus and RunChange values. */
interface RunUpdatedEvent {
  runId: bigint | string;
  status: "REQUESTED" | "CLAIMED" | "COMPLETED" | "FAILED" | "EXPIRED" | "CANCELLED";
  change: "REQUESTED" | "CLAIMED" | "STAGE_COMPLETED" | "COMPLETED" | "FAILED" | "EXPIRED" | "CANCELLED";
  requester: string;
  runner: string | null;
  podId: bigint | string;
  stage: number | null;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

/** A message was sent (MessageBus); `targetKind` is the SDL's MessageTargetKind. */
interface MessageSentEvent {
  messageId: bigint | string;
  targetKind: "GROUP" | "ACCOUNT";
  groupId: bigint | string | null;
  recipient: string | null;
  sender: string;
  contentRef: string;
  decoderPodId: bigint | string | null;
  contentType: number;
  size: bigint | string;
  replyTo: bigint | string | null;
  token: string;
  fee: bigint | string;
  protocolFee: bigint | string;
  blockNumber: number;
  txHash: string;
  logIndex: number;
}

export interface RollbackEvent {
  /** First removed block. */
  fromBlock: number;
  /** Last removed block. */
  toBlock: number;
  commonAncestor: { number: number; hash: string };
}

export interface ApiEventMap {
  block: BlockEvent;
  podPublished: PodPublishedEvent;
  purchase: PurchaseEvent;
  runUpdated: RunUpdatedEvent;
  messageSent: MessageSentEvent;
  rollback: RollbackEvent;
}

/** The subset of a (typed) EventEmitter the API subscribes through. */
export interface ApiEventSource {
  on<K extends keyof ApiEventMap>(event: K, listener: (payload: ApiEventMap[K]) => void): unknown;
  off<K extends keyof ApiEventMap>(event: K, listener: (payload: ApiEventMap[K]) => void): unknown;
}

export interface ApiIndexerStatus {
  chainId: number;
  headBlock: number;
  indexedBlock: { number: number; hash: string; timestamp: number } | null;
  backfilling: boolean;
  hasIndexingErrors: boolean;
  lastError?: string;
}
