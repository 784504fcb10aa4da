import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ADMIN_DELAY, deployGroups, JOIN_FEE, JoinPolicy, MEMBER_FEE, MEMBERSHIP_PERIOD, NATIVE, PUBLIC_FEE, ref } from "../support/contracts";

enum Status {
  None,
  Member,
  Requested,
  Banned,
}

describe("GroupRegistry", function () {
  describe("deployment and creation", function () {
    it("rejects zero addresses and grants the governor role", async function () {
      const { registry, admin, governor, groups } = await loadFixture(deployGroups);
      const factory = await ethers.getContractFactory("GroupRegistry");
      const registryAddress = await registry.getAddress();
      await expect(factory.deploy(NATIVE, ADMIN_DELAY, admin.address, governor.address)).to.be.revertedWithCustomError(groups, "GroupRegistryZeroAddress");
      await expect(factory.deploy(registryAddress, ADMIN_DELAY, admin.address, NATIVE)).to.be.revertedWithCustomError(groups, "GroupRegistryZeroAddress");
      expect(await groups.hasRole(await groups.GOVERNOR_ROLE(), governor.address)).to.equal(true);
      expect(await groups.podRegistry()).to.equal(registryAddress);
    });

    it("creates a group with its owner as a never-expiring member and emits everything an indexer needs", async function () {
      const { groups, bob, usdAddress } = await loadFixture(deployGroups);
      const tx = groups.connect(bob).createGroup("bob's", ref("b"), JoinPolicy.Fee, usdAddress, 7n, 3600, 2n, 3n);
      await expect(tx).to.emit(groups, "GroupCreated").withArgs(4n, bob.address, "bob's", ref("b"));
      await expect(tx).to.emit(groups, "Joined").withArgs(4n, bob.address, 0n, usdAddress, 0n);
      await expect(tx).to.emit(groups, "PolicySet").withArgs(4n, JoinPolicy.Fee, 3600);
      await expect(tx).to.emit(groups, "FeesSet").withArgs(4n, usdAddress, 7n, 2n, 3n);
      const g = await groups.group(4n);
      expect([g.owner, g.pendingOwner, g.joinPolicy, g.membershipPeriod, g.token, g.joinFee]).to.deep.equal([bob.address, NATIVE, BigInt(JoinPolicy.Fee), 3600n, usdAddress, 7n]);
      expect([g.memberMessageFee, g.publicMessageFee, g.surgeWindow, g.surgeBps, g.bannerRef, g.name]).to.deep.equal([2n, 3n, 0n, 0n, ref("b"), "bob's"]);
      expect(await groups.groupCount()).to.equal(4n);
      expect(await groups.isMember(4n, bob.address)).to.equal(true);
      expect(await groups.isAdmin(4n, bob.address)).to.equal(true);
      expect(await groups.ownerOf(4n)).to.equal(bob.address);
      const m = await groups.member(4n, bob.address);
      expect([m.status, m.expiresAt, m.admin, m.active]).to.deep.equal([BigInt(Status.Member), 0n, false, true]);
    });

    it("checks names, tokens and amounts", async function () {
      const { groups, bob, stranger } = await loadFixture(deployGroups);
      await expect(groups.connect(bob).createGroup("", ref(1), 0, NATIVE, 0, 0, 0, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryBadName").withArgs(0);
      await expect(groups.connect(bob).createGroup("x".repeat(65), ref(1), 0, NATIVE, 0, 0, 0, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryBadName").withArgs(65);
      await expect(groups.connect(bob).createGroup("x".repeat(64), ref(1), 0, NATIVE, 0, 0, 0, 0)).to.emit(groups, "GroupCreated");
      await expect(groups.connect(bob).createGroup("t", ref(1), 0, stranger.address, 0, 0, 0, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryTokenNotAllowed").withArgs(stranger.address);
      const big = 2n ** 96n;
      await expect(groups.connect(bob).createGroup("t", ref(1), 0, NATIVE, big, 0, 0, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryAmountTooLarge").withArgs(big);
      await expect(groups.connect(bob).createGroup("t", ref(1), 0, NATIVE, 0, 0, big, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryAmountTooLarge");
      await expect(groups.connect(bob).createGroup("t", ref(1), 0, NATIVE, 0, 0, 0, big)).to.be.revertedWithCustomError(groups, "GroupRegistryAmountTooLarge");
      await expect(groups.group(99n)).to.be.revertedWithCustomError(groups, "GroupRegistryNotFound").withArgs(99n);
      await expect(groups.ownerOf(0n)).to.be.revertedWithCustomError(groups, "GroupRegistryNotFound");
      expect(await groups.isAdmin(99n, bob.address)).to.equal(false);
    });
  });

  describe("joining", function () {
    it("Open: free, exact zero payment, no expiry; a second join is refused", async function () {
      const { groups, bob, openGroup } = await loadFixture(deployGroups);
      await expect(groups.connect(bob).join(openGroup, { value: 1n })).to.be.revertedWithCustomError(groups, "GroupRegistryWrongPayment").withArgs(0n, 1n);
      await expect(groups.connect(bob).join(openGroup)).to.emit(groups, "Joined").withArgs(openGroup, bob.address, 0n, NATIVE, 0n);
      await expect(groups.connect(bob).join(openGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryAlreadyMember").withArgs(openGroup, bob.address);
      await expect(groups.connect(bob).join(99n)).to.be.revertedWithCustomError(groups, "GroupRegistryNotFound");
    });

    it("Fee: pays the join fee into the treasury; the membership expires and renewing extends it from the later of now and the expiry", async function () {
      const { groups, groupsAddress, bob, clubGroup } = await loadFixture(deployGroups);
      await expect(groups.connect(bob).join(clubGroup, { value: JOIN_FEE - 1n })).to.be.revertedWithCustomError(groups, "GroupRegistryWrongPayment").withArgs(JOIN_FEE, JOIN_FEE - 1n);
      await expect(groups.connect(bob).join(clubGroup, { value: JOIN_FEE })).to.changeEtherBalances([bob, groupsAddress], [-JOIN_FEE, JOIN_FEE]);
      const first = (await groups.member(clubGroup, bob.address)).expiresAt;
      expect(first).to.equal(BigInt((await time.latest()) + MEMBERSHIP_PERIOD));
      // Early renewal: the period is added to the current expiry.
      await groups.connect(bob).join(clubGroup, { value: JOIN_FEE });
      expect((await groups.member(clubGroup, bob.address)).expiresAt).to.equal(first + BigInt(MEMBERSHIP_PERIOD));
      await time.increaseTo(first + BigInt(MEMBERSHIP_PERIOD));
      expect(await groups.isMember(clubGroup, bob.address)).to.equal(false);
      expect((await groups.member(clubGroup, bob.address)).active).to.equal(false);
      // Late renewal: from now.
      await expect(groups.connect(bob).join(clubGroup, { value: JOIN_FEE })).to.emit(groups, "Joined");
      expect((await groups.member(clubGroup, bob.address)).expiresAt).to.equal(BigInt((await time.latest()) + MEMBERSHIP_PERIOD));
      expect(await groups.treasuryOf(clubGroup, NATIVE)).to.equal(3n * JOIN_FEE);
    });

    it("Fee in an ERC-20: pulls exactly the fee, refuses coin, fee-on-transfer and de-listed tokens", async function () {
      const { groups, groupsAddress, alice, bob, governor, usd, usdAddress, feeToken, guildGroup } = await loadFixture(deployGroups);
      await groups.connect(alice).setPolicy(guildGroup, JoinPolicy.Fee, 0);
      await expect(groups.connect(bob).join(guildGroup, { value: 1n })).to.be.revertedWithCustomError(groups, "GroupRegistryUnexpectedNativePayment").withArgs(1n);
      await expect(groups.connect(bob).join(guildGroup)).to.changeTokenBalances(usd, [bob, groupsAddress], [-1000n, 1000n]);
      expect(await groups.treasuryOf(guildGroup, usdAddress)).to.equal(1000n);
      const feeAddress = await feeToken.getAddress();
      await groups.connect(alice).setFees(guildGroup, feeAddress, 1000n, 0, 0);
      await expect(groups.connect(alice).join(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryAlreadyMember");
      await expect(groups.connect(bob).join(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryAlreadyMember");
      const [, , , , , , , carol] = await ethers.getSigners();
      await expect(groups.connect(carol).join(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryFeeOnTransferToken").withArgs(feeAddress, 1000n, 990n);
      await groups.connect(alice).setFees(guildGroup, usdAddress, 1000n, 0, 0);
      await groups.connect(governor).setTokenAllowed(usdAddress, false);
      expect(await groups.isTokenAllowed(usdAddress)).to.equal(false);
      expect(await groups.isTokenAllowed(NATIVE)).to.equal(true);
      await expect(groups.connect(carol).join(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryTokenNotAllowed").withArgs(usdAddress);
      // The treasury in a de-listed token stays withdrawable.
      await expect(groups.connect(alice).withdrawTreasury(guildGroup, usdAddress)).to.changeTokenBalance(usd, alice, 1000n);
    });

    it("Approval: request, approve or reject, withdraw a request; renewals need no new approval", async function () {
      const { groups, alice, bob, carol, dave, openGroup, guildGroup } = await loadFixture(deployGroups);
      await expect(groups.connect(bob).join(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryApprovalRequired").withArgs(guildGroup);
      await expect(groups.connect(bob).requestToJoin(openGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryNotApprovalGroup").withArgs(openGroup);
      await expect(groups.connect(bob).requestToJoin(guildGroup)).to.emit(groups, "JoinRequested").withArgs(guildGroup, bob.address);
      await expect(groups.connect(bob).requestToJoin(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryAlreadyRequested");
      await expect(groups.connect(carol).approve(guildGroup, bob.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotAdmin").withArgs(guildGroup, carol.address);
      await expect(groups.connect(alice).approve(guildGroup, carol.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNoRequest").withArgs(guildGroup, carol.address);
      await expect(groups.connect(alice).approve(guildGroup, bob.address)).to.emit(groups, "JoinApproved").withArgs(guildGroup, bob.address, alice.address, 0n);
      expect(await groups.isMember(guildGroup, bob.address)).to.equal(true);
      await expect(groups.connect(bob).requestToJoin(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryAlreadyMember");
      await groups.connect(carol).requestToJoin(guildGroup);
      await expect(groups.connect(alice).reject(guildGroup, carol.address)).to.emit(groups, "JoinRejected").withArgs(guildGroup, carol.address, alice.address);
      expect((await groups.member(guildGroup, carol.address)).status).to.equal(BigInt(Status.None));
      await groups.connect(dave).requestToJoin(guildGroup);
      await expect(groups.connect(dave).leave(guildGroup)).to.emit(groups, "Left").withArgs(guildGroup, dave.address);
      await expect(groups.connect(alice).reject(guildGroup, dave.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNoRequest");
      // Expiring approval memberships renew with join, free of charge.
      await groups.connect(alice).setPolicy(guildGroup, JoinPolicy.Approval, 100);
      await groups.connect(carol).requestToJoin(guildGroup);
      await groups.connect(alice).approve(guildGroup, carol.address);
      const expiry = (await groups.member(guildGroup, carol.address)).expiresAt;
      expect(expiry).to.equal(BigInt((await time.latest()) + 100));
      await time.increase(200);
      await expect(groups.connect(carol).requestToJoin(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryAlreadyMember");
      await expect(groups.connect(carol).join(guildGroup)).to.emit(groups, "Joined");
      expect(await groups.isMember(guildGroup, carol.address)).to.equal(true);
    });
  });

  describe("moderation and roles", function () {
    it("leave, remove, ban and unban, with the owner protected and admins acting on plain members only", async function () {
      const { groups, alice, bob, carol, dave, erin, openGroup } = await loadFixture(deployGroups);
      for (const account of [bob, carol, dave]) await groups.connect(account).join(openGroup);
      await expect(groups.connect(alice).leave(openGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryOwnerProtected").withArgs(openGroup);
      await expect(groups.connect(erin).leave(openGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryNotMember").withArgs(openGroup, erin.address);
      await expect(groups.connect(bob).setAdmin(openGroup, carol.address, true)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner").withArgs(openGroup, bob.address);
      await expect(groups.connect(alice).setAdmin(openGroup, erin.address, true)).to.be.revertedWithCustomError(groups, "GroupRegistryNotMember");
      await expect(groups.connect(alice).setAdmin(openGroup, bob.address, true)).to.emit(groups, "AdminSet").withArgs(openGroup, bob.address, true);
      await groups.connect(alice).setAdmin(openGroup, carol.address, true);
      expect(await groups.isAdmin(openGroup, bob.address)).to.equal(true);
      // An admin removes a plain member, not another admin nor the owner.
      await expect(groups.connect(bob).remove(openGroup, dave.address)).to.emit(groups, "MemberRemoved").withArgs(openGroup, dave.address, bob.address);
      await expect(groups.connect(bob).remove(openGroup, dave.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotMember");
      await expect(groups.connect(bob).remove(openGroup, carol.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(bob).ban(openGroup, carol.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(bob).remove(openGroup, alice.address)).to.be.revertedWithCustomError(groups, "GroupRegistryOwnerProtected");
      await expect(groups.connect(bob).ban(openGroup, alice.address)).to.be.revertedWithCustomError(groups, "GroupRegistryOwnerProtected");
      await expect(groups.connect(dave).remove(openGroup, bob.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotAdmin");
      // Bans: non-members too; a banned account cannot join, request or be banned twice.
      await expect(groups.connect(bob).ban(openGroup, erin.address)).to.emit(groups, "Banned").withArgs(openGroup, erin.address, bob.address);
      await expect(groups.connect(bob).ban(openGroup, erin.address)).to.be.revertedWithCustomError(groups, "GroupRegistryBanned").withArgs(openGroup, erin.address);
      await expect(groups.connect(erin).join(openGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryBanned");
      await expect(groups.connect(alice).ban(openGroup, carol.address)).to.emit(groups, "Banned");
      const m = await groups.member(openGroup, carol.address);
      expect([m.status, m.admin, m.active]).to.deep.equal([BigInt(Status.Banned), false, false]);
      expect(await groups.isAdmin(openGroup, carol.address)).to.equal(false);
      await expect(groups.connect(bob).unban(openGroup, dave.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotBanned").withArgs(openGroup, dave.address);
      await expect(groups.connect(bob).unban(openGroup, erin.address)).to.emit(groups, "Unbanned").withArgs(openGroup, erin.address, bob.address);
      await expect(groups.connect(erin).join(openGroup)).to.emit(groups, "Joined");
      // An admin that leaves loses the role.
      await groups.connect(bob).leave(openGroup);
      expect(await groups.isAdmin(openGroup, bob.address)).to.equal(false);
    });

    it("a banned account cannot request to join an approval group", async function () {
      const { groups, alice, bob, guildGroup } = await loadFixture(deployGroups);
      await groups.connect(alice).ban(guildGroup, bob.address);
      await expect(groups.connect(bob).requestToJoin(guildGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryBanned");
    });

    it("banner by admins; fees, policy, surge and ownership by the owner only", async function () {
      const { groups, alice, bob, carol, usdAddress, openGroup } = await loadFixture(deployGroups);
      await groups.connect(bob).join(openGroup);
      await expect(groups.connect(bob).setBanner(openGroup, ref("x"))).to.be.revertedWithCustomError(groups, "GroupRegistryNotAdmin");
      await groups.connect(alice).setAdmin(openGroup, bob.address, true);
      await expect(groups.connect(bob).setBanner(openGroup, ref("x"))).to.emit(groups, "BannerSet").withArgs(openGroup, ref("x"), bob.address);
      expect((await groups.group(openGroup)).bannerRef).to.equal(ref("x"));
      await expect(groups.connect(bob).setFees(openGroup, NATIVE, 0, 0, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(bob).setPolicy(openGroup, JoinPolicy.Fee, 0)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(bob).setSurge(openGroup, 60, 20_000)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(alice).setFees(openGroup, usdAddress, 5n, 6n, 7n)).to.emit(groups, "FeesSet").withArgs(openGroup, usdAddress, 5n, 6n, 7n);
      await expect(groups.connect(alice).setPolicy(openGroup, JoinPolicy.Approval, 10)).to.emit(groups, "PolicySet").withArgs(openGroup, JoinPolicy.Approval, 10);
      for (const [window, bps] of [[0, 20_000], [60, 0], [60, 10_000], [60, 50_001]]) {
        await expect(groups.connect(alice).setSurge(openGroup, window, bps)).to.be.revertedWithCustomError(groups, "GroupRegistryBadSurge").withArgs(window, bps);
      }
      await expect(groups.connect(alice).setSurge(openGroup, 60, 20_000)).to.emit(groups, "SurgeSet").withArgs(openGroup, 60, 20_000);
      await expect(groups.connect(alice).setSurge(openGroup, 0, 0)).to.emit(groups, "SurgeSet").withArgs(openGroup, 0, 0);
      const terms = await groups.messageTerms(openGroup, bob.address);
      expect([terms.fee, terms.token]).to.deep.equal([6n, usdAddress]);
      expect((await groups.messageTerms(openGroup, carol.address)).fee).to.equal(7n);
    });

    it("two-step ownership transfer: offer, withdraw the offer, accept; the treasury follows the group", async function () {
      const { groups, alice, bob, carol, clubGroup } = await loadFixture(deployGroups);
      await groups.connect(carol).join(clubGroup, { value: JOIN_FEE });
      await expect(groups.connect(bob).transferOwnership(clubGroup, bob.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(alice).transferOwnership(clubGroup, bob.address)).to.emit(groups, "OwnershipTransferStarted").withArgs(clubGroup, alice.address, bob.address);
      expect((await groups.group(clubGroup)).pendingOwner).to.equal(bob.address);
      await expect(groups.connect(carol).acceptOwnership(clubGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryNotPendingOwner").withArgs(clubGroup, carol.address);
      await groups.connect(alice).transferOwnership(clubGroup, NATIVE);
      await expect(groups.connect(bob).acceptOwnership(clubGroup)).to.be.revertedWithCustomError(groups, "GroupRegistryNotPendingOwner");
      await groups.connect(alice).ban(clubGroup, bob.address);
      await groups.connect(alice).transferOwnership(clubGroup, bob.address);
      await expect(groups.connect(bob).acceptOwnership(clubGroup)).to.emit(groups, "OwnershipTransferred").withArgs(clubGroup, alice.address, bob.address);
      expect(await groups.ownerOf(clubGroup)).to.equal(bob.address);
      const m = await groups.member(clubGroup, bob.address);
      expect([m.status, m.expiresAt, m.active]).to.deep.equal([BigInt(Status.Member), 0n, true]);
      expect(await groups.isMember(clubGroup, alice.address)).to.equal(true);
      await expect(groups.connect(alice).withdrawTreasury(clubGroup, NATIVE)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      await expect(groups.connect(bob).withdrawTreasury(clubGroup, NATIVE)).to.changeEtherBalance(bob, JOIN_FEE);
      await expect(groups.connect(bob).withdrawTreasury(clubGroup, NATIVE)).to.be.revertedWithCustomError(groups, "GroupRegistryNothingToWithdraw").withArgs(clubGroup, NATIVE);
      // The former owner is now an ordinary member who may leave.
      await expect(groups.connect(alice).leave(clubGroup)).to.emit(groups, "Left");
    });
  });

  describe("catalogue, treasury and governance", function () {
    it("admins post existing pods and remove them", async function () {
      const { groups, alice, bob, publicPod, privatePod, openGroup } = await loadFixture(deployGroups);
      await expect(groups.connect(bob).postPod(openGroup, publicPod)).to.be.revertedWithCustomError(groups, "GroupRegistryNotAdmin");
      await expect(groups.connect(alice).postPod(openGroup, 99n)).to.be.revertedWithCustomError(groups, "ERC721NonexistentToken").withArgs(99n);
      await expect(groups.connect(alice).postPod(openGroup, publicPod)).to.emit(groups, "PodPosted").withArgs(openGroup, publicPod, alice.address);
      await groups.connect(alice).postPod(openGroup, privatePod);
      expect(await groups.hasPod(openGroup, publicPod)).to.equal(true);
      await expect(groups.connect(alice).postPod(openGroup, publicPod)).to.be.revertedWithCustomError(groups, "GroupRegistryPodAlreadyPosted").withArgs(openGroup, publicPod);
      await expect(groups.connect(alice).removePod(openGroup, publicPod)).to.emit(groups, "PodRemoved").withArgs(openGroup, publicPod, alice.address);
      await expect(groups.connect(alice).removePod(openGroup, publicPod)).to.be.revertedWithCustomError(groups, "GroupRegistryPodNotPosted").withArgs(openGroup, publicPod);
      expect(await groups.hasPod(openGroup, publicPod)).to.equal(false);
    });

    it("only the governor keeps the allow-list; no role can touch a treasury", async function () {
      const { groups, admin, governor, bob, usdAddress, clubGroup } = await loadFixture(deployGroups);
      await groups.connect(bob).join(clubGroup, { value: JOIN_FEE });
      await expect(groups.connect(admin).setTokenAllowed(usdAddress, false)).to.be.revertedWithCustomError(groups, "AccessControlUnauthorizedAccount");
      await expect(groups.connect(governor).setTokenAllowed(NATIVE, true)).to.be.revertedWithCustomError(groups, "GroupRegistryZeroAddress");
      await expect(groups.connect(governor).setTokenAllowed(usdAddress, false)).to.emit(groups, "TokenAllowed").withArgs(usdAddress, false);
      for (const role of [admin, governor]) {
        await expect(groups.connect(role).withdrawTreasury(clubGroup, NATIVE)).to.be.revertedWithCustomError(groups, "GroupRegistryNotOwner");
      }
      await expect(bob.sendTransaction({ to: await groups.getAddress(), value: 1n })).to.be.reverted;
    });

    it("message terms: member fee for active members, public fee for others and expired members, banned senders refused", async function () {
      const { groups, alice, bob, carol, clubGroup } = await loadFixture(deployGroups);
      await groups.connect(bob).join(clubGroup, { value: JOIN_FEE });
      expect((await groups.messageTerms(clubGroup, bob.address)).fee).to.equal(MEMBER_FEE);
      expect((await groups.messageTerms(clubGroup, carol.address)).fee).to.equal(PUBLIC_FEE);
      await time.increase(MEMBERSHIP_PERIOD);
      expect((await groups.messageTerms(clubGroup, bob.address)).fee).to.equal(PUBLIC_FEE);
      await groups.connect(alice).ban(clubGroup, carol.address);
      await expect(groups.messageTerms(clubGroup, carol.address)).to.be.revertedWithCustomError(groups, "GroupRegistryBanned");
      await expect(groups.messageTerms(9n, carol.address)).to.be.revertedWithCustomError(groups, "GroupRegistryNotFound");
    });
  });
});
