// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IPodMarket
 * @notice Licences for pods (minted into PodLicenses) and sales of whole pods, paid in the native
 * coin (token = address(0)) or an allow-listed ERC-20. Proceeds are credited (platform fee, a
 * royalty share for every ancestor, seller) and withdrawn by each payee: nothing is pushed.
 * @dev A listing belongs to the seller who made it; once the pod token changes hands it is void,
 * even if the token later returns to that seller, and `listing()` reads it as inactive.
 */
interface IPodMarket {
    /// @notice A listing as `listing()` returns it.
    struct Listing {
        address seller;
        address token; // address(0) = native coin
        uint96 price; // licence price
        uint96 podPrice; // price of the whole pod; 0 = not for sale
        uint16 feeBps; // the platform fee in force when it was listed, which applies to its sales
        uint32 transfers; // the pod's transfer count when it was listed
        bool transferable; // whether the licences sold may be transferred
        bool active; // false once delisted, sold whole, or voided by a transfer of the pod
        bool paused;
    }

    /**
     * @notice A pod was listed (replacing any earlier listing of it).
     * @param podId The pod.
     * @param seller Its owner.
     * @param token The payment token (address(0) = native coin).
     * @param price The licence price.
     * @param podPrice The whole-pod price (0 = not for sale).
     * @param feeBps The platform fee that applies to this listing's sales.
     * @param transferable Whether its licences may be transferred.
     * @param transfers The pod's transfer count: any later transfer voids the listing.
     */
    event Listed(
        uint256 indexed podId,
        address indexed seller,
        address indexed token,
        uint256 price,
        uint256 podPrice,
        uint16 feeBps,
        bool transferable,
        uint32 transfers
    );

    /**
     * @notice The seller changed the prices of a listing.
     * @param podId The pod.
     * @param seller The seller.
     * @param token The listing's payment token.
     * @param price The new licence price.
     * @param podPrice The new whole-pod price (0 = not for sale).
     */
    event PriceChanged(uint256 indexed podId, address indexed seller, address indexed token, uint256 price, uint256 podPrice);

    /**
     * @notice The seller paused or resumed a listing.
     * @param podId The pod.
     * @param seller The seller.
     * @param paused True when paused.
     */
    event ListingPaused(uint256 indexed podId, address indexed seller, bool paused);

    /**
     * @notice The seller removed a listing.
     * @param podId The pod.
     * @param seller The seller.
     */
    event Delisted(uint256 indexed podId, address indexed seller);

    /**
     * @notice A licence was bought and minted to the buyer. fee + royalty + sellerProceeds == price.
     * @param podId The pod.
     * @param buyer The licensee.
     * @param seller The pod's owner.
     * @param token The payment token.
     * @param price The price paid.
     * @param fee The platform fee credited to feeRecipient.
     * @param feeRecipient The fee recipient.
     * @param royalty The total credited to ancestors (one RoyaltyPaid each, emitted before this event).
     * @param sellerProceeds Credited to the seller.
     * @param revision The pod's content revision the buyer paid for.
     */
    event LicensePurchased(
        uint256 indexed podId,
        address indexed buyer,
        address indexed seller,
        address token,
        uint256 price,
        uint256 fee,
        address feeRecipient,
        uint256 royalty,
        uint256 sellerProceeds,
        uint32 revision
    );

    /**
     * @notice The pod token itself was sold. fee + royalty + sellerProceeds == price.
     * @param podId The pod.
     * @param buyer The new owner.
     * @param seller The previous owner.
     * @param token The payment token.
     * @param price The price paid.
     * @param fee The platform fee credited to feeRecipient.
     * @param feeRecipient The fee recipient.
     * @param royalty The total credited to ancestors (one RoyaltyPaid each, emitted before this event).
     * @param sellerProceeds Credited to the seller.
     * @param revision The pod's content revision the buyer paid for.
     */
    event PodSold(
        uint256 indexed podId,
        address indexed buyer,
        address indexed seller,
        address token,
        uint256 price,
        uint256 fee,
        address feeRecipient,
        uint256 royalty,
        uint256 sellerProceeds,
        uint32 revision
    );

