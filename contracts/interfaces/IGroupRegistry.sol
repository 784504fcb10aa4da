// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IGroupRegistry
 * @notice Groups: an owner, admins and members, a join policy (open, fee, approval), memberships that
 * may expire and are renewed by joining again, bans, a catalogue of pods and a treasury of join fees
 * (in the native coin, token = address(0), or an allow-listed ERC-20) that the owner withdraws.
 * Message fees are charged and credited by MessageBus, which reads `messageTerms`.
 * @dev Group ids start at 1. The owner is a member that never expires and counts as an admin.
 */
interface IGroupRegistry {
    /// @notice How accounts become members.
    enum JoinPolicy {
        Open, // anyone joins for free
        Fee, // anyone joins by paying joinFee (again to renew)
        Approval // accounts request to join, an admin approves; members renew for free
    }

    /// @notice An account's standing in a group.
    enum MemberStatus {
        None,
        Member, // active until expiresAt (0 = never)
        Requested, // asked to join an Approval group
        Banned
    }

    /// @notice A group as `group()` returns it.
    struct Group {
        address owner;
        address pendingOwner;
        JoinPolicy joinPolicy;
        uint32 membershipPeriod; // seconds; 0 = memberships never expire
        address token; // address(0) = native coin
        uint96 joinFee;
        uint96 memberMessageFee;
        uint96 publicMessageFee;
        uint32 surgeWindow; // seconds; 0 = no surge pricing
        uint16 surgeBps; // the multiplier per further message within the window, 20000 = x2
        bytes32 bannerRef;
        string name;
    }

    /// @notice An account's membership as `member()` returns it.
    struct Member {
        MemberStatus status;
        uint40 expiresAt; // 0 = never
        bool admin;
        bool active; // a member now (status Member and not expired)
    }

    /**
     * @notice A group was created; its owner is its first member.
     * @param groupId The new group.
     * @param owner The creator and owner.
     * @param name The name (1-64 bytes).
     * @param bannerRef The banner's Swarm reference (0 = none).
     */
    event GroupCreated(uint256 indexed groupId, address indexed owner, string name, bytes32 bannerRef);

    /**
     * @notice The owner set the policy (at creation too).
     * @param groupId The group.
     * @param joinPolicy The join policy.
     * @param membershipPeriod Seconds a membership lasts (0 = forever); existing expiries keep theirs.
     */
    event PolicySet(uint256 indexed groupId, JoinPolicy joinPolicy, uint32 membershipPeriod);

    /**
     * @notice The owner set the token and the fees (at creation too).
     * @param groupId The group.
     * @param token The token of join and message fees (address(0) = native coin).
     * @param joinFee The join fee (Fee policy).
     * @param memberMessageFee What a member's message pays the group.
     * @param publicMessageFee What anyone else's message pays the group.
     */
    event FeesSet(uint256 indexed groupId, address indexed token, uint256 joinFee, uint256 memberMessageFee, uint256 publicMessageFee);

    /**
     * @notice The owner set surge pricing for messages to the group.
     * @param groupId The group.
     * @param window Seconds (0 = off).
     * @param multiplierBps Multiplier per further message of a sender in the window (20000 = x2).
     */
    event SurgeSet(uint256 indexed groupId, uint32 window, uint16 multiplierBps);

    /**
     * @notice An admin set the banner.
     * @param groupId The group.
     * @param bannerRef The banner's Swarm reference.
     * @param actor Who set it.
     */
    event BannerSet(uint256 indexed groupId, bytes32 bannerRef, address indexed actor);

    /**
     * @notice An account joined or renewed its membership.
     * @param groupId The group.
     * @param account The member.
     * @param fee The join fee paid (credited to the group's treasury).
     * @param token The fee's token.
     * @param expiresAt When the membership ends (0 = never).
     */
    event Joined(uint256 indexed groupId, address indexed account, uint256 fee, address token, uint40 expiresAt);

