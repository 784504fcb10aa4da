// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IMessageBus
 * @notice Paid messages to a group (GroupRegistry) or to an account. A message is one event: its
 * content lives on Swarm (`contentRef`), optionally encoded for a public decoder pod. Every message
 * pays the protocol floor (to the fee recipient) plus the target's price (to the group's treasury or
 * the recipient), possibly raised by the target's surge pricing; `quote` gives exactly what `send`
 * charges. Payees withdraw their credits (pull payments).
 * @dev A target is one uint256: the top byte is the kind (1 = account, 2 = group), the low 248 bits
 * the id (the address, or the group id). `accountTarget` and `groupTarget` build them. Any other
 * kind, a zero id or an account id wider than 160 bits reverts with MessageBusBadTarget.
 */
interface IMessageBus {
    /// @notice How an account's inbox treats a sender.
    enum Contact {
        None, // unknown: its first message is a request (request price, credited to the recipient)
        Requested, // its request is pending: further messages pay the inbox price
        Allowed, // pays only the protocol floor
        Denied // rejected
    }

    /// @notice What a message says about itself.
    struct Meta {
        uint8 contentType; // an application-defined code (e.g. text, markdown, JSON, binary)
        uint32 size; // the content's size in bytes
        uint64 replyTo; // the id of the message answered (0 = none)
    }

    /// @notice What a message from a sender to a target costs now, as `quote` returns it.
    struct Quote {
        address token; // address(0) = native coin
        uint256 fee; // the whole payment
        uint256 protocolFee; // the part credited to the fee recipient (the floor); the rest goes to the target
        bool request; // true when the message is an unknown sender's contact request
    }

    /// @notice An account's inbox settings as `inbox()` returns them.
    struct Inbox {
        address token;
        uint96 price; // paid by senders whose request is pending
        uint96 requestPrice; // paid by an unknown sender's first message
        uint32 surgeWindow; // seconds; 0 = no surge pricing
        uint16 surgeBps; // multiplier per further message within the window (20000 = x2)
    }

    /**
     * @notice A message was sent. fee - protocolFee went to the target (group treasury or recipient).
     * @param messageId Its id (1, 2, ...).
     * @param target The target (kind in the top byte, see the interface's notes).
     * @param sender The sender.
     * @param contentRef The content's Swarm reference.
     * @param decoderPodId The public pod that decodes it (0 = plain).
     * @param contentType The application's content type code.
     * @param size The content's size in bytes.
     * @param replyTo The message answered (0 = none).
     * @param token The payment token.
     * @param fee The whole payment.
     * @param protocolFee The part credited to the fee recipient.
     */
    event MessageSent(
        uint256 indexed messageId,
        uint256 indexed target,
        address indexed sender,
        bytes32 contentRef,
        uint256 decoderPodId,
        uint8 contentType,
        uint32 size,
        uint64 replyTo,
        address token,
        uint256 fee,
        uint256 protocolFee
    );

    /**
     * @notice An unknown sender's first message to an account (`messageId`) is a contact request.
     * @param recipient The account.
     * @param sender The sender, now `Requested`.
     * @param messageId The message.
     */
    event ContactRequested(address indexed recipient, address indexed sender, uint256 indexed messageId);

    /**
     * @notice An account accepted, allowed, denied or forgot a sender.
     * @param recipient The account.
     * @param sender The sender.
     * @param status The new status.
     */
    event ContactSet(address indexed recipient, address indexed sender, Contact status);

    /**
     * @notice An account set its inbox prices.
     * @param account The account.
     * @param token The token of its prices.
     * @param price What pending senders pay (besides the floor).
     * @param requestPrice What an unknown sender's first message pays.
     * @param surgeWindow Surge window in seconds (0 = off).
     * @param surgeBps Surge multiplier.
     */
    event InboxSet(address indexed account, address indexed token, uint256 price, uint256 requestPrice, uint32 surgeWindow, uint16 surgeBps);

