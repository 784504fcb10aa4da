import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatUnits } from "ethers";
import { PriceAboveMaximumError } from "../services/market/errors";
import type { PurchaseItem } from "../services/market/purchase";
import { governorContracts, lureContracts } from "./lib/contracts";
import "./lib/command-line";
import { InvalidArgumentError, LureTaskError, explained } from "./lib/errors";
import { print } from "./lib/output";
import { parseAddress, parsePodId, parsePrice, parseToken, parseUint } from "./lib/validate";

/** The market on the command line: arguments in, one printed result out; the rules are in services/market. */

/**
 * services/market and the token helpers, loaded when a task runs: they use the contracts' generated
 * bindings, which a fresh clone has only once Hardhat (which loads this file first) has compiled.
 */
async function market() {
  const [tokens, balances, governance, listings, purchase, royalties, tokensCheck] = await Promise.all([
    import("../services/chain/tokens"),
    import("../services/market/balances"),
    import("../services/market/governance"),
    import("../services/market/listings"),
    import("../services/market/purchase"),
    import("../services/market/royalties"),
    import("../services/market/tokens-check"),
  ]);
  return { ...tokens, ...balances, ...governance, ...listings, ...purchase, ...royalties, ...tokensCheck };
}

/** Each market task does one thing, so a chain refusal is printed as the bare reason. */
const ONE_STEP = { namesTheStep: false };

/** How a listing's licences behave once bought, in words. */
const transferability = (transferable: boolean) => (transferable ? "transferable (holders may resell them)" : "not transferable (each stays with its buyer)");

/** Arguments as Hardhat passes them: every parameter is a string (its default when left out), every flag a boolean. */
interface ListArgs {
  pod: string;
  price: string;
  token: string;
  podPrice: string;
  transferable: boolean;
  account?: string;
  json: boolean;
}

interface PriceArgs {
  pod: string;
  price: string;
  podPrice: string;
  account?: string;
  json: boolean;
}

interface PauseArgs {
  pod: string;
  resume: boolean;
  account?: string;
  json: boolean;
}

interface DelistArgs {
  pod: string;
  account?: string;
  json: boolean;
}

interface BuyArgs {
  pod: string;
  maxPrice?: string;
  revision?: string;
  account?: string;
  json: boolean;
}

interface WithdrawArgs {
  token: string;
  to?: string;
  account?: string;
  json: boolean;
}

interface BalanceArgs {
  address?: string;
  token: string;
  account?: string;
  json: boolean;
}

interface AllowTokenArgs {
  token: string;
  disallow: boolean;
  account?: string;
  json: boolean;
}

interface FeeArgs {
  propose?: string;
  cancel: boolean;
  execute: boolean;
  account?: string;
  json: boolean;
}

interface RoyaltiesArgs {
  pod: string;
  price: string;
  token?: string;
  account?: string;
  json: boolean;
}

task("market:list", "Lists a pod you own: a licence price, and optionally a price for the whole pod")
  .addParam("pod", "Pod id")
  .addParam("price", "Licence price in whole token units, e.g. 1.5")
  .addOptionalParam("token", "native, or an allow-listed ERC-20 address", "native")
  .addOptionalParam("podPrice", "Price of the pod token itself (0 = not for sale)", "0")
  .addFlag("transferable", "Let buyers transfer (resell) their licences; without it a licence is not transferable and stays with its buyer")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: ListArgs, hre) => {
    const { currentListing, listPodIfChanged, requireErc20, NATIVE_TOKEN, tokenLabel } = await market();
    const podId = parsePodId(args.pod);
    const token = parseToken(args.token);
    // An ERC-20 is checked before its decimals are trusted: an address that is no token is named here.
    const decimals = token === NATIVE_TOKEN ? 18 : (await explained(() => requireErc20(token, hre.ethers.provider), ONE_STEP)).decimals;
    const price = parsePrice(args.price, decimals);
    const podPrice = parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true });
    const contracts = await lureContracts(hre, args.account);
    const { unchanged, approvalTx, tx } = await explained(() => listPodIfChanged(contracts, podId, { token, price, podPrice, transferable: args.transferable }), ONE_STEP);
    const listing = await currentListing(contracts, podId);
    print(
      {
        podId,
        token: tokenLabel(token),
        price: formatUnits(price, decimals),
        podPrice: podPrice === 0n ? null : formatUnits(podPrice, decimals),
        transferable: args.transferable,
        feeBps: listing?.feeBps ?? null,
        unchanged,
        approvalTx: approvalTx ?? null,
        tx: tx ?? null,
      },
      {
        json: args.json,
        title: unchanged ? `Pod ${podId} is already listed on these terms; nothing sent` : `Listed pod ${podId}`,
        text: { podPrice: podPrice === 0n ? "not for sale" : formatUnits(podPrice, decimals), transferable: transferability(args.transferable) },
      },
    );
  });