    /**
     * @notice An account asked to join an Approval group.
     * @param groupId The group.
     * @param account The applicant.
     */
    event JoinRequested(uint256 indexed groupId, address indexed account);

    /**
     * @notice An admin approved a request; the applicant is a member.
     * @param groupId The group.
     * @param account The new member.
     * @param admin The admin.
     * @param expiresAt When the membership ends (0 = never).
     */
    event JoinApproved(uint256 indexed groupId, address indexed account, address indexed admin, uint40 expiresAt);

    /**
     * @notice An admin rejected a request.
     * @param groupId The group.
     * @param account The applicant.
     * @param admin The admin.
     */
    event JoinRejected(uint256 indexed groupId, address indexed account, address indexed admin);

    /**
     * @notice A member left, or an applicant withdrew its request.
     * @param groupId The group.
     * @param account The account.
     */
    event Left(uint256 indexed groupId, address indexed account);

    /**
     * @notice An admin removed a member (it may join again).
     * @param groupId The group.
     * @param account The former member.
     * @param admin The admin.
     */
    event MemberRemoved(uint256 indexed groupId, address indexed account, address indexed admin);

    /**
     * @notice An admin banned an account (it loses any membership and cannot join or message the group).
     * @param groupId The group.
     * @param account The account.
     * @param admin The admin.
     */
    event Banned(uint256 indexed groupId, address indexed account, address indexed admin);

    /**
     * @notice An admin lifted a ban.
     * @param groupId The group.
     * @param account The account.
     * @param admin The admin.
     */
    event Unbanned(uint256 indexed groupId, address indexed account, address indexed admin);

    /**
     * @notice The owner made a member an admin or took the role back.
     * @param groupId The group.
     * @param account The member.
     * @param admin True when it is now an admin.
     */
    event AdminSet(uint256 indexed groupId, address indexed account, bool admin);

    /**
     * @notice The owner offered the group to `pendingOwner` (address(0) = offer withdrawn).
     * @param groupId The group.
     * @param owner The owner.
     * @param pendingOwner Who may accept.
     */
    event OwnershipTransferStarted(uint256 indexed groupId, address indexed owner, address indexed pendingOwner);

    /**
     * @notice The pending owner accepted: it owns the group (and its treasury) and is a member forever.
     * @param groupId The group.
     * @param previousOwner Before (stays a member as it was).
     * @param newOwner After.
     */
    event OwnershipTransferred(uint256 indexed groupId, address indexed previousOwner, address indexed newOwner);

    /**
     * @notice An admin posted a pod to the group's catalogue.
     * @param groupId The group.
     * @param podId The pod (exists in PodRegistry).
     * @param admin The admin.
     */
    event PodPosted(uint256 indexed groupId, uint256 indexed podId, address indexed admin);

    /**
     * @notice An admin took a pod off the catalogue.
     * @param groupId The group.
     * @param podId The pod.
     * @param admin The admin.
     */
    event PodRemoved(uint256 indexed groupId, uint256 indexed podId, address indexed admin);

    /**
     * @notice The owner withdrew the group's treasury of join fees in one token.
     * @param groupId The group.
     * @param owner The owner, who received it.
     * @param token The token.
     * @param amount The amount.
     */
    event TreasuryWithdrawn(uint256 indexed groupId, address indexed owner, address indexed token, uint256 amount);

    /**
     * @notice An ERC-20 was added to or removed from the allow-list (shared with MessageBus).
     * @param token The token.
     * @param allowed True when groups and inboxes may charge in it.
     */
    event TokenAllowed(address indexed token, bool allowed);

