import { JsonRpcProvider, ethers, type ContractTransactionResponse, type JsonRpcSigner } from "ethers";
import type { Deployment } from "../../../services/chain/deployments";
import type { EventFlood } from "../../../typechain-types/contracts/test/EventFlood";
import { EventFlood__factory } from "../../../typechain-types/factories/contracts/test/EventFlood__factory";

/** EventFlood instances standing in for PodRegistry, PodLicenses, PodMarket and (idle) RunMarket, GroupRegistry and MessageBus on a dev chain. */
export interface FloodChain {
  provider: JsonRpcProvider;
  signer: JsonRpcSigner;
  registry: EventFlood;
  licenses: EventFlood;
  market: EventFlood;
  deployment: Deployment;
}

/** Where EventFlood's sales credit the platform fee. */
const FLOOD_FEE_RECIPIENT = "0x0000000000000000000000000000000000000fee";

export async function deployFloods(url: string): Promise<FloodChain> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  const signer = await provider.getSigner(0);
  const factory = new EventFlood__factory(signer);
  const registry = await factory.deploy();
  const registryReceipt = await registry.deploymentTransaction()!.wait();
  const licenses = await factory.deploy();
  const licensesReceipt = await licenses.deploymentTransaction()!.wait();
  const market = await factory.deploy();
  const marketReceipt = await market.deploymentTransaction()!.wait();
  // Every registered module needs its contract in the deployment; the stand-ins of PodKeyGrants,
  // RunMarket, GroupRegistry and MessageBus emit nothing.
  const keyGrants = await factory.deploy();
  const keyGrantsReceipt = await keyGrants.deploymentTransaction()!.wait();
  const runMarket = await factory.deploy();
  const runMarketReceipt = await runMarket.deploymentTransaction()!.wait();
  const groups = await factory.deploy();
  const groupsReceipt = await groups.deploymentTransaction()!.wait();
  const messages = await factory.deploy();
  const messagesReceipt = await messages.deploymentTransaction()!.wait();
  const chainId = Number((await provider.getNetwork()).chainId);
  return {
    provider,
    signer,
    registry,
    licenses,
    market,
    deployment: {
      chainId,
      contracts: {
        PodRegistry: { address: await registry.getAddress(), blockNumber: registryReceipt!.blockNumber, txHash: registryReceipt!.hash },
        PodLicenses: { address: await licenses.getAddress(), blockNumber: licensesReceipt!.blockNumber, txHash: licensesReceipt!.hash },
        PodMarket: { address: await market.getAddress(), blockNumber: marketReceipt!.blockNumber, txHash: marketReceipt!.hash },
        PodKeyGrants: { address: await keyGrants.getAddress(), blockNumber: keyGrantsReceipt!.blockNumber, txHash: keyGrantsReceipt!.hash },
        RunMarket: { address: await runMarket.getAddress(), blockNumber: runMarketReceipt!.blockNumber, txHash: runMarketReceipt!.hash },
        GroupRegistry: { address: await groups.getAddress(), blockNumber: groupsReceipt!.blockNumber, txHash: groupsReceipt!.hash },
        MessageBus: { address: await messages.getAddress(), blockNumber: messagesReceipt!.blockNumber, txHash: messagesReceipt!.hash },
      },
    },
  };
}

/**
 * `count` licence sales of `podId` to buyers firstBuyer, firstBuyer+1, ... as the v2 contracts make
 * them: PodLicenses' mints (one transaction) and the market's LicensePurchased (the next one).
 */
export async function sellLicenses(chain: FloodChain, podId: number, firstBuyer: number, count: number, seller: string, token: string, price: number): Promise<void> {
  // The mint goes first: a reader woken by the purchase announcement then finds the licences
  // indexed too, as it would after a real purchase, whose mint is in the same transaction.
  await (await chain.licenses.mintLicenses(podId, firstBuyer, count, await chain.market.getAddress())).wait();
  await (await chain.market.buyLicenses(podId, firstBuyer, count, seller, token, price, FLOOD_FEE_RECIPIENT)).wait();
}