task("market:price", "Changes the prices of your listing")
  .addParam("pod", "Pod id")
  .addParam("price", "New licence price in whole token units")
  .addOptionalParam("podPrice", "New price of the whole pod (0 = not for sale)", "0")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: PriceArgs, hre) => {
    const { decimalsOf, requireListing, setPricesIfChanged } = await market();
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const listing = await explained(() => requireListing(contracts, podId), ONE_STEP);
    const decimals = await decimalsOf(listing.token, hre.ethers.provider);
    const price = parsePrice(args.price, decimals);
    const podPrice = parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true });
    const { unchanged, approvalTx, tx } = await explained(() => setPricesIfChanged(contracts, podId, { price, podPrice }), ONE_STEP);
    print(
      { podId, price: formatUnits(price, decimals), podPrice: podPrice === 0n ? null : formatUnits(podPrice, decimals), unchanged, approvalTx: approvalTx ?? null, tx: tx ?? null },
      {
        json: args.json,
        title: unchanged ? `Pod ${podId} already has these prices; nothing sent` : `Repriced pod ${podId}`,
        text: { podPrice: podPrice === 0n ? "not for sale" : formatUnits(podPrice, decimals) },
      },
    );
  });

task("market:pause", "Pauses (or with --resume, resumes) sales of your listing")
  .addParam("pod", "Pod id")
  .addFlag("resume", "Resume instead of pause")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: PauseArgs, hre) => {
    const { requireListing, setPausedIfChanged } = await market();
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    await explained(() => requireListing(contracts, podId), ONE_STEP);
    const { unchanged, tx } = await explained(() => setPausedIfChanged(contracts, podId, !args.resume), ONE_STEP);
    const state = args.resume ? "selling" : "paused";
    print(
      { podId, paused: !args.resume, unchanged, tx: tx ?? null },
      { json: args.json, title: unchanged ? `Pod ${podId} is already ${state}; nothing sent` : args.resume ? `Resumed pod ${podId}` : `Paused pod ${podId}` },
    );
  });

task("market:delist", "Removes your listing")
  .addParam("pod", "Pod id")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: DelistArgs, hre) => {
    const { delist } = await market();
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const { tx } = await explained(() => delist(contracts, podId), ONE_STEP);
    print({ podId, tx }, { json: args.json, title: `Delisted pod ${podId}` });
  });

/**
 * market:buy and market:buy-pod: the quote gives the token's decimals that --max-price is read in,
 * and the pod's revision the purchase pays for (--revision pins the one the buyer inspected).
 */
async function buy(hre: HardhatRuntimeEnvironment, args: BuyArgs, item: PurchaseItem) {
  const { purchase, quotePurchase, tokenLabel } = await market();
  const podId = parsePodId(args.pod);
  const pinned = args.revision === undefined ? undefined : parseUint(args.revision, "revision", 2n ** 32n - 1n);
  const contracts = await lureContracts(hre, args.account);
  const quoted = await explained(() => quotePurchase(contracts, podId, item), ONE_STEP);
  const quote = pinned === undefined ? quoted : { ...quoted, revision: pinned };
  const maxPrice = args.maxPrice === undefined ? undefined : parsePrice(args.maxPrice, quote.decimals, "max-price");
  const bought = await explained(
    () =>
      purchase(contracts, quote, { maxPrice }).catch((error: unknown) => {
        // The guard's limit is this task's --max-price (or the quoted price): say so in its own words.
        if (error instanceof PriceAboveMaximumError) {
          throw new LureTaskError(`the price of pod ${podId} is ${formatUnits(error.price, error.decimals)}, above --max-price ${formatUnits(error.maxPrice, error.decimals)}`);
        }
        throw error;
      }),
    ONE_STEP,
  );
  print(
    {
      podId,
      revision: bought.revision,
      buyer: bought.buyer,
      token: tokenLabel(bought.token),
      paid: formatUnits(bought.price, bought.decimals),
      ...(item === "licence" ? { transferable: bought.transferable } : {}),
      approvalTx: bought.approvalTx ?? null,
      tx: bought.tx,
    },
    {
      json: args.json,
      text: item === "licence" ? { transferable: transferability(bought.transferable) } : undefined,
      title: item === "pod" ? `Bought pod ${podId} at revision ${bought.revision}` : `Bought a licence for pod ${podId} at revision ${bought.revision}` },
  );
}

