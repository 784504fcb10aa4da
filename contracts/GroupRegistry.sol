// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IGroupRegistry} from "./interfaces/IGroupRegistry.sol";

/**
 * @title GroupRegistry
 * @notice Groups with an owner, admins and members, join policies (open, fee, approval), expiring
 * memberships renewed by joining again, bans, a catalogue of pods and a treasury of join fees that
 * only the group's owner withdraws (pull payment). MessageBus prices messages to a group with
 * `messageTerms`, one call that reads two slots.
 * @dev Roles: the default admin (AccessControlDefaultAdminRules, two-step transfer behind a delay)
 * grants GOVERNOR_ROLE, which keeps the ERC-20 allow-list (read by MessageBus too). No role can move
 * a treasury: the only way out is the group owner's `withdrawTreasury`. The contract holds exactly
 * the sum of all treasuries per token (exact native payments, fee-on-transfer tokens refused, no `receive`).
 */
contract GroupRegistry is IGroupRegistry, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May add and remove ERC-20s from the allow-list.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice The largest surge multiplier: x5 per further message.
    uint16 public constant MAX_SURGE_BPS = 50_000;
    /// @notice The longest group name in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;

    uint16 private constant BPS_DENOMINATOR = 10_000;
    address private constant NATIVE = address(0);

    /// @dev The slot MessageBus reads on every message to the group.
    struct Terms {
        uint96 memberFee;
        uint96 publicFee;
        uint32 surgeWindow;
        uint16 surgeBps;
        bool erc20; // the token is in `fees.token`; false = native coin
        bool exists;
    }

    struct Config {
        address owner;
        JoinPolicy policy;
        uint32 period;
    }

    struct Fees {
        address token;
        uint96 joinFee;
    }

    struct StoredGroup {
        Terms terms;
        Config config;
        Fees fees;
        address pendingOwner;
        bytes32 bannerRef;
        string name;
    }

    struct StoredMember {
        MemberStatus status;
        uint40 expiresAt;
        bool admin;
    }

    /// @notice The PodRegistry whose pods the catalogues list.
    address public immutable podRegistry;

    uint256 private _groupCount;
    mapping(uint256 groupId => StoredGroup) private _groups;
    mapping(uint256 groupId => mapping(address account => StoredMember)) private _members;
    mapping(uint256 groupId => mapping(uint256 podId => bool)) private _pods;
    mapping(uint256 groupId => mapping(address token => uint256)) private _treasury;
    mapping(address token => bool) private _allowedTokens;

    /**
     * @notice Deploys the registry with its roles on distinct accounts.
     * @param podRegistry_ The PodRegistry.
     * @param adminDelay The delay of a default admin transfer.
     * @param admin The default admin (grants and revokes GOVERNOR_ROLE).
     * @param governor Receives GOVERNOR_ROLE.
     */
    constructor(
        address podRegistry_,
        uint48 adminDelay,
        address admin,
        address governor
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (podRegistry_ == address(0) || governor == address(0)) revert GroupRegistryZeroAddress();
        podRegistry = podRegistry_;
        _grantRole(GOVERNOR_ROLE, governor);
    }

    // ---------------------------------------------------------------- groups

    /// @inheritdoc IGroupRegistry
    function createGroup(
        string calldata name,
        bytes32 bannerRef,
        JoinPolicy joinPolicy,
        address token,
        uint256 joinFee,
        uint32 membershipPeriod,
        uint256 memberMessageFee,
        uint256 publicMessageFee
    ) external returns (uint256 groupId) {
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_NAME_LENGTH) revert GroupRegistryBadName(length);
        groupId = ++_groupCount;
        StoredGroup storage g = _groups[groupId];
        g.terms.exists = true;
        g.config.owner = msg.sender;
        g.bannerRef = bannerRef;
        g.name = name;
        _members[groupId][msg.sender] = StoredMember({status: MemberStatus.Member, expiresAt: 0, admin: false});
        emit GroupCreated(groupId, msg.sender, name, bannerRef);
        emit Joined(groupId, msg.sender, 0, token, 0);
        _setPolicy(groupId, g, joinPolicy, membershipPeriod);
        _setFees(groupId, g, token, joinFee, memberMessageFee, publicMessageFee);
    }

    /// @inheritdoc IGroupRegistry
    function join(uint256 groupId) external payable nonReentrant returns (uint40 expiresAt) {
        StoredGroup storage g = _existing(groupId);
        StoredMember storage m = _members[groupId][msg.sender];
        MemberStatus status = m.status;
        if (status == MemberStatus.Banned) revert GroupRegistryBanned(groupId, msg.sender);
        bool renewal = status == MemberStatus.Member;
        uint40 current = m.expiresAt;
        if (renewal && current == 0) revert GroupRegistryAlreadyMember(groupId, msg.sender);
        JoinPolicy policy = g.config.policy;
        if (!renewal && policy == JoinPolicy.Approval) revert GroupRegistryApprovalRequired(groupId);
        expiresAt = _expiry(g.config.period, renewal ? current : 0);
        uint256 fee = policy == JoinPolicy.Fee ? g.fees.joinFee : 0;
        address token = g.terms.erc20 ? g.fees.token : NATIVE;
        _collect(token, fee);
        m.status = MemberStatus.Member;
        m.expiresAt = expiresAt;
        if (fee != 0) _treasury[groupId][token] += fee;
        emit Joined(groupId, msg.sender, fee, token, expiresAt);
    }

    /// @inheritdoc IGroupRegistry
    function requestToJoin(uint256 groupId) external {
        StoredGroup storage g = _existing(groupId);
        if (g.config.policy != JoinPolicy.Approval) revert GroupRegistryNotApprovalGroup(groupId);
        StoredMember storage m = _members[groupId][msg.sender];
        MemberStatus status = m.status;
        if (status == MemberStatus.Banned) revert GroupRegistryBanned(groupId, msg.sender);
        if (status == MemberStatus.Requested) revert GroupRegistryAlreadyRequested(groupId, msg.sender);
        // A member, even an expired one, renews with `join`.
        if (status == MemberStatus.Member) revert GroupRegistryAlreadyMember(groupId, msg.sender);
        m.status = MemberStatus.Requested;
        emit JoinRequested(groupId, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function approve(uint256 groupId, address account) external {
        StoredGroup storage g = _asAdmin(groupId);
        StoredMember storage m = _request(groupId, account);
        uint40 expiresAt = _expiry(g.config.period, 0);
        m.status = MemberStatus.Member;
        m.expiresAt = expiresAt;
        emit JoinApproved(groupId, account, msg.sender, expiresAt);
    }

    /// @inheritdoc IGroupRegistry
    function reject(uint256 groupId, address account) external {
        _asAdmin(groupId);
        _request(groupId, account);
        delete _members[groupId][account];
        emit JoinRejected(groupId, account, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function leave(uint256 groupId) external {
        StoredGroup storage g = _existing(groupId);
        if (g.config.owner == msg.sender) revert GroupRegistryOwnerProtected(groupId);
        MemberStatus status = _members[groupId][msg.sender].status;
        if (status != MemberStatus.Member && status != MemberStatus.Requested) revert GroupRegistryNotMember(groupId, msg.sender);
        delete _members[groupId][msg.sender];
        emit Left(groupId, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function remove(uint256 groupId, address account) external {
        StoredMember storage m = _moderated(groupId, account);
        if (m.status != MemberStatus.Member) revert GroupRegistryNotMember(groupId, account);
        delete _members[groupId][account];
        emit MemberRemoved(groupId, account, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function ban(uint256 groupId, address account) external {
        StoredMember storage m = _moderated(groupId, account);
        if (m.status == MemberStatus.Banned) revert GroupRegistryBanned(groupId, account);
        _members[groupId][account] = StoredMember({status: MemberStatus.Banned, expiresAt: 0, admin: false});
        emit Banned(groupId, account, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function unban(uint256 groupId, address account) external {
        _asAdmin(groupId);
        if (_members[groupId][account].status != MemberStatus.Banned) revert GroupRegistryNotBanned(groupId, account);
        delete _members[groupId][account];
        emit Unbanned(groupId, account, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function setAdmin(uint256 groupId, address account, bool admin) external {
        _asOwner(groupId);
        StoredMember storage m = _members[groupId][account];
        if (m.status != MemberStatus.Member) revert GroupRegistryNotMember(groupId, account);
        m.admin = admin;
        emit AdminSet(groupId, account, admin);
    }

    /// @inheritdoc IGroupRegistry
    function setBanner(uint256 groupId, bytes32 bannerRef) external {
        _asAdmin(groupId).bannerRef = bannerRef;
        emit BannerSet(groupId, bannerRef, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function setFees(uint256 groupId, address token, uint256 joinFee, uint256 memberMessageFee, uint256 publicMessageFee) external {
        _setFees(groupId, _asOwner(groupId), token, joinFee, memberMessageFee, publicMessageFee);
    }

    /// @inheritdoc IGroupRegistry
    function setPolicy(uint256 groupId, JoinPolicy joinPolicy, uint32 membershipPeriod) external {
        _setPolicy(groupId, _asOwner(groupId), joinPolicy, membershipPeriod);
    }

    /// @inheritdoc IGroupRegistry
    function setSurge(uint256 groupId, uint32 window, uint16 multiplierBps) external {
        StoredGroup storage g = _asOwner(groupId);
        bool off = window == 0 && multiplierBps == 0;
        if (!off && (window == 0 || multiplierBps <= BPS_DENOMINATOR || multiplierBps > MAX_SURGE_BPS)) {
            revert GroupRegistryBadSurge(window, multiplierBps);
        }
        g.terms.surgeWindow = window;
        g.terms.surgeBps = multiplierBps;
        emit SurgeSet(groupId, window, multiplierBps);
    }

    /// @inheritdoc IGroupRegistry
    function transferOwnership(uint256 groupId, address newOwner) external {
        _asOwner(groupId).pendingOwner = newOwner;
        emit OwnershipTransferStarted(groupId, msg.sender, newOwner);
    }

    /// @inheritdoc IGroupRegistry
    function acceptOwnership(uint256 groupId) external {
        StoredGroup storage g = _existing(groupId);
        if (g.pendingOwner != msg.sender || msg.sender == address(0)) revert GroupRegistryNotPendingOwner(groupId, msg.sender);
        address previous = g.config.owner;
        g.config.owner = msg.sender;
        g.pendingOwner = address(0);
        _members[groupId][msg.sender] = StoredMember({status: MemberStatus.Member, expiresAt: 0, admin: false});
        emit OwnershipTransferred(groupId, previous, msg.sender);
    }

    // ---------------------------------------------------------------- catalogue

    /// @inheritdoc IGroupRegistry
    function postPod(uint256 groupId, uint256 podId) external {
        _asAdmin(groupId);
        if (!IPodRegistry(podRegistry).exists(podId)) revert IERC721Errors.ERC721NonexistentToken(podId);
        if (_pods[groupId][podId]) revert GroupRegistryPodAlreadyPosted(groupId, podId);
        _pods[groupId][podId] = true;
        emit PodPosted(groupId, podId, msg.sender);
    }

    /// @inheritdoc IGroupRegistry
    function removePod(uint256 groupId, uint256 podId) external {
        _asAdmin(groupId);
        if (!_pods[groupId][podId]) revert GroupRegistryPodNotPosted(groupId, podId);
        delete _pods[groupId][podId];
        emit PodRemoved(groupId, podId, msg.sender);
    }

    // ---------------------------------------------------------------- money

    /// @inheritdoc IGroupRegistry
    function withdrawTreasury(uint256 groupId, address token) external nonReentrant returns (uint256 amount) {
        _asOwner(groupId);
        amount = _treasury[groupId][token];
        if (amount == 0) revert GroupRegistryNothingToWithdraw(groupId, token);
        delete _treasury[groupId][token];
        emit TreasuryWithdrawn(groupId, msg.sender, token, amount);
        if (token == NATIVE) {
            (bool sent, ) = payable(msg.sender).call{value: amount}("");
            if (!sent) revert GroupRegistryNativeTransferFailed(msg.sender, amount);
        } else {
            IERC20(token).safeTransfer(msg.sender, amount);
        }
    }

    /**
     * @notice Adds or removes an ERC-20 from the allow-list (GroupRegistry's and MessageBus's). A removed
     * token can no longer be set or paid with; balances in it stay withdrawable. GOVERNOR_ROLE only.
     * @param token The ERC-20 (non-zero).
     * @param allowed True to allow it.
     */
    function setTokenAllowed(address token, bool allowed) external onlyRole(GOVERNOR_ROLE) {
        if (token == NATIVE) revert GroupRegistryZeroAddress();
        _allowedTokens[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IGroupRegistry
    function messageTerms(
        uint256 groupId,
        address sender
    ) external view returns (uint256 fee, address token, uint32 surgeWindow, uint16 surgeBps) {
        Terms memory terms = _groups[groupId].terms;
        if (!terms.exists) revert GroupRegistryNotFound(groupId);
        StoredMember memory m = _members[groupId][sender];
        if (m.status == MemberStatus.Banned) revert GroupRegistryBanned(groupId, sender);
        fee = _active(m) ? terms.memberFee : terms.publicFee;
        token = terms.erc20 ? _groups[groupId].fees.token : NATIVE;
        surgeWindow = terms.surgeWindow;
        surgeBps = terms.surgeBps;
    }

    /// @inheritdoc IGroupRegistry
    function group(uint256 groupId) external view returns (Group memory) {
        StoredGroup storage g = _existing(groupId);
        Terms memory terms = g.terms;
        return
            Group({
                owner: g.config.owner,
                pendingOwner: g.pendingOwner,
                joinPolicy: g.config.policy,
                membershipPeriod: g.config.period,
                token: terms.erc20 ? g.fees.token : NATIVE,
                joinFee: g.fees.joinFee,
                memberMessageFee: terms.memberFee,
                publicMessageFee: terms.publicFee,
                surgeWindow: terms.surgeWindow,
                surgeBps: terms.surgeBps,
                bannerRef: g.bannerRef,
                name: g.name
            });
    }

    /// @inheritdoc IGroupRegistry
    function member(uint256 groupId, address account) external view returns (Member memory) {
        StoredMember memory m = _members[groupId][account];
        return Member({status: m.status, expiresAt: m.expiresAt, admin: m.admin, active: _active(m)});
    }

    /// @inheritdoc IGroupRegistry
    function isMember(uint256 groupId, address account) external view returns (bool) {
        return _active(_members[groupId][account]);
    }

    /// @inheritdoc IGroupRegistry
    function isAdmin(uint256 groupId, address account) external view returns (bool) {
        return _isAdmin(_groups[groupId], groupId, account);
    }

    /// @inheritdoc IGroupRegistry
    function ownerOf(uint256 groupId) external view returns (address) {
        return _existing(groupId).config.owner;
    }

    /// @inheritdoc IGroupRegistry
    function hasPod(uint256 groupId, uint256 podId) external view returns (bool) {
        return _pods[groupId][podId];
    }

    /// @inheritdoc IGroupRegistry
    function treasuryOf(uint256 groupId, address token) external view returns (uint256) {
        return _treasury[groupId][token];
    }

    /// @inheritdoc IGroupRegistry
    function isTokenAllowed(address token) external view returns (bool) {
        return token == NATIVE || _allowedTokens[token];
    }

    /// @inheritdoc IGroupRegistry
    function groupCount() external view returns (uint256) {
        return _groupCount;
    }

    // ---------------------------------------------------------------- internals

    function _existing(uint256 groupId) private view returns (StoredGroup storage g) {
        g = _groups[groupId];
        if (!g.terms.exists) revert GroupRegistryNotFound(groupId);
    }

    function _asOwner(uint256 groupId) private view returns (StoredGroup storage g) {
        g = _existing(groupId);
        if (g.config.owner != msg.sender) revert GroupRegistryNotOwner(groupId, msg.sender);
    }

    function _asAdmin(uint256 groupId) private view returns (StoredGroup storage g) {
        g = _existing(groupId);
        if (!_isAdmin(g, groupId, msg.sender)) revert GroupRegistryNotAdmin(groupId, msg.sender);
    }

    function _isAdmin(StoredGroup storage g, uint256 groupId, address account) private view returns (bool) {
        if (!g.terms.exists) return false;
        if (g.config.owner == account) return true;
        StoredMember memory m = _members[groupId][account];
        return m.admin && m.status == MemberStatus.Member;
    }

    /// @dev The caller must be an admin; the owner is untouchable and only the owner acts on admins.
    function _moderated(uint256 groupId, address account) private view returns (StoredMember storage m) {
        StoredGroup storage g = _asAdmin(groupId);
        address owner = g.config.owner;
        if (account == owner) revert GroupRegistryOwnerProtected(groupId);
        m = _members[groupId][account];
        if (m.admin && msg.sender != owner) revert GroupRegistryNotOwner(groupId, msg.sender);
    }

    function _request(uint256 groupId, address account) private view returns (StoredMember storage m) {
        m = _members[groupId][account];
        if (m.status != MemberStatus.Requested) revert GroupRegistryNoRequest(groupId, account);
    }

    function _active(StoredMember memory m) private view returns (bool) {
        return m.status == MemberStatus.Member && (m.expiresAt == 0 || block.timestamp < m.expiresAt);
    }

    /// @dev The new expiry: 0 for unlimited memberships, else `period` after the later of now and `current`.
    function _expiry(uint32 period, uint40 current) private view returns (uint40) {
        if (period == 0) return 0;
        uint40 start = current > block.timestamp ? current : uint40(block.timestamp);
        return start + period;
    }

    function _setPolicy(uint256 groupId, StoredGroup storage g, JoinPolicy joinPolicy, uint32 membershipPeriod) private {
        g.config.policy = joinPolicy;
        g.config.period = membershipPeriod;
        emit PolicySet(groupId, joinPolicy, membershipPeriod);
    }

    function _setFees(
        uint256 groupId,
        StoredGroup storage g,
        address token,
        uint256 joinFee,
        uint256 memberMessageFee,
        uint256 publicMessageFee
    ) private {
        if (token != NATIVE && !_allowedTokens[token]) revert GroupRegistryTokenNotAllowed(token);
        _checkAmount(joinFee);
        _checkAmount(memberMessageFee);
        _checkAmount(publicMessageFee);
        g.fees = Fees({token: token, joinFee: uint96(joinFee)});
        g.terms.erc20 = token != NATIVE;
        g.terms.memberFee = uint96(memberMessageFee);
        g.terms.publicFee = uint96(publicMessageFee);
        emit FeesSet(groupId, token, joinFee, memberMessageFee, publicMessageFee);
    }

    function _checkAmount(uint256 amount) private pure {
        if (amount > type(uint96).max) revert GroupRegistryAmountTooLarge(amount);
    }

    /// @dev Takes exactly `amount` into the registry, or reverts.
    function _collect(address token, uint256 amount) private {
        if (token == NATIVE) {
            if (msg.value != amount) revert GroupRegistryWrongPayment(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert GroupRegistryUnexpectedNativePayment(msg.value);
        if (amount == 0) return;
        if (!_allowedTokens[token]) revert GroupRegistryTokenNotAllowed(token);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert GroupRegistryFeeOnTransferToken(token, amount, received);
    }
}
