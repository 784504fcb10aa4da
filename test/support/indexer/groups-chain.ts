import { JsonRpcProvider, MaxUint256, ZeroAddress, ethers, type ContractTransactionResponse, type JsonRpcSigner } from "ethers";
import type { Deployment } from "../../../services/chain/deployments";
import type { GroupRegistry, MessageBus, MockERC20, PodRegistry } from "../../../typechain-types";
import { GroupRegistry__factory } from "../../../typechain-types/factories/contracts/GroupRegistry__factory";
import { MessageBus__factory } from "../../../typechain-types/factories/contracts/MessageBus__factory";
import { PodRegistry__factory } from "../../../typechain-types/factories/contracts/PodRegistry__factory";
import { MockERC20__factory } from "../../../typechain-types/factories/contracts/test/MockERC20__factory";

/**
 * The real PodRegistry, GroupRegistry and MessageBus on a `hardhat node`, deployed here (not by
 * scripts/deploy.ts), for the indexer's and the API's group and message tests. The deployment names
 * PodRegistry, GroupRegistry and MessageBus only, so the test indexer follows exactly those modules.
 *
 * alice publishes the public pod "decoder" (1), "tool" (2) and the private "secret" (3). alice owns
 * groups 1 "open" (Open, native, banner BANNER_OPEN, MEMBER_FEE / PUBLIC_FEE) and 2 "club" (Fee:
 * JOIN_FEE, MEMBERSHIP_PERIOD, native); bob owns 3 "guild" (Approval, usd, join fee 0, member fee 10,
 * public fee 50). Protocol fees (MSG_FLOOR per native message) go to `treasury`.
 */

export const MSG_FLOOR = ethers.parseEther("0.0001");
export const JOIN_FEE = ethers.parseEther("0.01");
export const MEMBER_FEE = ethers.parseEther("0.001");
export const PUBLIC_FEE = ethers.parseEther("0.005");
export const INBOX_PRICE = ethers.parseEther("0.002");
export const REQUEST_PRICE = ethers.parseEther("0.003");
export const MEMBERSHIP_PERIOD = 30 * 24 * 3600;
const DAY = 24 * 3600;
const PUBLIC = 1;
const PRIVATE = 0;
const JoinPolicy = { Open: 0, Fee: 1, Approval: 2 } as const;
const Contact = { None: 0, Requested: 1, Allowed: 2, Denied: 3 } as const;

export const swarmRef = (label: string) => ethers.keccak256(ethers.toUtf8Bytes(label));
export const BANNER_OPEN = swarmRef("banner open");
export const BANNER_OPEN_2 = swarmRef("banner open 2");

/** A MessageBus target: the kind in the top byte (1 = account, 2 = group), the id below. */
export const groupTarget = (groupId: bigint | number): bigint => (2n << 248n) | BigInt(groupId);
export const accountTarget = (account: string): bigint => (1n << 248n) | BigInt(account);

export interface GroupsChain {
  provider: JsonRpcProvider;
  deployment: Deployment;
  registry: PodRegistry;
  groups: GroupRegistry;
  bus: MessageBus;
  usd: MockERC20;
  usdAddress: string;
  governor: JsonRpcSigner;
  treasury: JsonRpcSigner;
  alice: JsonRpcSigner;
  bob: JsonRpcSigner;
  carol: JsonRpcSigner;
  dave: JsonRpcSigner;
  erin: JsonRpcSigner;
}

/** Waits until a transaction is mined. */
export async function mined(sent: Promise<ContractTransactionResponse>): Promise<void> {
  await (await sent).wait();
}

async function deployedAt(contract: { deploymentTransaction(): ContractTransactionResponse | null; getAddress(): Promise<string> }) {
  const receipt = (await contract.deploymentTransaction()!.wait())!;
  return { address: await contract.getAddress(), blockNumber: receipt.blockNumber, txHash: receipt.hash };
}