const REVISION_HELP = "Buy only this content revision of the pod (as pod:show printed it); default: the revision at the quote";

task("market:buy", "Buys a licence for a listed pod, at the pod's current content revision")
  .addParam("pod", "Pod id")
  .addOptionalParam("maxPrice", "Refuse to pay more than this (default: the current price)", undefined, types.string)
  .addOptionalParam("revision", REVISION_HELP, undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: BuyArgs, hre) => buy(hre, args, "licence"));

task("market:buy-pod", "Buys the pod token itself, at its current content revision; ownership moves to you")
  .addParam("pod", "Pod id")
  .addOptionalParam("maxPrice", "Refuse to pay more than this (default: the current price)", undefined, types.string)
  .addOptionalParam("revision", REVISION_HELP, undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: BuyArgs, hre) => buy(hre, args, "pod"));

task("market:withdraw", "Withdraws everything credited to you in one token, to you or with --to to another address")
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addOptionalParam("to", "Send it to this address instead of the signer (withdrawTo)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: WithdrawArgs, hre) => {
    const { decimalsOf, tokenLabel, withdraw } = await market();
    const token = parseToken(args.token);
    const recipient = args.to === undefined ? undefined : parseAddress(args.to, "to");
    const contracts = await lureContracts(hre, args.account);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const { amount, tx, recipient: sentTo } = await explained(() => withdraw(contracts, token, { recipient }), ONE_STEP);
    print({ account: contracts.account, recipient: sentTo, token: tokenLabel(token), amount: formatUnits(amount, decimals), tx }, { json: args.json, title: "Withdrawn" });
  });

task("market:balance", "Shows what an account can withdraw (its credit in the market)")
  .addOptionalParam("address", "Account (default: your first account)", undefined, types.string)
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addOptionalParam("account", "Your account, whose balance is shown without --address: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: BalanceArgs, hre) => {
    const { decimalsOf, tokenLabel, withdrawable } = await market();
    const token = parseToken(args.token);
    const contracts = await lureContracts(hre, args.account);
    const account = args.address === undefined ? contracts.account : parseAddress(args.address, "address");
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const amount = await explained(() => withdrawable(contracts, account, token), ONE_STEP);
    print({ account, token: tokenLabel(token), withdrawable: formatUnits(amount, decimals), wei: amount }, { json: args.json, title: "Withdrawable balance" });
  });

const GOVERNOR_ACCOUNT_HELP = "Signer with GOVERNOR_ROLE: account index or address (default on hardhat/localhost: #17, the dev governor)";

task("market:allow-token", "Governance: allows (or with --disallow, removes) an ERC-20 as a payment token")
  .addParam("token", "ERC-20 address")
  .addFlag("disallow", "Remove the token from the allow-list")
  .addOptionalParam("account", GOVERNOR_ACCOUNT_HELP, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: AllowTokenArgs, hre) => {
    const { allowToken } = await market();
    const token = parseAddress(args.token, "token");
    const contracts = await governorContracts(hre, args.account);
    const allowed = !args.disallow;
    const { tx, changed, erc20 } = await explained(() => allowToken(contracts, token, allowed), ONE_STEP);
    const state = allowed ? "allowed" : "disallowed";
    print(
      { token, ...(erc20 ? { symbol: erc20.symbol ?? null, decimals: erc20.decimals } : {}), allowed, changed, governor: contracts.account, tx: tx ?? null },
      { json: args.json, title: changed ? `Token ${token} ${state}` : `Token ${token} was already ${state}; nothing sent` },
    );
  });

