import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { formatUnits } from "ethers";
import { decimalsOf, tokenLabel } from "../services/chain/tokens";
import { withdraw, withdrawable } from "../services/market/balances";
import { PriceAboveMaximumError } from "../services/market/errors";
import { allowToken } from "../services/market/governance";
import { delist, listPod, requireListing, setPaused, setPrices } from "../services/market/listings";
import { purchase, quotePurchase, type PurchaseItem } from "../services/market/purchase";
import { lureContracts } from "./lib/contracts";
import { LureTaskError, explained } from "./lib/errors";
import { print } from "./lib/output";
import { parseAddress, parsePodId, parsePrice, parseToken } from "./lib/validate";

/** The market on the command line: arguments in, one printed result out; the rules are in services/market. */

/** Each market task does one thing, so a chain refusal is printed as the bare reason. */
const ONE_STEP = { namesTheStep: false };

/** Arguments as Hardhat passes them: every parameter is a string (its default when left out), every flag a boolean. */
interface ListArgs {
  pod: string;
  price: string;
  token: string;
  podPrice: string;
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
  account?: string;
  json: boolean;
}

interface WithdrawArgs {
  token: string;
  account?: string;
  json: boolean;
}

interface BalanceArgs {
  address?: string;
  token: string;
  json: boolean;
}

interface AllowTokenArgs {
  token: string;
  disallow: boolean;
  account?: string;
  json: boolean;
}

task("market:list", "Lists a pod you own: a licence price, and optionally a price for the whole pod")
  .addParam("pod", "Pod id")
  .addParam("price", "Licence price in whole token units, e.g. 1.5")
  .addOptionalParam("token", "native, or an allow-listed ERC-20 address", "native")
  .addOptionalParam("podPrice", "Price of the pod token itself (0 = not for sale)", "0")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: ListArgs, hre) => {
    const podId = parsePodId(args.pod);
    const token = parseToken(args.token);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const price = parsePrice(args.price, decimals);
    const podPrice = parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true });
    const contracts = await lureContracts(hre, args.account);
    const { approvalTx, tx } = await explained(() => listPod(contracts, podId, { token, price, podPrice }), ONE_STEP);
    print(
      { podId, token: tokenLabel(token), price: formatUnits(price, decimals), podPrice: podPrice === 0n ? "not for sale" : formatUnits(podPrice, decimals), approvalTx: approvalTx ?? "none needed", tx },
      { json: args.json, title: `Listed pod ${podId}` },
    );
  });

task("market:price", "Changes the prices of your listing")
  .addParam("pod", "Pod id")
  .addParam("price", "New licence price in whole token units")
  .addOptionalParam("podPrice", "New price of the whole pod (0 = not for sale)", "0")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: PriceArgs, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const listing = await explained(() => requireListing(contracts, podId), ONE_STEP);
    const decimals = await decimalsOf(listing.token, hre.ethers.provider);
    const price = parsePrice(args.price, decimals);
    const podPrice = parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true });
    const { tx } = await explained(() => setPrices(contracts, podId, { price, podPrice }), ONE_STEP);
    print({ podId, price: formatUnits(price, decimals), podPrice: formatUnits(podPrice, decimals), tx }, { json: args.json, title: `Repriced pod ${podId}` });
  });

task("market:pause", "Pauses (or with --resume, resumes) sales of your listing")
  .addParam("pod", "Pod id")
  .addFlag("resume", "Resume instead of pause")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: PauseArgs, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const { tx } = await explained(() => setPaused(contracts, podId, !args.resume), ONE_STEP);
    print({ podId, paused: !args.resume, tx }, { json: args.json, title: args.resume ? `Resumed pod ${podId}` : `Paused pod ${podId}` });
  });

task("market:delist", "Removes your listing")
  .addParam("pod", "Pod id")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: DelistArgs, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const { tx } = await explained(() => delist(contracts, podId), ONE_STEP);
    print({ podId, tx }, { json: args.json, title: `Delisted pod ${podId}` });
  });

/** market:buy and market:buy-pod: the quote gives the token's decimals that --max-price is read in. */
async function buy(hre: HardhatRuntimeEnvironment, args: BuyArgs, item: PurchaseItem) {
  const podId = parsePodId(args.pod);
  const contracts = await lureContracts(hre, args.account);
  const quote = await explained(() => quotePurchase(contracts, podId, item), ONE_STEP);
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
    { podId, buyer: bought.buyer, token: tokenLabel(bought.token), paid: formatUnits(bought.price, bought.decimals), approvalTx: bought.approvalTx ?? "none needed", tx: bought.tx },
    { json: args.json, title: item === "pod" ? `Bought pod ${podId}` : `Bought a licence for pod ${podId}` },
  );
}

task("market:buy", "Buys a licence for a listed pod")
  .addParam("pod", "Pod id")
  .addOptionalParam("maxPrice", "Refuse to pay more than this (default: the current price)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: BuyArgs, hre) => buy(hre, args, "licence"));

task("market:buy-pod", "Buys the pod token itself; ownership moves to you")
  .addParam("pod", "Pod id")
  .addOptionalParam("maxPrice", "Refuse to pay more than this (default: the current price)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: BuyArgs, hre) => buy(hre, args, "pod"));

task("market:withdraw", "Withdraws everything credited to you in one token")
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: WithdrawArgs, hre) => {
    const token = parseToken(args.token);
    const contracts = await lureContracts(hre, args.account);
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const { amount, tx } = await explained(() => withdraw(contracts, token), ONE_STEP);
    print({ account: contracts.account, token: tokenLabel(token), amount: formatUnits(amount, decimals), tx }, { json: args.json, title: "Withdrawn" });
  });

task("market:balance", "Shows what an account can withdraw")
  .addOptionalParam("address", "Account (default: your first account)", undefined, types.string)
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addFlag("json", "Print JSON")
  .setAction(async (args: BalanceArgs, hre) => {
    const token = parseToken(args.token);
    const contracts = await lureContracts(hre);
    const account = args.address === undefined ? contracts.account : parseAddress(args.address, "address");
    const decimals = await decimalsOf(token, hre.ethers.provider);
    const amount = await explained(() => withdrawable(contracts, account, token), ONE_STEP);
    print({ account, token: tokenLabel(token), withdrawable: formatUnits(amount, decimals), wei: amount }, { json: args.json, title: "Withdrawable balance" });
  });

task("market:allow-token", "Governance: allows (or with --disallow, removes) an ERC-20 as a payment token")
  .addParam("token", "ERC-20 address")
  .addFlag("disallow", "Remove the token from the allow-list")
  .addOptionalParam("account", "Signer: account index or address (needs GOVERNOR_ROLE)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args: AllowTokenArgs, hre) => {
    const token = parseAddress(args.token, "token");
    const contracts = await lureContracts(hre, args.account);
    const { tx } = await explained(() => allowToken(contracts, token, !args.disallow), ONE_STEP);
    print({ token, allowed: !args.disallow, tx }, { json: args.json, title: args.disallow ? "Token disallowed" : "Token allowed" });
  });
