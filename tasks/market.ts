import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ZeroAddress, formatUnits } from "ethers";
import { lureContracts, type LureContracts } from "./lib/contracts";
import { LureTaskError } from "./lib/errors";
import { print } from "./lib/output";
import { sendAndWait } from "./lib/send";
import { parseAddress, parsePodId, parsePrice, parseToken } from "./lib/validate";
import { tokenDecimals } from "./registry";

const ERC20_ABI = [
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function balanceOf(address account) view returns (uint256)",
  "function decimals() view returns (uint8)",
];

interface Erc20 {
  allowance(owner: string, spender: string): Promise<bigint>;
  approve(spender: string, amount: bigint): Promise<import("ethers").ContractTransactionResponse>;
  balanceOf(account: string): Promise<bigint>;
}

async function decimalsOf(hre: HardhatRuntimeEnvironment, token: string): Promise<number> {
  return token === ZeroAddress ? 18 : tokenDecimals(hre, token);
}

function tokenLabel(token: string): string {
  return token === ZeroAddress ? "native" : token;
}

/** The market moves the pod token itself in `buyPod`, so a seller who offers the pod approves it first. */
async function approvePodForSale(contracts: LureContracts, podId: bigint): Promise<string | undefined> {
  const marketAddress = await contracts.market.getAddress();
  const approved = await contracts.registry.getApproved(podId);
  const operator = await contracts.registry.isApprovedForAll(contracts.signerAddress, marketAddress);
  if (approved === marketAddress || operator) return undefined;
  const receipt = await sendAndWait(contracts, () => contracts.registry.approve(marketAddress, podId));
  return receipt.hash;
}

/** The current, valid listing of a pod, or a one-line error. */
async function validListing(contracts: LureContracts, podId: bigint) {
  const [listing, valid] = await contracts.market.listing(podId);
  if (!valid) throw new LureTaskError(`pod ${podId} is not listed (or its listing was made by a previous owner)`);
  return listing;
}

task("market:list", "Lists a pod you own: a licence price, and optionally a price for the whole pod")
  .addParam("pod", "Pod id")
  .addParam("price", "Licence price in whole token units, e.g. 1.5")
  .addOptionalParam("token", "native, or an allow-listed ERC-20 address", "native")
  .addOptionalParam("podPrice", "Price of the pod token itself (0 = not for sale)", "0")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const podId = parsePodId(args.pod);
    const token = parseToken(args.token);
    const decimals = await decimalsOf(hre, token);
    const price = parsePrice(args.price, decimals);
    const podPrice = parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true });
    const contracts = await lureContracts(hre, args.account);
    const approvalTx = podPrice > 0n ? await approvePodForSale(contracts, podId) : undefined;
    const receipt = await sendAndWait(contracts, () => contracts.market.list(podId, token, price, podPrice));
    print(
      { podId, token: tokenLabel(token), price: formatUnits(price, decimals), podPrice: podPrice === 0n ? "not for sale" : formatUnits(podPrice, decimals), approvalTx: approvalTx ?? "none needed", tx: receipt.hash },
      { json: args.json, title: `Listed pod ${podId}` },
    );
  });

task("market:price", "Changes the prices of your listing")
  .addParam("pod", "Pod id")
  .addParam("price", "New licence price in whole token units")
  .addOptionalParam("podPrice", "New price of the whole pod (0 = not for sale)", "0")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const listing = await validListing(contracts, podId);
    const decimals = await decimalsOf(hre, listing.token);
    const price = parsePrice(args.price, decimals);
    const podPrice = parsePrice(args.podPrice, decimals, "pod-price", { allowZero: true });
    if (podPrice > 0n) await approvePodForSale(contracts, podId);
    const receipt = await sendAndWait(contracts, () => contracts.market.setPrice(podId, price, podPrice));
    print({ podId, price: formatUnits(price, decimals), podPrice: formatUnits(podPrice, decimals), tx: receipt.hash }, { json: args.json, title: `Repriced pod ${podId}` });
  });

task("market:pause", "Pauses (or with --resume, resumes) sales of your listing")
  .addParam("pod", "Pod id")
  .addFlag("resume", "Resume instead of pause")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const receipt = await sendAndWait(contracts, () => contracts.market.setPaused(podId, !args.resume));
    print({ podId, paused: !args.resume, tx: receipt.hash }, { json: args.json, title: args.resume ? `Resumed pod ${podId}` : `Paused pod ${podId}` });
  });

task("market:delist", "Removes your listing")
  .addParam("pod", "Pod id")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const podId = parsePodId(args.pod);
    const contracts = await lureContracts(hre, args.account);
    const receipt = await sendAndWait(contracts, () => contracts.market.delist(podId));
    print({ podId, tx: receipt.hash }, { json: args.json, title: `Delisted pod ${podId}` });
  });