    /**
     * @notice One ancestor's royalty share of a sale was credited.
     * @param podId The pod sold.
     * @param ancestorPodId The ancestor.
     * @param receiver The ancestor's owner at the sale, who was credited.
     * @param token The payment token.
     * @param amount The share.
     * @param depth 1 for the parent, 2 for the grandparent, ... up to 8.
     */
    event RoyaltyPaid(
        uint256 indexed podId,
        uint256 indexed ancestorPodId,
        address indexed receiver,
        address token,
        uint256 amount,
        uint8 depth
    );

    /**
     * @notice A payee withdrew its credit.
     * @param account The payee whose credit was paid out.
     * @param token The token.
     * @param recipient Where it was sent (the payee itself for `withdraw`).
     * @param amount The amount.
     */
    event Withdrawn(address indexed account, address indexed token, address indexed recipient, uint256 amount);

    /**
     * @notice The governor proposed a new platform fee for listings made from `executableAt` on.
     * @param currentBps The fee in force.
     * @param newBps The proposed fee.
     * @param executableAt When `executeFeeChange` may apply it.
     */
    event FeeChangeProposed(uint16 currentBps, uint16 newBps, uint48 executableAt);

    /**
     * @notice The governor cancelled the pending fee change.
     * @param cancelledBps The fee that was proposed.
     */
    event FeeChangeCancelled(uint16 cancelledBps);

    /**
     * @notice The platform fee for new listings changed (existing listings keep theirs).
     * @param previousBps Before.
     * @param newBps After.
     */
    event FeeChanged(uint16 previousBps, uint16 newBps);

    /**
     * @notice Where platform fees are credited changed.
     * @param previousRecipient Before.
     * @param newRecipient After.
     */
    event FeeRecipientChanged(address indexed previousRecipient, address indexed newRecipient);

    /**
     * @notice An ERC-20 was added to or removed from the allow-list.
     * @param token The token.
     * @param allowed True when it may be listed and paid with.
     */
    event TokenAllowed(address indexed token, bool allowed);

    /// @notice A required address was zero.
    error PodMarketZeroAddress();
    /**
     * @notice The caller does not own the pod.
     * @param podId The pod.
     * @param caller The caller.
     */
    error PodMarketNotPodOwner(uint256 podId, address caller);
    /**
     * @notice The pod has no active listing (never listed, delisted, sold whole, or voided by a transfer).
     * @param podId The pod.
     */
    error PodMarketNotListed(uint256 podId);
    /**
     * @notice The seller paused the listing.
     * @param podId The pod.
     */
    error PodMarketListingPaused(uint256 podId);
    /**
     * @notice The listing does not sell the whole pod.
     * @param podId The pod.
     */
    error PodMarketPodNotForSale(uint256 podId);
    /**
     * @notice The ERC-20 is not allow-listed.
     * @param token The token.
     */
    error PodMarketTokenNotAllowed(address token);
    /**
     * @notice The buyer named another token than the listing's.
     * @param expected The listing's token.
     * @param given The buyer's.
     */
    error PodMarketWrongToken(address expected, address given);
    /**
     * @notice The price is above the buyer's maximum.
     * @param price The price.
     * @param maxPrice The buyer's maximum.
     */
    error PodMarketPriceAboveMax(uint256 price, uint256 maxPrice);
    /**
     * @notice msg.value differs from the native price.
     * @param expected The price.
     * @param sent msg.value.
     */
    error PodMarketWrongPayment(uint256 expected, uint256 sent);
    /**
     * @notice Native coin was sent with an ERC-20 purchase.
     * @param sent msg.value.
     */
    error PodMarketUnexpectedNativePayment(uint256 sent);
    /**
     * @notice The pod's owner cannot buy from itself.
     * @param podId The pod.
     */
    error PodMarketOwnPod(uint256 podId);
    /**
     * @notice The buyer already holds a licence of the pod.
     * @param podId The pod.
     * @param account The buyer.
     */
    error PodMarketAlreadyLicensed(uint256 podId, address account);
    /**
     * @notice The pod's content changed since the revision the buyer saw (a new version or a visibility change).
     * @param podId The pod.
     * @param expected The revision the buyer saw.
     * @param actual The pod's revision now.
     */
    error PodMarketContentChanged(uint256 podId, uint32 expected, uint32 actual);
    /// @notice A licence price of zero.
    error PodMarketZeroPrice();
    /**
     * @notice A price above uint96.
     * @param price The price.
     */
    error PodMarketPriceTooLarge(uint256 price);
    /**
     * @notice A fee above the cap.
     * @param bps The fee.
     * @param max The cap.
     */
    error PodMarketFeeTooHigh(uint16 bps, uint16 max);
    /**
     * @notice A fee-change delay below the minimum.
     * @param delay The delay given.
     * @param min The minimum.
     */
    error PodMarketFeeDelayTooShort(uint48 delay, uint48 min);
    /// @notice There is no pending fee change.
    error PodMarketNoPendingFeeChange();
    /**
     * @notice The pending fee change is not due yet.
     * @param executableAt When it will be.
     */
    error PodMarketFeeChangeNotReady(uint48 executableAt);
    /**
     * @notice The token moved another amount than the price (fee-on-transfer or rebasing tokens).
     * @param token The token.
     * @param expected The price.
     * @param received What the market's balance grew by.
     */
    error PodMarketFeeOnTransferToken(address token, uint256 expected, uint256 received);
    /**
     * @notice The payee has no credit in the token.
     * @param account The payee.
     * @param token The token.
     */
    error PodMarketNothingToWithdraw(address account, address token);
    /**
     * @notice Sending the native coin failed.
     * @param recipient The recipient.
     * @param amount The amount.
     */
    error PodMarketNativeTransferFailed(address recipient, uint256 amount);
    /**
     * @notice The seller has not approved the market for the pod token.
     * @param podId The pod.
     */
    error PodMarketNotApproved(uint256 podId);

