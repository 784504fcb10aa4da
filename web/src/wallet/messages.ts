import type { ContractTransactionReceipt } from "ethers";
import { ActionError, invalid, toActionError } from "./errors";
import { formatAmount, tokenInfo, type TokenInfo } from "./format";
import { paymentSteps } from "./allowance";
import type { WalletSession } from "./store";
import { txStep, type ActionPlan } from "./transaction";
import { uploadOneFileCollection } from "./upload";

/**
 * A paid message to a group, as services/market/messages.ts's sendMessage sends it: the fee is
 * MessageBus's own `quote` (what `send` charges in the same state), shown before anything happens;
 * once confirmed the send is simulated with a placeholder reference, the body is uploaded to Swarm
 * (a one-file collection, `message.txt` its index document), an ERC-20 fee is approved exactly, and
 * `send` pays the quoted fee: a price that moved since the quote reverts instead of overcharging.
 */

/** MessageBus target encoding (IMessageBus): the kind in the top byte, the id below. */
const KIND_GROUP = 2n;
/** `meta.contentType` of a text body (CONTENT_TYPES in services/market/messages.ts). */
const CONTENT_TEXT = 1;
/** The largest body a message carries (MAX_BODY_BYTES on the command line). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** A placeholder content reference for the simulation before the upload (the contract only checks it is non-zero). */
const PLACEHOLDER_REF = `0x${"00".repeat(31)}01`;

function groupTarget(groupId: bigint): bigint {
  return (KIND_GROUP << 248n) | groupId;
}

export interface MessageQuote {
  token: TokenInfo;
  fee: bigint;
  /** The protocol floor's part; the rest goes to the group's treasury. */
  protocolFee: bigint;
}

export async function quoteGroupMessage(session: WalletSession, groupId: bigint): Promise<MessageQuote> {
  const q = await session.contracts.messages.quote(session.account, groupTarget(groupId));
  return { token: await tokenInfo(session.config, q.token, session.signer), fee: q.fee, protocolFee: q.protocolFee };
}

export interface MessageInput {
  text: string;
  /** A public pod that decodes the body, as typed; empty = plain. */
  decoder: string;
}

/** The plan of sending `input` to the group at the quoted fee. */
export async function planGroupMessage(session: WalletSession, groupId: bigint, quote: MessageQuote, input: MessageInput): Promise<ActionPlan> {
  const { messages, registry } = session.contracts;
  const data = new TextEncoder().encode(input.text);
  if (input.text.trim() === "") throw invalid("the message is empty: write something first");
  if (data.length > MAX_BODY_BYTES) throw invalid(`the message is ${data.length} bytes, above the ${MAX_BODY_BYTES} a message carries`);
  const decoderText = input.decoder.trim();
  if (decoderText !== "" && !/^[0-9]+$/.test(decoderText)) throw invalid(`decoder pod ${JSON.stringify(input.decoder)}: expected a pod id (a whole number) or nothing`);
  const decoderPodId = decoderText === "" ? 0n : BigInt(decoderText);
  if (decoderPodId > 0n) {
    if (!(await registry.exists(decoderPodId))) throw invalid(`decoder pod ${decoderPodId} does not exist`);
    if (Number(await registry.visibilityOf(decoderPodId)) !== 1) throw invalid(`decoder pod ${decoderPodId} is private: a decoder must be a public pod`);
  }
  const target = groupTarget(groupId);
  const meta = { contentType: CONTENT_TEXT, size: data.length, replyTo: 0n };
  const { token, fee } = quote;
  const value = token.native ? fee : 0n;
  const title = `Send a message to group ${groupId}`;
  const payment = await paymentSteps(session, token, messages, "MessageBus", fee);
  let contentRef: string | undefined;
  return {
    title,
    costs: [
      { label: "Message fee", amount: formatAmount(fee, token) },
      { label: "of which the protocol floor", amount: formatAmount(quote.protocolFee, token) },
    ],
    notes: [
      "The fee is paid exactly as quoted: if it changes before the message is mined, the send reverts and nothing is paid.",
      `The text is stored on Swarm first (public: anyone with its reference can read it)${decoderPodId > 0n ? `, with decoder pod ${decoderPodId}` : ""}.`,
      ...payment.notes,
      `Gas is paid in ${session.config.nativeSymbol} on top.`,
    ],
    before: {
      label: "Check the message and store its text on Swarm",
      run: async () => {
        if (token.native) {
          try {
            await messages.send.staticCall(target, PLACEHOLDER_REF, decoderPodId, meta, { value });
          } catch (error) {
            throw toActionError(error, title, "simulate", { calledOn: messages.interface });
          }
        }
        contentRef = `0x${await uploadOneFileCollection(session.config, "message.txt", data)}`;
      },
    },
    steps: [
      ...payment.steps,
      txStep(title, messages.send, () => {
        if (!contentRef) throw new ActionError("other", "the message text was not stored on Swarm");
        const args: [bigint, string, bigint, typeof meta, { value: bigint }] = [target, contentRef, decoderPodId, meta, { value }];
        return args;
      }),
    ],
    result: (receipt: ContractTransactionReceipt) => {
      for (const log of receipt.logs) {
        const parsed = messages.interface.parseLog(log);
        if (parsed?.name === "MessageSent") return `Message ${String(parsed.args.messageId)} sent; it paid ${formatAmount(parsed.args.fee as bigint, token)}.`;
      }
      return undefined;
    },
  };
}
