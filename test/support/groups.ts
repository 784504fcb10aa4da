import hre, { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LureContracts } from "../../services/chain/contracts";
import type { Deployment } from "../../services/chain/deployments";
import { DEV_ROLE_ACCOUNTS } from "../../services/chain/deployments";
import type { PodStorage } from "../../services/pods/storage";
import { deployLure } from "../../scripts/deploy";

/** A valid banner, as group:create reads it from a file. */
export const BANNER = {
  title: "Pod testers",
  objectives: ["Try new pods", "Report what breaks"],
  howToJoin: "Join with group:join; the fee renews every 30 days.",
  rules: ["Be kind"],
  links: [{ label: "Home", url: "https://example.org/testers" }],
};

/**
 * Lure deployed by scripts/deploy.ts on the in-process chain (not written to a file), with a plain
 * ERC-20 allow-listed by the dev governor for groups and inboxes and minted to accounts #0-#9.
 */
export async function deployLureWithGroups() {
  const deployed = (await deployLure(hre, { write: false, verbose: false }))!;
  const signers = await ethers.getSigners();
  const usd = await ethers.deployContract("MockERC20", ["Test USD", "TUSD"]);
  const usdAddress = await usd.getAddress();
  await (await deployed.groups.connect(signers[DEV_ROLE_ACCOUNTS.governor]).setTokenAllowed(usdAddress, true)).wait();
  for (const signer of signers.slice(0, 10)) await (await usd.mint(signer.address, ethers.parseEther("1000"))).wait();
  return { ...deployed, signers, usd, usdAddress, feeRecipient: signers[DEV_ROLE_ACCOUNTS.feeRecipient] };
}

export type LureGroupsFixture = Awaited<ReturnType<typeof deployLureWithGroups>>;

/** Every Lure contract of the fixture, acting as `signer`. */
export function actingAs(f: { deployment: Deployment } & Pick<LureGroupsFixture, "registry" | "licenses" | "market" | "keyGrants" | "runMarket" | "groups" | "messages">, signer: HardhatEthersSigner): LureContracts & { deployment: Deployment } {
  return {
    registry: f.registry.connect(signer),
    licenses: f.licenses.connect(signer),
    market: f.market.connect(signer),
    runMarket: f.runMarket.connect(signer),
    keyGrants: f.keyGrants.connect(signer),
    groups: f.groups.connect(signer),
    messages: f.messages.connect(signer),
    account: signer.address,
    deployment: f.deployment,
  };
}

/** A storage that counts uploads, to prove a refusal uploaded nothing. */
export function countingStorage(storage: PodStorage): PodStorage & { uploads: number } {
  const counted = {
    uploads: 0,
    uploadBytes: (data: Uint8Array) => {
      counted.uploads++;
      return storage.uploadBytes(data);
    },
    uploadCollection: (entries: { path: string; data: Uint8Array }[], options?: { indexDocument?: string }) => {
      counted.uploads++;
      return storage.uploadCollection(entries, options);
    },
    downloadBytes: (ref: string) => storage.downloadBytes(ref),
    downloadFile: (ref: string, path?: string) => storage.downloadFile(ref, path),
    downloadCollection: (ref: string) => storage.downloadCollection(ref),
  };
  return counted;
}

/** Nonce of an account: proves that a refusal sent nothing. */
export const nonceOf = (signer: HardhatEthersSigner) => ethers.provider.getTransactionCount(signer.address);

/** The error a promise rejects with; fails when it resolves. */
export async function refusal(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a refusal");
}
