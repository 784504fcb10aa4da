import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";
import { ChainError } from "../chain/errors";
import { describeRevert } from "../chain/revert";

/**
 * The runner's transactions (claims and settlements of several runs at once) from one account. The
 * nonce is kept here and sends are taken one at a time, so concurrent runs never race for a nonce;
 * receipts are awaited outside the queue, so a slow block does not hold the next send back.
 */
export class TransactionSender {
  private queue: Promise<unknown> = Promise.resolve();
  private nextNonce: number | undefined;

  constructor(private readonly signer: Signer) {}

  /**
   * Simulates `simulate`, then sends `send` with the next nonce and waits for its receipt. A revert
   * becomes a ChainError ("refused" before sending, "failed" once mined), as everywhere in Lure.
   */
  async send(action: string, simulate: () => Promise<unknown>, send: (overrides: { nonce: number }) => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
    const response = await this.serially(async () => {
      try {
        await simulate();
      } catch (error) {
        throw new ChainError("refused", describeRevert(error), { action });
      }
      this.nextNonce ??= await this.signer.getNonce("pending");
      try {
        const sent = await send({ nonce: this.nextNonce });
        this.nextNonce += 1;
        return sent;
      } catch (error) {
        // Whether the nonce was used is unknown (a timeout after broadcast): ask the node again next time.
        this.nextNonce = undefined;
        throw new ChainError("refused", describeRevert(error), { action });
      }
    });
    try {
      const receipt = await response.wait();
      if (!receipt) throw new Error(`no receipt for ${response.hash}`);
      return receipt;
    } catch (error) {
      throw new ChainError("failed", describeRevert(error), { action, hash: response.hash });
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