/** Shared by market:buy and market:buy-pod: checks the price guard, approves an ERC-20 if needed, pays. */
async function purchase(hre: HardhatRuntimeEnvironment, args: { pod: string; maxPrice?: string; account?: string; json: boolean }, whole: boolean) {
  const podId = parsePodId(args.pod);
  const contracts = await lureContracts(hre, args.account);
  const listing = await validListing(contracts, podId);
  const decimals = await decimalsOf(hre, listing.token);
  const price = whole ? listing.podPrice : listing.price;
  if (whole && price === 0n) throw new LureTaskError(`pod ${podId} itself is not for sale`);
  const maxPrice = args.maxPrice === undefined ? price : parsePrice(args.maxPrice, decimals, "max-price");
  if (price > maxPrice) {
    throw new LureTaskError(`the price of pod ${podId} is ${formatUnits(price, decimals)}, above --max-price ${formatUnits(maxPrice, decimals)}`);
  }
  const marketAddress = await contracts.market.getAddress();
  let approvalTx: string | undefined;
  if (listing.token !== ZeroAddress) {
    const erc20 = (await hre.ethers.getContractAt(ERC20_ABI, listing.token, contracts.signer)) as unknown as Erc20;
    const balance = await erc20.balanceOf(contracts.signerAddress);
    if (balance < price) throw new LureTaskError(`balance ${formatUnits(balance, decimals)} of ${listing.token} is below the price ${formatUnits(price, decimals)}`);
    if ((await erc20.allowance(contracts.signerAddress, marketAddress)) < price) {
      approvalTx = (await sendAndWait(contracts, () => erc20.approve(marketAddress, price))).hash;
    }
  }
  const value = listing.token === ZeroAddress ? price : 0n;
  const receipt = await sendAndWait(contracts, () =>
    whole ? contracts.market.buyPod(podId, listing.token, maxPrice, { value }) : contracts.market.buy(podId, listing.token, maxPrice, { value }),
  );
  print(
    { podId, buyer: contracts.signerAddress, token: tokenLabel(listing.token), paid: formatUnits(price, decimals), approvalTx: approvalTx ?? "none needed", tx: receipt.hash },
    { json: args.json, title: whole ? `Bought pod ${podId}` : `Bought a licence for pod ${podId}` },
  );
}

task("market:buy", "Buys a licence for a listed pod")
  .addParam("pod", "Pod id")
  .addOptionalParam("maxPrice", "Refuse to pay more than this (default: the current price)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => purchase(hre, args, false));

task("market:buy-pod", "Buys the pod token itself; ownership moves to you")
  .addParam("pod", "Pod id")
  .addOptionalParam("maxPrice", "Refuse to pay more than this (default: the current price)", undefined, types.string)
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => purchase(hre, args, true));

task("market:withdraw", "Withdraws everything credited to you in one token")
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addOptionalParam("account", "Signer: account index or address", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const token = parseToken(args.token);
    const contracts = await lureContracts(hre, args.account);
    const decimals = await decimalsOf(hre, token);
    const amount = await contracts.market.balanceOf(contracts.signerAddress, token);
    if (amount === 0n) throw new LureTaskError(`nothing to withdraw: ${contracts.signerAddress} has no ${tokenLabel(token)} credit`);
    const receipt = await sendAndWait(contracts, () => contracts.market.withdraw(token));
    print({ account: contracts.signerAddress, token: tokenLabel(token), amount: formatUnits(amount, decimals), tx: receipt.hash }, { json: args.json, title: "Withdrawn" });
  });

task("market:balance", "Shows what an account can withdraw")
  .addOptionalParam("address", "Account (default: your first account)", undefined, types.string)
  .addOptionalParam("token", "native, or an ERC-20 address", "native")
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const token = parseToken(args.token);
    const contracts = await lureContracts(hre);
    const account = args.address === undefined ? contracts.signerAddress : parseAddress(args.address, "address");
    const decimals = await decimalsOf(hre, token);
    const amount = await contracts.market.balanceOf(account, token);
    print({ account, token: tokenLabel(token), withdrawable: formatUnits(amount, decimals), wei: amount }, { json: args.json, title: "Withdrawable balance" });
  });

task("market:allow-token", "Governance: allows (or with --disallow, removes) an ERC-20 as a payment token")
  .addParam("token", "ERC-20 address")
  .addFlag("disallow", "Remove the token from the allow-list")
  .addOptionalParam("account", "Signer: account index or address (needs GOVERNOR_ROLE)", undefined, types.string)
  .addFlag("json", "Print JSON")
  .setAction(async (args, hre) => {
    const token = parseAddress(args.token, "token");
    const contracts = await lureContracts(hre, args.account);
    const receipt = await sendAndWait(contracts, () => contracts.market.setTokenAllowed(token, !args.disallow));
    print({ token, allowed: !args.disallow, tx: receipt.hash }, { json: args.json, title: args.disallow ? "Token disallowed" : "Token allowed" });
  });