    /**
     * @notice Lists a pod the caller owns, at the platform fee in force now. Replaces any earlier listing.
     * @param podId The pod.
     * @param token The payment token (address(0) = native coin, else an allow-listed ERC-20).
     * @param price The licence price (non-zero, at most uint96).
     * @param podPrice The whole-pod price (0 = not for sale, at most uint96).
     * @param transferable Whether the pod's licences may be transferred by their holders.
     */
    function list(uint256 podId, address token, uint256 price, uint256 podPrice, bool transferable) external;

    /**
     * @notice Changes the prices of the caller's listing; its fee and token stay.
     * @param podId The pod.
     * @param price The new licence price.
     * @param podPrice The new whole-pod price (0 = not for sale).
     */
    function setPrice(uint256 podId, uint256 price, uint256 podPrice) external;

    /**
     * @notice Pauses or resumes sales of the caller's listing.
     * @param podId The pod.
     * @param paused True to pause.
     */
    function setPaused(uint256 podId, bool paused) external;

    /**
     * @notice Removes the caller's listing.
     * @param podId The pod.
     */
    function delist(uint256 podId) external;

    /**
     * @notice Buys a licence, minted to the caller in PodLicenses. Native coin: msg.value must equal the
     * price exactly. ERC-20: the price is pulled with transferFrom and msg.value must be 0.
     * @param podId The pod.
     * @param revision The pod's content revision the buyer saw (`IPodRegistry.revisionOf`): the
     * purchase fails if a version was added or the visibility changed since.
     * @param token The listing's payment token, so that a changed token cannot surprise the buyer.
     * @param maxPrice Reverts when the current price is higher.
     */
    function buy(uint256 podId, uint32 revision, address token, uint256 maxPrice) external payable;

    /**
     * @notice Buys the pod token itself at the listing's podPrice; the same rules as `buy`.
     * @param podId The pod.
     * @param revision The pod's content revision the buyer saw.
     * @param token The listing's payment token.
     * @param maxPrice Reverts when the current whole-pod price is higher.
     */
    function buyPod(uint256 podId, uint32 revision, address token, uint256 maxPrice) external payable;

    /**
     * @notice Sends the caller everything credited to it in `token`. Works while the market is paused.
     * @param token The token (address(0) = native coin).
     * @return amount What was sent.
     */
    function withdraw(address token) external returns (uint256 amount);

    /**
     * @notice Sends everything credited to the caller in `token` to `recipient` (a contract payee can
     * forward its credit). Works while the market is paused.
     * @param token The token (address(0) = native coin).
     * @param recipient Where to send it.
     * @return amount What was sent.
     */
    function withdrawTo(address token, address recipient) external returns (uint256 amount);

    /**
     * @notice What `account` can withdraw in `token`.
     * @param account The payee.
     * @param token The token.
     * @return The credit.
     */
    function creditOf(address account, address token) external view returns (uint256);

    /**
     * @notice The listing of a pod; `active` is false when there is none or a transfer voided it.
     * @param podId The pod.
     * @return The listing.
     */
    function listing(uint256 podId) external view returns (Listing memory);
}