    /// @notice A required address was zero.
    error GroupRegistryZeroAddress();
    /**
     * @notice No such group.
     * @param groupId The id.
     */
    error GroupRegistryNotFound(uint256 groupId);
    /**
     * @notice A name must be 1-64 bytes.
     * @param length The length given.
     */
    error GroupRegistryBadName(uint256 length);
    /**
     * @notice The ERC-20 is not allow-listed.
     * @param token The token.
     */
    error GroupRegistryTokenNotAllowed(address token);
    /**
     * @notice An amount does not fit 96 bits.
     * @param amount The amount.
     */
    error GroupRegistryAmountTooLarge(uint256 amount);
    /**
     * @notice Surge pricing needs a window and a multiplier in (10000, MAX_SURGE_BPS], or neither.
     * @param window The window.
     * @param multiplierBps The multiplier.
     */
    error GroupRegistryBadSurge(uint32 window, uint16 multiplierBps);
    /**
     * @notice Only the group's owner may do this.
     * @param groupId The group.
     * @param caller The caller.
     */
    error GroupRegistryNotOwner(uint256 groupId, address caller);
    /**
     * @notice Only the group's owner or an admin may do this.
     * @param groupId The group.
     * @param caller The caller.
     */
    error GroupRegistryNotAdmin(uint256 groupId, address caller);
    /**
     * @notice Only the pending owner may accept the group.
     * @param groupId The group.
     * @param caller The caller.
     */
    error GroupRegistryNotPendingOwner(uint256 groupId, address caller);
    /**
     * @notice The owner cannot leave, be removed or banned (transfer the group first).
     * @param groupId The group.
     */
    error GroupRegistryOwnerProtected(uint256 groupId);
    /**
     * @notice The account is banned from the group.
     * @param groupId The group.
     * @param account The account.
     */
    error GroupRegistryBanned(uint256 groupId, address account);
    /**
     * @notice The account is not banned.
     * @param groupId The group.
     * @param account The account.
     */
    error GroupRegistryNotBanned(uint256 groupId, address account);
    /**
     * @notice The account is a member whose membership never expires: nothing to renew.
     * @param groupId The group.
     * @param account The account.
     */
    error GroupRegistryAlreadyMember(uint256 groupId, address account);
    /**
     * @notice The account is not a member (or applicant, for `leave`).
     * @param groupId The group.
     * @param account The account.
     */
    error GroupRegistryNotMember(uint256 groupId, address account);
    /**
     * @notice The group admits by approval: call `requestToJoin`.
     * @param groupId The group.
     */
    error GroupRegistryApprovalRequired(uint256 groupId);
    /**
     * @notice `requestToJoin` is for Approval groups only.
     * @param groupId The group.
     */
    error GroupRegistryNotApprovalGroup(uint256 groupId);
    /**
     * @notice The account already asked to join.
     * @param groupId The group.
     * @param account The account.
     */
    error GroupRegistryAlreadyRequested(uint256 groupId, address account);
    /**
     * @notice The account has no pending request.
     * @param groupId The group.
     * @param account The account.
     */
    error GroupRegistryNoRequest(uint256 groupId, address account);
    /**
     * @notice The pod is already in the catalogue.
     * @param groupId The group.
     * @param podId The pod.
     */
    error GroupRegistryPodAlreadyPosted(uint256 groupId, uint256 podId);
    /**
     * @notice The pod is not in the catalogue.
     * @param groupId The group.
     * @param podId The pod.
     */
    error GroupRegistryPodNotPosted(uint256 groupId, uint256 podId);
    /**
     * @notice The native payment differs from the fee.
     * @param expected The fee.
     * @param sent msg.value.
     */
    error GroupRegistryWrongPayment(uint256 expected, uint256 sent);
    /**
     * @notice Coin was sent with an ERC-20 payment.
     * @param sent msg.value.
     */
    error GroupRegistryUnexpectedNativePayment(uint256 sent);
    /**
     * @notice The ERC-20 delivered a different amount (fee-on-transfer tokens are refused).
     * @param token The token.
     * @param expected The fee.
     * @param received What arrived.
     */
    error GroupRegistryFeeOnTransferToken(address token, uint256 expected, uint256 received);
    /**
     * @notice The treasury holds nothing in this token.
     * @param groupId The group.
     * @param token The token.
     */
    error GroupRegistryNothingToWithdraw(uint256 groupId, address token);
    /**
     * @notice The native coin could not be sent.
     * @param recipient The recipient.
     * @param amount The amount.
     */
    error GroupRegistryNativeTransferFailed(address recipient, uint256 amount);