export async function deployGroupsChain(url: string): Promise<GroupsChain> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const [admin, governor, treasury, alice, bob, carol, dave, erin] = await Promise.all(Array.from({ length: 8 }, (_, index) => provider.getSigner(index)));
  const registry = await new PodRegistry__factory(admin).deploy();
  await registry.waitForDeployment();
  const groups = await new GroupRegistry__factory(admin).deploy(await registry.getAddress(), DAY, admin.address, governor.address);
  await groups.waitForDeployment();
  const bus = await new MessageBus__factory(admin).deploy(await registry.getAddress(), await groups.getAddress(), DAY, admin.address, governor.address, treasury.address, MSG_FLOOR);
  await bus.waitForDeployment();
  const usd = await new MockERC20__factory(admin).deploy("Test USD", "TUSD");
  await usd.waitForDeployment();
  const usdAddress = (await usd.getAddress()).toLowerCase();
  const deployment: Deployment = {
    chainId: 31337,
    contracts: { PodRegistry: await deployedAt(registry), GroupRegistry: await deployedAt(groups), MessageBus: await deployedAt(bus) },
  };
  await mined(groups.connect(governor).setTokenAllowed(usdAddress, true));
  for (const holder of [alice, bob, carol, dave, erin]) {
    await mined(usd.connect(admin).mint(holder.address, ethers.parseEther("1000")));
    await mined(usd.connect(holder).approve(await groups.getAddress(), MaxUint256));
    await mined(usd.connect(holder).approve(await bus.getAddress(), MaxUint256));
  }
  await mined(registry.connect(alice).publish("decoder", swarmRef("decoder v1"), PUBLIC, 0, 0, 0));
  await mined(registry.connect(alice).publish("tool", swarmRef("tool v1"), PUBLIC, 0, 0, 0));
  await mined(registry.connect(alice).publish("secret", swarmRef("secret v1"), PRIVATE, 0, 0, 0));
  await mined(groups.connect(alice).createGroup("open", BANNER_OPEN, JoinPolicy.Open, ZeroAddress, 0, 0, MEMBER_FEE, PUBLIC_FEE));
  await mined(groups.connect(alice).createGroup("club", ethers.ZeroHash, JoinPolicy.Fee, ZeroAddress, JOIN_FEE, MEMBERSHIP_PERIOD, MEMBER_FEE, PUBLIC_FEE));
  await mined(groups.connect(bob).createGroup("guild", ethers.ZeroHash, JoinPolicy.Approval, usdAddress, 0, 0, 10n, 50n));
  return { provider, deployment, registry, groups, bus, usd, usdAddress, governor, treasury, alice, bob, carol, dave, erin };
}

/** The chain's clock moved `seconds` ahead, and a block mined at the new time. */
async function advanceTime(chain: GroupsChain, seconds: number): Promise<void> {
  await chain.provider.send("evm_increaseTime", [seconds]);
  await chain.provider.send("evm_mine", []);
}

/** Sends a message and returns its id. */
export async function send(
  chain: GroupsChain,
  from: JsonRpcSigner,
  target: bigint,
  label: string,
  options: { decoder?: bigint; contentType?: number; size?: number; replyTo?: bigint } = {},
): Promise<bigint> {
  const quote = await chain.bus.quote(from.address, target);
  const value = quote.token === ZeroAddress ? quote.fee : 0n;
  await mined(
    chain.bus
      .connect(from)
      .send(target, swarmRef(label), options.decoder ?? 0n, { contentType: options.contentType ?? 1, size: options.size ?? label.length, replyTo: options.replyTo ?? 0n }, { value }),
  );
  return chain.bus.messageCount();
}

