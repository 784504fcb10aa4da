// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IGroupRegistry} from "./interfaces/IGroupRegistry.sol";
import {IMessageBus} from "./interfaces/IMessageBus.sol";

/**
 * @title MessageBus
 * @notice Paid messages to groups and accounts, kept in events only (a message id counter is the
 * only per-message state). Fees: the protocol floor (governance, per token) to the fee recipient,
 * plus the target's price to the group's treasury here or to the recipient, raised by the target's
 * surge pricing; all credited and withdrawn by their payees.
 * @dev Gas: a plain message to a group in the native coin reads and writes one slot here (the
 * message counter, the native floor and the protocol's native fees share it), reads two slots of
 * GroupRegistry through `messageTerms`, adds to the group's credit and emits one event. Surge pricing
 * adds one slot per (target, sender). Roles: the default admin grants GOVERNOR_ROLE, which sets the
 * floors and the fee recipient; no role can move credits. The ERC-20 allow-list is GroupRegistry's.
 * The contract holds exactly the sum of all credits per token (exact native payments,
 * fee-on-transfer tokens refused, no `receive`).
 */
contract MessageBus is IMessageBus, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May set the floors and the fee recipient.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice The largest surge multiplier: x5 per further message.
    uint16 public constant MAX_SURGE_BPS = 50_000;
    /// @notice Surge pricing counts at most this many earlier messages of a sender in a window.
    uint16 public constant MAX_SURGE_STEPS = 32;
    /// @notice The top-byte kind of an account target.
    uint256 public constant KIND_ACCOUNT = 1;
    /// @notice The top-byte kind of a group target.
    uint256 public constant KIND_GROUP = 2;

    uint256 private constant BPS_DENOMINATOR = 10_000;
    uint256 private constant ID_MASK = (1 << 248) - 1;
    address private constant NATIVE = address(0);

    /// @dev Read and written by every message: one slot.
    struct Config {
        uint64 messageCount;
        uint96 nativeFloor;
        uint96 protocolNative; // the fee recipient's native fees not yet withdrawn
    }

    struct StoredInbox {
        uint96 price;
        uint96 requestPrice;
        uint32 surgeWindow;
        uint16 surgeBps;
        bool erc20; // the token is in `_inboxTokens`
    }

    /// @dev A sender's surge window at a target: when it began and how many messages it holds.
    struct Surge {
        uint40 start;
        uint16 count;
    }

    /// @notice The PodRegistry of decoder pods.
    address public immutable podRegistry;
    /// @notice The GroupRegistry of group targets (and of the token allow-list).
    address public immutable groups;

    Config private _config;
    address private _feeRecipient;
    mapping(address token => uint256) private _floors;
    mapping(address account => StoredInbox) private _inboxes;
    mapping(address account => address) private _inboxTokens;
    mapping(address recipient => mapping(address sender => Contact)) private _contacts;
    mapping(uint256 target => mapping(address sender => Surge)) private _surges;
    mapping(address token => mapping(address account => uint256)) private _credits;
    mapping(uint256 groupId => mapping(address token => uint256)) private _groupCredits;

    /**
     * @notice Deploys the bus with its roles on distinct accounts.
     * @param podRegistry_ The PodRegistry.
     * @param groups_ The GroupRegistry.
     * @param adminDelay The delay of a default admin transfer.
     * @param admin The default admin (grants and revokes GOVERNOR_ROLE).
     * @param governor Receives GOVERNOR_ROLE.
     * @param feeRecipient_ Where protocol fees are credited.
     * @param nativeFloor The native coin's floor.
     */
    constructor(
        address podRegistry_,
        address groups_,
        uint48 adminDelay,
        address admin,
        address governor,
        address feeRecipient_,
        uint256 nativeFloor
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (podRegistry_ == address(0) || groups_ == address(0) || governor == address(0) || feeRecipient_ == address(0)) {
            revert MessageBusZeroAddress();
        }
        podRegistry = podRegistry_;
        groups = groups_;
        _grantRole(GOVERNOR_ROLE, governor);
        _feeRecipient = feeRecipient_;
        emit FeeRecipientChanged(address(0), feeRecipient_);
        _setFloor(NATIVE, nativeFloor);
    }

    // ---------------------------------------------------------------- messages

    /// @inheritdoc IMessageBus
    function send(
        uint256 target,
        bytes32 contentRef,
        uint256 decoderPodId,
        Meta calldata meta
    ) external payable nonReentrant returns (uint256 messageId) {
        if (contentRef == bytes32(0)) revert MessageBusEmptyContent();
        Config memory config = _config;
        if (meta.replyTo > config.messageCount) revert MessageBusUnknownReply(meta.replyTo);
        if (decoderPodId != 0 && IPodRegistry(podRegistry).visibilityOf(decoderPodId) != IPodRegistry.Visibility.Public) {
            revert MessageBusDecoderNotPublic(decoderPodId);
        }
        (Quote memory q, Surge memory next) = _quote(msg.sender, target, config.nativeFloor);
        if (next.start != 0) _surges[target][msg.sender] = next;

        uint256 share = q.fee - q.protocolFee;
        uint256 id = target & ID_MASK;
        if (share != 0) {
            if (target >> 248 == KIND_GROUP) _groupCredits[id][q.token] += share;
            else _credits[q.token][address(uint160(id))] += share;
        }
        if (q.protocolFee != 0) {
            // The floor fits 96 bits and the accrued fees are backed by coin held here: no overflow in practice.
            if (q.token == NATIVE) config.protocolNative += uint96(q.protocolFee);
            else _credits[q.token][_feeRecipient] += q.protocolFee;
        }
        messageId = ++config.messageCount;
        _config = config;
        emit MessageSent(messageId, target, msg.sender, contentRef, decoderPodId, meta.contentType, meta.size, meta.replyTo, q.token, q.fee, q.protocolFee);
        if (q.request) {
            address recipient = address(uint160(id));
            _contacts[recipient][msg.sender] = Contact.Requested;
            emit ContactRequested(recipient, msg.sender, messageId);
        }
        // Last: an ERC-20 payment is pulled after all accounting (the guard stops a hook re-entering).
        _collect(q.token, q.fee);
    }

    // ---------------------------------------------------------------- inboxes

    /// @inheritdoc IMessageBus
    function accept(address sender) external {
        if (_contacts[msg.sender][sender] != Contact.Requested) revert MessageBusNoRequest(msg.sender, sender);
        _contacts[msg.sender][sender] = Contact.Allowed;
        emit ContactSet(msg.sender, sender, Contact.Allowed);
    }

    /// @inheritdoc IMessageBus
    function setContact(address sender, Contact status) external {
        if (status == Contact.Requested) revert MessageBusBadContact();
        _contacts[msg.sender][sender] = status;
        emit ContactSet(msg.sender, sender, status);
    }

    /// @inheritdoc IMessageBus
    function setInbox(address token, uint256 price, uint256 requestPrice, uint32 surgeWindow, uint16 surgeBps) external {
        if (!IGroupRegistry(groups).isTokenAllowed(token)) revert MessageBusTokenNotAllowed(token);
        if (price > type(uint96).max) revert MessageBusAmountTooLarge(price);
        if (requestPrice > type(uint96).max) revert MessageBusAmountTooLarge(requestPrice);
        bool off = surgeWindow == 0 && surgeBps == 0;
        if (!off && (surgeWindow == 0 || surgeBps <= BPS_DENOMINATOR || surgeBps > MAX_SURGE_BPS)) {
            revert MessageBusBadSurge(surgeWindow, surgeBps);
        }
        _inboxes[msg.sender] = StoredInbox({
            price: uint96(price),
            requestPrice: uint96(requestPrice),
            surgeWindow: surgeWindow,
            surgeBps: surgeBps,
            erc20: token != NATIVE
        });
        _inboxTokens[msg.sender] = token;
        emit InboxSet(msg.sender, token, price, requestPrice, surgeWindow, surgeBps);
    }

    // ---------------------------------------------------------------- money

    /// @inheritdoc IMessageBus
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        amount = _credits[token][msg.sender];
        delete _credits[token][msg.sender];
        if (token == NATIVE && msg.sender == _feeRecipient) {
            amount += _config.protocolNative;
            _config.protocolNative = 0;
        }
        if (amount == 0) revert MessageBusNothingToWithdraw(msg.sender, token);
        emit Withdrawn(msg.sender, token, amount);
        _pay(token, msg.sender, amount);
    }

    /// @inheritdoc IMessageBus
    function withdrawGroup(uint256 groupId, address token) external nonReentrant returns (uint256 amount) {
        if (IGroupRegistry(groups).ownerOf(groupId) != msg.sender) revert MessageBusNotGroupOwner(groupId, msg.sender);
        amount = _groupCredits[groupId][token];
        if (amount == 0) revert MessageBusNothingToWithdraw(msg.sender, token);
        delete _groupCredits[groupId][token];
        emit GroupWithdrawn(groupId, msg.sender, token, amount);
        _pay(token, msg.sender, amount);
    }

    // ---------------------------------------------------------------- governance

    /**
     * @notice Sets what every message paid in `token` pays the protocol. GOVERNOR_ROLE only.
     * @param token The token (address(0) = native coin).
     * @param floor The floor (fits 96 bits).
     */
    function setFloor(address token, uint256 floor) external onlyRole(GOVERNOR_ROLE) {
        _setFloor(token, floor);
    }

    /**
     * @notice Sets where protocol fees are credited; the previous recipient keeps what it earned as an
     * ordinary credit. GOVERNOR_ROLE only.
     * @param newRecipient The new recipient (non-zero).
     */
    function setFeeRecipient(address newRecipient) external onlyRole(GOVERNOR_ROLE) {
        if (newRecipient == address(0)) revert MessageBusZeroAddress();
        address previous = _feeRecipient;
        uint96 accrued = _config.protocolNative;
        if (accrued != 0) {
            _credits[NATIVE][previous] += accrued;
            _config.protocolNative = 0;
        }
        _feeRecipient = newRecipient;
        emit FeeRecipientChanged(previous, newRecipient);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMessageBus
    function quote(address sender, uint256 target) external view returns (Quote memory q) {
        (q, ) = _quote(sender, target, _config.nativeFloor);
    }

    /// @inheritdoc IMessageBus
    function inbox(address account) external view returns (Inbox memory) {
        StoredInbox memory stored = _inboxes[account];
        return
            Inbox({
                token: _inboxTokens[account],
                price: stored.price,
                requestPrice: stored.requestPrice,
                surgeWindow: stored.surgeWindow,
                surgeBps: stored.surgeBps
            });
    }

    /// @inheritdoc IMessageBus
    function contactOf(address recipient, address sender) external view returns (Contact) {
        return _contacts[recipient][sender];
    }

    /// @inheritdoc IMessageBus
    function creditOf(address account, address token) external view returns (uint256 amount) {
        amount = _credits[token][account];
        if (token == NATIVE && account == _feeRecipient) amount += _config.protocolNative;
    }

    /// @inheritdoc IMessageBus
    function groupCreditOf(uint256 groupId, address token) external view returns (uint256) {
        return _groupCredits[groupId][token];
    }

    /// @inheritdoc IMessageBus
    function floorOf(address token) external view returns (uint256) {
        return token == NATIVE ? _config.nativeFloor : _floors[token];
    }

    /// @inheritdoc IMessageBus
    function feeRecipient() external view returns (address) {
        return _feeRecipient;
    }

    /// @inheritdoc IMessageBus
    function messageCount() external view returns (uint256) {
        return _config.messageCount;
    }

    /// @inheritdoc IMessageBus
    function accountTarget(address account) external pure returns (uint256) {
        return (KIND_ACCOUNT << 248) | uint160(account);
    }

    /// @inheritdoc IMessageBus
    function groupTarget(uint256 groupId) external pure returns (uint256) {
        if (groupId > ID_MASK) revert MessageBusBadTarget(groupId);
        return (KIND_GROUP << 248) | groupId;
    }

    // ---------------------------------------------------------------- internals

    /**
     * @dev The price of a message and, when the target has surge pricing, the sender's next surge
     * state (`next.start` = 0 when there is none to write). Shared by `quote` and `send`.
     */
    function _quote(address sender, uint256 target, uint96 nativeFloor) private view returns (Quote memory q, Surge memory next) {
        uint256 kind = target >> 248;
        uint256 id = target & ID_MASK;
        uint256 price;
        uint32 window;
        uint16 bps;
        if (kind == KIND_GROUP && id != 0) {
            (price, q.token, window, bps) = IGroupRegistry(groups).messageTerms(id, sender);
        } else if (kind == KIND_ACCOUNT && id != 0 && id <= type(uint160).max) {
            address recipient = address(uint160(id));
            Contact contact = _contacts[recipient][sender];
            if (contact == Contact.Denied) revert MessageBusDenied(recipient, sender);
            StoredInbox memory stored = _inboxes[recipient];
            if (stored.erc20) q.token = _inboxTokens[recipient];
            if (contact == Contact.Allowed) {
                // Allowed senders pay the floor only, without surge.
                q.fee = q.protocolFee = _floor(q.token, nativeFloor);
                return (q, next);
            }
            q.request = contact == Contact.None;
            price = q.request ? stored.requestPrice : stored.price;
            window = stored.surgeWindow;
            bps = stored.surgeBps;
        } else {
            revert MessageBusBadTarget(target);
        }
        q.protocolFee = _floor(q.token, nativeFloor);
        uint256 fee = q.protocolFee + price;
        if (window != 0) {
            Surge memory current = _surges[target][sender];
            uint256 steps;
            if (block.timestamp < uint256(current.start) + window) {
                steps = current.count;
                next.start = current.start;
                next.count = current.count < MAX_SURGE_STEPS ? current.count + 1 : MAX_SURGE_STEPS;
            } else {
                next.start = uint40(block.timestamp);
                next.count = 1;
            }
            for (uint256 i = 0; i < steps; ++i) fee = (fee * bps) / BPS_DENOMINATOR;
        }
        q.fee = fee;
    }

    function _floor(address token, uint96 nativeFloor) private view returns (uint256) {
        return token == NATIVE ? nativeFloor : _floors[token];
    }

    function _setFloor(address token, uint256 floor) private {
        if (floor > type(uint96).max) revert MessageBusAmountTooLarge(floor);
        if (token == NATIVE) _config.nativeFloor = uint96(floor);
        else _floors[token] = floor;
        emit FloorSet(token, floor);
    }

    /// @dev Takes exactly `amount` into the bus, or reverts.
    function _collect(address token, uint256 amount) private {
        if (token == NATIVE) {
            if (msg.value != amount) revert MessageBusWrongPayment(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert MessageBusUnexpectedNativePayment(msg.value);
        if (amount == 0) return;
        // Checked at payment too, so that removing a broken token from the allow-list stops its use.
        if (!IGroupRegistry(groups).isTokenAllowed(token)) revert MessageBusTokenNotAllowed(token);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert MessageBusFeeOnTransferToken(token, amount, received);
    }

    function _pay(address token, address recipient, uint256 amount) private {
        if (token == NATIVE) {
            (bool sent, ) = payable(recipient).call{value: amount}("");
            if (!sent) revert MessageBusNativeTransferFailed(recipient, amount);
        } else {
            IERC20(token).safeTransfer(recipient, amount);
        }
    }
}