    /**
     * @notice A payee withdrew its credit.
     * @param account The payee.
     * @param token The token.
     * @param amount The amount.
     */
    event Withdrawn(address indexed account, address indexed token, uint256 amount);

    /**
     * @notice A group's owner withdrew the group's message fees.
     * @param groupId The group.
     * @param owner The owner, who received them.
     * @param token The token.
     * @param amount The amount.
     */
    event GroupWithdrawn(uint256 indexed groupId, address indexed owner, address indexed token, uint256 amount);

    /**
     * @notice The governor set the protocol floor of a token.
     * @param token The token.
     * @param floor What every message in it pays the protocol.
     */
    event FloorSet(address indexed token, uint256 floor);

    /**
     * @notice Where protocol fees are credited changed; what the previous recipient earned stays its credit.
     * @param previousRecipient Before.
     * @param newRecipient After.
     */
    event FeeRecipientChanged(address indexed previousRecipient, address indexed newRecipient);

    /// @notice A required address was zero.
    error MessageBusZeroAddress();
    /**
     * @notice The target is not a valid encoding.
     * @param target The target.
     */
    error MessageBusBadTarget(uint256 target);
    /// @notice The content reference is zero.
    error MessageBusEmptyContent();
    /**
     * @notice `replyTo` names a message that does not exist yet.
     * @param replyTo The id given.
     */
    error MessageBusUnknownReply(uint64 replyTo);
    /**
     * @notice The decoder pod is private.
     * @param podId The pod.
     */
    error MessageBusDecoderNotPublic(uint256 podId);
    /**
     * @notice The recipient denied this sender.
     * @param recipient The recipient.
     * @param sender The sender.
     */
    error MessageBusDenied(address recipient, address sender);
    /**
     * @notice The ERC-20 is not on GroupRegistry's allow-list.
     * @param token The token.
     */
    error MessageBusTokenNotAllowed(address token);
    /**
     * @notice An amount does not fit 96 bits.
     * @param amount The amount.
     */
    error MessageBusAmountTooLarge(uint256 amount);
    /**
     * @notice Surge pricing needs a window and a multiplier in (10000, MAX_SURGE_BPS], or neither.
     * @param window The window.
     * @param multiplierBps The multiplier.
     */
    error MessageBusBadSurge(uint32 window, uint16 multiplierBps);
    /**
     * @notice The native payment differs from the quote.
     * @param expected The quote.
     * @param sent msg.value.
     */
    error MessageBusWrongPayment(uint256 expected, uint256 sent);
    /**
     * @notice Coin was sent with an ERC-20 payment.
     * @param sent msg.value.
     */
    error MessageBusUnexpectedNativePayment(uint256 sent);
    /**
     * @notice The ERC-20 delivered a different amount (fee-on-transfer tokens are refused).
     * @param token The token.
     * @param expected The quote.
     * @param received What arrived.
     */
    error MessageBusFeeOnTransferToken(address token, uint256 expected, uint256 received);
    /**
     * @notice `accept` needs a pending request.
     * @param recipient The caller.
     * @param sender The sender.
     */
    error MessageBusNoRequest(address recipient, address sender);
    /// @notice `setContact` takes None, Allowed or Denied (requests come from messages).
    error MessageBusBadContact();
    /**
     * @notice Only the group's owner withdraws its message fees.
     * @param groupId The group.
     * @param caller The caller.
     */
    error MessageBusNotGroupOwner(uint256 groupId, address caller);
    /**
     * @notice Nothing to withdraw.
     * @param account The caller.
     * @param token The token.
     */
    error MessageBusNothingToWithdraw(address account, address token);
    /**
     * @notice The native coin could not be sent.
     * @param recipient The recipient.
     * @param amount The amount.
     */
    error MessageBusNativeTransferFailed(address recipient, uint256 amount);