/**
 * Everything groups and messages do, in this order:
 * - group 1 "open": bob and carol join, bob is made an admin, bob posts the pods 1 and 2 and takes 2
 *   off; erin joins and bob bans her; dave joins and alice removes him; the banner is changed.
 * - group 2 "club": carol joins (JOIN_FEE), renews after 10 days (JOIN_FEE again); dave joins.
 *   alice offers the group to bob, who accepts it.
 * - group 3 "guild": carol and dave ask to join, bob approves carol and rejects dave; erin asks and
 *   withdraws her request; bob sets surge pricing and new fees.
 * - messages: [1] bob to group 1 (member), [2] dave to group 1 (public, decoder pod 1), [3] carol to
 *   group 1 replying to 1, [4] carol to guild (usd, member fee 20), [5] bob to alice (a request),
 *   [6] carol to alice (a request), alice accepts bob, [7] bob to alice again (floor only), alice
 *   denies carol, [8] dave to alice (a request), [9] dave to alice again (pending: the inbox price).
 * - withdrawals: bob (club's new owner) withdraws its join fees; alice withdraws group 1's message
 *   fees and her inbox credit.
 */
export async function groupsAndMessages(chain: GroupsChain): Promise<void> {
  const { groups, bus, alice, bob, carol, dave, erin } = chain;
  await mined(groups.connect(bob).join(1));
  await mined(groups.connect(carol).join(1));
  await mined(groups.connect(alice).setAdmin(1, bob.address, true));
  await mined(groups.connect(bob).postPod(1, 1));
  await mined(groups.connect(bob).postPod(1, 2));
  await mined(groups.connect(bob).removePod(1, 2));
  await mined(groups.connect(erin).join(1));
  await mined(groups.connect(bob).ban(1, erin.address));
  await mined(groups.connect(dave).join(1));
  await mined(groups.connect(alice).remove(1, dave.address));
  await mined(groups.connect(bob).setBanner(1, BANNER_OPEN_2));

  await mined(groups.connect(carol).join(2, { value: JOIN_FEE }));
  await advanceTime(chain, 10 * 24 * 3600);
  await mined(groups.connect(carol).join(2, { value: JOIN_FEE }));
  await mined(groups.connect(dave).join(2, { value: JOIN_FEE }));
  await mined(groups.connect(alice).transferOwnership(2, bob.address));
  await mined(groups.connect(bob).acceptOwnership(2));

  await mined(groups.connect(carol).requestToJoin(3));
  await mined(groups.connect(dave).requestToJoin(3));
  await mined(groups.connect(bob).approve(3, carol.address));
  await mined(groups.connect(bob).reject(3, dave.address));
  await mined(groups.connect(erin).requestToJoin(3));
  await mined(groups.connect(erin).leave(3));
  await mined(groups.connect(bob).setSurge(3, 3600, 20_000));
  await mined(groups.connect(bob).setFees(3, chain.usdAddress, 0, 20n, 60n));

  await send(chain, bob, groupTarget(1), "hello open");
  await send(chain, dave, groupTarget(1), "encoded", { decoder: 1n, contentType: 4, size: 1234 });
  await send(chain, carol, groupTarget(1), "reply", { replyTo: 1n });
  await send(chain, carol, groupTarget(3), "guild news");

  await mined(bus.connect(alice).setInbox(ZeroAddress, INBOX_PRICE, REQUEST_PRICE, 0, 0));
  await send(chain, bob, accountTarget(alice.address), "hi alice");
  await send(chain, carol, accountTarget(alice.address), "hi from carol");
  await mined(bus.connect(alice).accept(bob.address));
  await send(chain, bob, accountTarget(alice.address), "again");
  await mined(bus.connect(alice).setContact(carol.address, Contact.Denied));
  await send(chain, dave, accountTarget(alice.address), "dave asks");
  await send(chain, dave, accountTarget(alice.address), "dave insists");

  await mined(groups.connect(bob).withdrawTreasury(2, ZeroAddress));
  await mined(bus.connect(alice).withdrawGroup(1, ZeroAddress));
  await mined(bus.connect(alice).withdraw(ZeroAddress));
}