    /**
     * @notice Creates a group owned by the caller, who becomes its first member (never expiring).
     * @param name 1-64 bytes.
     * @param bannerRef The banner's Swarm reference (0 = none).
     * @param joinPolicy Open, Fee or Approval.
     * @param token The token of all its fees: address(0) or an allow-listed ERC-20.
     * @param joinFee What joining (and renewing) costs under the Fee policy.
     * @param membershipPeriod Seconds a membership lasts (0 = forever).
     * @param memberMessageFee What a member's message pays the group (MessageBus).
     * @param publicMessageFee What anyone else's message pays the group.
     * @return groupId The new group.
     */
    function createGroup(
        string calldata name,
        bytes32 bannerRef,
        JoinPolicy joinPolicy,
        address token,
        uint256 joinFee,
        uint32 membershipPeriod,
        uint256 memberMessageFee,
        uint256 publicMessageFee
    ) external returns (uint256 groupId);

    /**
     * @notice Joins an Open or Fee group, or renews a membership (an expired or expiring one, in any
     * group: renewal in an Approval group needs no new approval). Under the Fee policy `joinFee` is paid
     * (exact `msg.value`, or `transferFrom`); a renewal adds `membershipPeriod` to the later of now and
     * the current expiry.
     * @param groupId The group.
     * @return expiresAt When the membership ends (0 = never).
     */
    function join(uint256 groupId) external payable returns (uint40 expiresAt);

    /**
     * @notice Asks to join an Approval group (free).
     * @param groupId The group.
     */
    function requestToJoin(uint256 groupId) external;

    /**
     * @notice Admits an applicant. Owner or admin.
     * @param groupId The group.
     * @param account The applicant.
     */
    function approve(uint256 groupId, address account) external;

    /**
     * @notice Turns an applicant down (it may ask again). Owner or admin.
     * @param groupId The group.
     * @param account The applicant.
     */
    function reject(uint256 groupId, address account) external;

    /**
     * @notice Leaves the group, or withdraws a pending request. Not the owner.
     * @param groupId The group.
     */
    function leave(uint256 groupId) external;

    /**
     * @notice Removes a member (active or expired). Owner or admin; only the owner removes admins.
     * @param groupId The group.
     * @param account The member.
     */
    function remove(uint256 groupId, address account) external;

    /**
     * @notice Bans an account (member or not). Owner or admin; only the owner bans admins.
     * @param groupId The group.
     * @param account The account.
     */
    function ban(uint256 groupId, address account) external;

    /**
     * @notice Lifts a ban (the account may join again). Owner or admin.
     * @param groupId The group.
     * @param account The account.
     */
    function unban(uint256 groupId, address account) external;

    /**
     * @notice Makes a member an admin, or takes the role back. Owner only.
     * @param groupId The group.
     * @param account The member.
     * @param admin True to make it an admin.
     */
    function setAdmin(uint256 groupId, address account, bool admin) external;

    /**
     * @notice Sets the banner. Owner or admin.
     * @param groupId The group.
     * @param bannerRef The banner's Swarm reference.
     */
    function setBanner(uint256 groupId, bytes32 bannerRef) external;

    /**
     * @notice Sets the token and all fees. Owner only. Treasury balances in the old token stay withdrawable.
     * @param groupId The group.
     * @param token address(0) or an allow-listed ERC-20.
     * @param joinFee The join fee.
     * @param memberMessageFee The members' message fee.
     * @param publicMessageFee Everyone else's message fee.
     */
    function setFees(uint256 groupId, address token, uint256 joinFee, uint256 memberMessageFee, uint256 publicMessageFee) external;