/** A small deterministic PRNG so a failing scenario can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const ACCOUNTS = ["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222", "0x3333333333333333333333333333333333333333"];
const TOKENS = ["0x0000000000000000000000000000000000000000", "0x4444444444444444444444444444444444444444"];
const ref = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

/**
 * Sends `count` random transactions touching every kind of event: publishes, versions, visibility,
 * transfers (voiding listings), listings, price changes, pauses, delistings, licence and pod sales,
 * royalty shares, licence mints and transfers (single and batch), licence transferability,
 * withdrawals and market settings (fee changes proposed, cancelled, applied). Pods ids 1..podCount are published first when `publishFirst`.
 * Each call is one transaction (one block under automine). Returns the tx count sent.
 */
export async function randomActivity(chain: FloodChain, random: () => number, count: number, podIdBase = 1): Promise<number> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const pod = () => podIdBase + Math.floor(random() * 6);
  let sent = 0;
  for (let index = 0; index < count; index++) {
    const choice = random();
    let tx: ContractTransactionResponse;
    const revision = 1 + Math.floor(random() * 3);
    if (choice < 0.12) tx = await chain.registry.publish(podIdBase + Math.floor(random() * 6), 1, pick(ACCOUNTS), random() < 0.3 ? pod() : 0, ref(index + 1));
    else if (choice < 0.18) tx = await chain.registry.publishVersion(pod(), 2 + Math.floor(random() * 4), ref(1000 + index), pick(ACCOUNTS), revision);
    else if (choice < 0.22) tx = await chain.registry.setVisibility(pod(), Math.floor(random() * 2), pick(ACCOUNTS), revision);
    else if (choice < 0.3) tx = await chain.registry.transfer(pick(ACCOUNTS), pick(ACCOUNTS), pod());
    else if (choice < 0.41) tx = await chain.market.list(pod(), pick(ACCOUNTS), pick(TOKENS), 1000 + Math.floor(random() * 1000), Math.floor(random() * 3) * 5000, 250, random() < 0.5, Math.floor(random() * 3));
    else if (choice < 0.46) tx = await chain.market.setPrice(pod(), pick(ACCOUNTS), pick(TOKENS), 500 + Math.floor(random() * 1000), 7000);
    else if (choice < 0.5) tx = await chain.market.setPaused(pod(), pick(ACCOUNTS), random() < 0.5);
    else if (choice < 0.53) tx = await chain.market.delist(pod(), pick(ACCOUNTS));
    else if (choice < 0.63) tx = await chain.market.buyLicenses(pod(), 0x5000 + Math.floor(random() * 8), 1 + Math.floor(random() * 3), pick(ACCOUNTS), pick(TOKENS), 4000, FLOOD_FEE_RECIPIENT);
    else if (choice < 0.69) tx = await chain.licenses.mintLicenses(pod(), 0x5000 + Math.floor(random() * 8), 1 + Math.floor(random() * 3), await chain.market.getAddress());
    else if (choice < 0.73) tx = await chain.licenses.transferLicense(pick(ACCOUNTS), ethers.toBeHex(0x5000 + Math.floor(random() * 8), 20), pick(ACCOUNTS), pod(), 1);
    else if (choice < 0.75) tx = await chain.licenses.transferLicenses(pick(ACCOUNTS), ethers.toBeHex(0x5000 + Math.floor(random() * 8), 20), pick(ACCOUNTS), [pod(), pod() + 6], [1, 1]);
    else if (choice < 0.77) tx = await chain.licenses.setLicenseTransferable(pod(), random() < 0.5, pick(ACCOUNTS));
    else if (choice < 0.81) tx = await chain.market.payRoyalty(pod(), pod(), pick(ACCOUNTS), pick(TOKENS), 100 + Math.floor(random() * 100), 1 + Math.floor(random() * 2));
    else if (choice < 0.86) tx = await chain.market.sellPod(pod(), pick(ACCOUNTS), pick(ACCOUNTS), pick(TOKENS), 9000, revision);
    else if (choice < 0.92) tx = await chain.market.withdraw(pick(ACCOUNTS), pick(TOKENS), pick(ACCOUNTS), 100 + Math.floor(random() * 100));
    else if (choice < 0.95) tx = await chain.market.allowToken(pick(TOKENS), random() < 0.5);
    else if (choice < 0.97) tx = await chain.market.proposeFee(250, 100 + Math.floor(random() * 400), 1_000_000 + index);
    else if (choice < 0.98) tx = await chain.market.cancelFee(300);
    else tx = await chain.market.setFee(250, 100 + Math.floor(random() * 400));
    await tx.wait();
    sent++;
  }
  return sent;
}
