import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Transaction, type TransactionLike } from "ethers";

/**
 * The dev chain's memory across restarts. A Hardhat node keeps its state in memory only; `npm start`
 * records every block it mines (timestamp, hash, and each transaction as signed) and, on the next
 * start, gives a new node the same genesis time and replays the blocks in order with their
 * timestamps. The replayed chain is the same chain, block hash for block hash, so the indexer's
 * database and Swarm's data still agree with it.
 *
 * Files in the journal folder: `genesis.json` (the genesis time the node starts at) and
 * `blocks.jsonl` (one block per line, appended and fsynced as mined).
 */

export interface GenesisRecord {
  chainId: number;
  /** Unix seconds: the node's `initialDate`. */
  genesisTime: number;
}

export interface BlockRecord {
  number: number;
  hash: string;
  timestamp: number;
  /** Signed transactions, serialized (what eth_sendRawTransaction takes), in block order. */
  txs: string[];
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: (TransactionLike<string> & { type?: string | number; v?: string; r?: string; s?: string; yParity?: string; gas?: string; input?: string; chainId?: string | number })[];
}

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** A mined transaction as the signed bytes that produced it. */
function serialize(tx: RpcBlock["transactions"][number]): string {
  const signature = { r: tx.r!, s: tx.s!, v: tx.yParity !== undefined ? Number(BigInt(tx.yParity)) + 27 : Number(BigInt(tx.v!)) };
  const type = tx.type === undefined ? 0 : Number(tx.type);
  const rebuilt = Transaction.from({
    type,
    chainId: tx.chainId !== undefined ? BigInt(tx.chainId) : undefined,
    nonce: Number(tx.nonce),
    to: tx.to ?? null,
    gasLimit: BigInt(tx.gas ?? tx.gasLimit ?? 0),
    ...(type >= 2 ? { maxFeePerGas: BigInt(tx.maxFeePerGas!), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas!) } : { gasPrice: BigInt(tx.gasPrice!) }),
    value: BigInt(tx.value ?? 0),
    data: tx.input ?? tx.data ?? "0x",
    ...(type >= 1 ? { accessList: tx.accessList ?? [] } : {}),
    signature,
  });
  return rebuilt.serialized;
}

export class ChainJournal {
  readonly genesisFile: string;
  readonly blocksFile: string;

  constructor(readonly dir: string) {
    this.genesisFile = join(dir, "genesis.json");
    this.blocksFile = join(dir, "blocks.jsonl");
  }

  genesis(): GenesisRecord | undefined {
    if (!existsSync(this.genesisFile)) return undefined;
    return JSON.parse(readFileSync(this.genesisFile, "utf8")) as GenesisRecord;
  }

  /** Starts a new journal (a new chain): the genesis time, no blocks. */
  begin(record: GenesisRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.blocksFile, "");
    writeFileSync(this.genesisFile, `${JSON.stringify(record)}\n`);
  }

  /** The recorded blocks; a torn last line (a crash mid-append) is left out. */
  blocks(): BlockRecord[] {
    if (!existsSync(this.blocksFile)) return [];
    const records: BlockRecord[] = [];
    for (const line of readFileSync(this.blocksFile, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line) as BlockRecord);
      } catch {
        break;
      }
    }
    return records;
  }

  /** Keeps the first `count` blocks (what replayed the same) and drops the rest. */
  keep(count: number): void {
    const kept = this.blocks().slice(0, count);
    writeFileSync(this.blocksFile, kept.map((block) => `${JSON.stringify(block)}\n`).join(""));
  }

  append(block: BlockRecord): void {
    appendFileSync(this.blocksFile, `${JSON.stringify(block)}\n`);
    const fd = openSync(this.blocksFile, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

export interface ReplayResult {
  blocks: number;
  /** The first block whose hash differs from the recorded one (the chain is then not the same). */
  divergedAt?: number;
}

/**
 * Replays the recorded blocks into a fresh node started at the recorded genesis time: each block's
 * transactions are sent raw with automine off, then mined at the recorded timestamp. Stops at the
 * first block that comes out different (its hash), leaving the node at that point.
 */
export async function replayChain(url: string, blocks: readonly BlockRecord[], onProgress?: (done: number, total: number) => void): Promise<ReplayResult> {
  await rpc(url, "evm_setAutomine", [false]);
  try {
    for (const [index, block] of blocks.entries()) {
      for (const raw of block.txs) await rpc(url, "eth_sendRawTransaction", [raw]);
      await rpc(url, "evm_mine", [block.timestamp]);
      const mined = await rpc<RpcBlock | null>(url, "eth_getBlockByNumber", [`0x${block.number.toString(16)}`, false]);
      if (!mined || mined.hash !== block.hash) return { blocks: index, divergedAt: block.number };
      onProgress?.(index + 1, blocks.length);
    }
  } finally {
    await rpc(url, "evm_setAutomine", [true]);
  }
  return { blocks: blocks.length };
}

/**
 * Appends every block the node mines to the journal, polling its head. `stop()` records what was
 * mined up to that moment, so a clean stop loses nothing; a hard kill loses at most the last poll's
 * blocks, which the next start then treats as never mined (the indexer rolls them back as a reorg).
 */
export class ChainRecorder {
  private next: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly journal: ChainJournal,
    fromBlock: number,
    private readonly pollMs = 200,
  ) {
    this.next = fromBlock;
  }

  start(): void {
    const tick = () => {
      this.running = this.record().catch(() => undefined);
      void this.running.then(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.pollMs);
      });
    };
    this.timer = setTimeout(tick, this.pollMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.record();
  }

  /** Records every block from the next unrecorded one to the head. */
  async record(): Promise<void> {
    const head = Number(BigInt(await rpc<string>(this.url, "eth_blockNumber", [])));
    for (; this.next <= head; this.next++) {
      const block = await rpc<RpcBlock>(this.url, "eth_getBlockByNumber", [`0x${this.next.toString(16)}`, true]);
      this.journal.append({ number: this.next, hash: block.hash, timestamp: Number(BigInt(block.timestamp)), txs: block.transactions.map(serialize) });
    }
  }
}