    /**
     * @notice Sets the join policy and membership period. Owner only. Pending requests stay pending.
     * @param groupId The group.
     * @param joinPolicy The policy.
     * @param membershipPeriod Seconds (0 = forever), for memberships started or renewed from now on.
     */
    function setPolicy(uint256 groupId, JoinPolicy joinPolicy, uint32 membershipPeriod) external;

    /**
     * @notice Sets surge pricing of messages to the group. Owner only.
     * @param groupId The group.
     * @param window Seconds (0 = off, with multiplierBps 0).
     * @param multiplierBps Multiplier per further message of one sender within the window (20000 = x2).
     */
    function setSurge(uint256 groupId, uint32 window, uint16 multiplierBps) external;

    /**
     * @notice Offers the group to `newOwner` (address(0) withdraws the offer). Owner only.
     * @param groupId The group.
     * @param newOwner Who may accept.
     */
    function transferOwnership(uint256 groupId, address newOwner) external;

    /**
     * @notice Accepts a pending ownership offer. A banned pending owner is unbanned by accepting.
     * @param groupId The group.
     */
    function acceptOwnership(uint256 groupId) external;

    /**
     * @notice Posts a pod to the catalogue. Owner or admin; the pod must exist.
     * @param groupId The group.
     * @param podId The pod.
     */
    function postPod(uint256 groupId, uint256 podId) external;

    /**
     * @notice Takes a pod off the catalogue. Owner or admin.
     * @param groupId The group.
     * @param podId The pod.
     */
    function removePod(uint256 groupId, uint256 podId) external;

    /**
     * @notice Pays the group's join fees in `token` to its owner. Owner only.
     * @param groupId The group.
     * @param token The token.
     * @return amount What was paid.
     */
    function withdrawTreasury(uint256 groupId, address token) external returns (uint256 amount);

    /**
     * @notice What a message from `sender` pays the group, for MessageBus. Reverts for a missing group
     * and a banned sender.
     * @param groupId The group.
     * @param sender The sender.
     * @return fee The member fee for active members, the public fee for everyone else.
     * @return token The token.
     * @return surgeWindow The surge window (0 = off).
     * @return surgeBps The surge multiplier.
     */
    function messageTerms(
        uint256 groupId,
        address sender
    ) external view returns (uint256 fee, address token, uint32 surgeWindow, uint16 surgeBps);

    /**
     * @notice A group.
     * @param groupId The group.
     * @return The group (reverts when missing).
     */
    function group(uint256 groupId) external view returns (Group memory);

    /**
     * @notice An account's membership of a group.
     * @param groupId The group.
     * @param account The account.
     * @return The record.
     */
    function member(uint256 groupId, address account) external view returns (Member memory);

    /**
     * @notice True for an active member (the owner always is).
     * @param groupId The group.
     * @param account The account.
     * @return Whether it is a member now.
     */
    function isMember(uint256 groupId, address account) external view returns (bool);

    /**
     * @notice True for the owner and the admins.
     * @param groupId The group.
     * @param account The account.
     * @return Whether it may act as an admin.
     */
    function isAdmin(uint256 groupId, address account) external view returns (bool);

    /**
     * @notice The group's owner (reverts when missing).
     * @param groupId The group.
     * @return The owner.
     */
    function ownerOf(uint256 groupId) external view returns (address);

    /**
     * @notice Whether a pod is in the group's catalogue.
     * @param groupId The group.
     * @param podId The pod.
     * @return True when posted.
     */
    function hasPod(uint256 groupId, uint256 podId) external view returns (bool);

    /**
     * @notice The group's join fees held in `token`.
     * @param groupId The group.
     * @param token The token.
     * @return The amount.
     */
    function treasuryOf(uint256 groupId, address token) external view returns (uint256);

    /**
     * @notice True for the native coin (address(0)) and allow-listed ERC-20s.
     * @param token The token.
     * @return Whether fees may be charged in it (here and in MessageBus).
     */
    function isTokenAllowed(address token) external view returns (bool);

    /**
     * @notice How many groups exist (the latest id).
     * @return The count.
     */
    function groupCount() external view returns (uint256);
}