    /**
     * @notice Sends a message, paying exactly `quote(msg.sender, target).fee`: as `msg.value` in the
     * native coin (a different value reverts, so a price change between quote and send cannot
     * overcharge), or by `transferFrom` for an ERC-20 (the sender's allowance bounds what it pays).
     * A banned group member (GroupRegistryBanned) and a denied sender (MessageBusDenied) are refused.
     * @param target The group or account (see the interface's notes).
     * @param contentRef The content's Swarm reference (non-zero).
     * @param decoderPodId 0 for plain content, else a public pod that decodes it.
     * @param meta Content type, size and the message answered.
     * @return messageId The new message's id.
     */
    function send(uint256 target, bytes32 contentRef, uint256 decoderPodId, Meta calldata meta) external payable returns (uint256 messageId);

    /**
     * @notice Allows a sender whose request is pending.
     * @param sender The sender.
     */
    function accept(address sender) external;

    /**
     * @notice Sets how the caller's inbox treats a sender: None (forget), Allowed or Denied.
     * @param sender The sender.
     * @param status The status.
     */
    function setContact(address sender, Contact status) external;

    /**
     * @notice Sets the caller's inbox prices (besides the floor, which every message pays).
     * @param token address(0) or an ERC-20 on GroupRegistry's allow-list.
     * @param price What senders with a pending request pay.
     * @param requestPrice What an unknown sender's first message pays.
     * @param surgeWindow Seconds (0 = off, with surgeBps 0).
     * @param surgeBps Multiplier per further message of one sender within the window (20000 = x2).
     */
    function setInbox(address token, uint256 price, uint256 requestPrice, uint32 surgeWindow, uint16 surgeBps) external;

    /**
     * @notice Pays the caller's credit in `token` (for the fee recipient, with the protocol's native fees).
     * @param token The token.
     * @return amount What was paid.
     */
    function withdraw(address token) external returns (uint256 amount);

    /**
     * @notice Pays a group's message fees in `token` to its current owner. The group's owner only.
     * @param groupId The group.
     * @param token The token.
     * @return amount What was paid.
     */
    function withdrawGroup(uint256 groupId, address token) external returns (uint256 amount);

    /**
     * @notice What `send` from `sender` to `target` charges now; reverts where `send` would for the
     * sender and target (bad target, missing group, banned or denied sender).
     * @param sender The sender.
     * @param target The target.
     * @return The quote.
     */
    function quote(address sender, uint256 target) external view returns (Quote memory);

    /**
     * @notice An account's inbox settings.
     * @param account The account.
     * @return The settings.
     */
    function inbox(address account) external view returns (Inbox memory);

    /**
     * @notice How `recipient`'s inbox treats `sender`.
     * @param recipient The recipient.
     * @param sender The sender.
     * @return The status.
     */
    function contactOf(address recipient, address sender) external view returns (Contact);

    /**
     * @notice An account's credit (the fee recipient's native credit includes the protocol's fees).
     * @param account The account.
     * @param token The token.
     * @return The amount.
     */
    function creditOf(address account, address token) external view returns (uint256);

    /**
     * @notice A group's message fees held here.
     * @param groupId The group.
     * @param token The token.
     * @return The amount.
     */
    function groupCreditOf(uint256 groupId, address token) external view returns (uint256);

    /**
     * @notice The protocol floor of a token.
     * @param token The token.
     * @return What every message in it pays the protocol.
     */
    function floorOf(address token) external view returns (uint256);

    /**
     * @notice Where protocol fees are credited.
     * @return The recipient.
     */
    function feeRecipient() external view returns (address);

    /**
     * @notice How many messages were sent (the latest id).
     * @return The count.
     */
    function messageCount() external view returns (uint256);

    /**
     * @notice The target of an account.
     * @param account The account.
     * @return The target.
     */
    function accountTarget(address account) external pure returns (uint256);

    /**
     * @notice The target of a group.
     * @param groupId The group.
     * @return The target.
     */
    function groupTarget(uint256 groupId) external pure returns (uint256);
}