task("market:fee", "Governance: shows the platform fee, or proposes (--propose BPS), cancels (--cancel) or executes (--execute) a change")
  .addOptionalParam("propose", "Propose this fee in basis points; it may be executed after the market's delay and applies to listings made after that", undefined, types.string)
  .addFlag("cancel", "Cancel the pending change")
  .addFlag("execute", "Apply the pending change once its delay has passed (any account may)")
  .addOptionalParam("account", GOVERNOR_ACCOUNT_HELP, undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: FeeArgs, hre) => {
    const { cancelFeeChange, executeFeeChange, feeSchedule, proposeFeeChange } = await market();
    const chosen = [args.propose !== undefined, args.cancel, args.execute].filter(Boolean).length;
    if (chosen > 1) throw new InvalidArgumentError("--propose, --cancel and --execute: give one of them (or none to show the fee)");
    const bps = args.propose === undefined ? undefined : Number(parseUint(args.propose, "propose", 10_000n));
    const contracts = await governorContracts(hre, args.account);
    let title = "Market fee";
    const done: Record<string, unknown> = {};
    if (bps !== undefined) {
      const { tx, executableAt } = await explained(() => proposeFeeChange(contracts, bps), ONE_STEP);
      Object.assign(done, { proposedBps: bps, executableAt: executableAt.toISOString(), tx });
      title = `Proposed a fee of ${bps} bps, executable from ${executableAt.toISOString()}`;
    } else if (args.cancel) {
      const { tx, cancelledBps } = await explained(() => cancelFeeChange(contracts), ONE_STEP);
      Object.assign(done, { cancelledBps, tx });
      title = `Cancelled the proposed fee of ${cancelledBps} bps`;
    } else if (args.execute) {
      const { tx, previousBps, feeBps } = await explained(() => executeFeeChange(contracts), ONE_STEP);
      Object.assign(done, { previousBps, tx });
      title = `The fee for new listings is now ${feeBps} bps (was ${previousBps})`;
    }
    const schedule = await explained(() => feeSchedule(contracts), ONE_STEP);
    print(
      {
        ...done,
        feeBps: schedule.feeBps,
        maxFeeBps: schedule.maxFeeBps,
        delaySeconds: schedule.delaySeconds,
        pending: schedule.pending ? { bps: schedule.pending.bps, executableAt: schedule.pending.executableAt.toISOString() } : null,
        recipient: schedule.recipient,
      },
      { json: args.json, title },
    );
  });

task("market:royalties", "Previews how a sale of a pod at a price is shared: fee, each ancestor's royalty along the lineage, seller")
  .addParam("pod", "Pod id")
  .addParam("price", "Sale price in whole token units, e.g. 10")
  .addOptionalParam("token", "Token the price is in: native or an ERC-20 address (default: the listing's, else native)", undefined, types.string)
  .addOptionalParam("account", "Account the reads are made as: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: RoyaltiesArgs, hre) => {
    const { currentListing, decimalsOf, previewRoyalties, tokenLabel } = await market();
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const listing = args.token === undefined ? await explained(() => currentListing(contracts, podId), ONE_STEP) : undefined;
    const token = args.token === undefined ? (listing?.token ?? parseToken("native")) : parseToken(args.token);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const price = parsePrice(args.price, decimals);
    const preview = await explained(() => previewRoyalties(contracts, podId, price), ONE_STEP);
    const amount = (value: bigint) => formatUnits(value, decimals);
    print(
      {
        podId,
        token: tokenLabel(token),
        price: amount(price),
        fee: amount(preview.fee),
        feeBps: preview.feeBps,
        ancestors: preview.shares.map((share) => ({ depth: share.depth, podId: share.ancestorPodId, receiver: share.receiver, amount: amount(share.amount) })),
        royalty: amount(preview.royalty),
        seller: amount(preview.seller),
      },
      { json: args.json, title: preview.shares.length === 0 ? `Pod ${podId} is an original: no royalty` : `Royalties of pod ${podId} along ${preview.shares.length} ancestors` },
    );
  });
