// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IPodMarket
 * @notice Licences for pods and sales of whole pods, paid in the native coin (token = address(0))
 * or an allow-listed ERC-20. Proceeds are credited (fee, upstream royalty, seller) and withdrawn by
 * each payee: nothing is pushed.
 * @dev A listing belongs to the seller who made it; once the pod token changes hands it is void,
 * even if the token later returns to that seller (see IPodRegistry.ownership).
 */
interface IPodMarket {
    struct Listing {
        address seller;
        address token; // address(0) = native coin
        uint96 price; // licence price
        uint96 podPrice; // price of the whole pod; 0 = not for sale
        bool active; // false once delisted
        bool paused;
    }

    event Listed(uint256 indexed podId, address indexed seller, address indexed token, uint256 price, uint256 podPrice);
    event PriceChanged(uint256 indexed podId, address indexed seller, address indexed token, uint256 price, uint256 podPrice);
    event ListingPaused(uint256 indexed podId, address indexed seller, bool paused);
    event Delisted(uint256 indexed podId, address indexed seller);

    /// @notice A licence was bought. fee + royalty + sellerProceeds == price.
    event LicensePurchased(
        uint256 indexed podId,
        address indexed buyer,
        address indexed seller,
        address token,
        uint256 price,
        uint256 fee,
        address feeRecipient,
        uint256 royalty,
        address royaltyReceiver,
        uint256 sellerProceeds
    );

    /// @notice The pod token itself was sold. fee + royalty + sellerProceeds == price.
    event PodSold(
        uint256 indexed podId,
        address indexed buyer,
        address indexed seller,
        address token,
        uint256 price,
        uint256 fee,
        address feeRecipient,
        uint256 royalty,
        address royaltyReceiver,
        uint256 sellerProceeds
    );

    event Withdrawn(address indexed account, address indexed token, uint256 amount);
    event FeeChanged(uint16 previousBps, uint16 newBps);
    event FeeRecipientChanged(address indexed previousRecipient, address indexed newRecipient);
    event TokenAllowed(address indexed token, bool allowed);

    error ZeroAddress();
    error NotPodOwner(uint256 podId, address caller);
    error NotListed(uint256 podId);
    error ListingIsPaused(uint256 podId);
    error PodNotForSale(uint256 podId);
    error TokenNotAllowed(address token);
    error WrongToken(address expected, address given);
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    error WrongPayment(uint256 expected, uint256 sent);
    error UnexpectedNativePayment(uint256 sent);
    error OwnPod(uint256 podId);
    error AlreadyLicensed(uint256 podId, address account);
    error ZeroPrice();
    error PriceTooLarge(uint256 price);
    error FeeTooHigh(uint16 bps, uint16 max);
    error FeeOnTransferToken(address token, uint256 expected, uint256 received);
    error NothingToWithdraw(address account, address token);
    error NativeTransferFailed(address account, uint256 amount);
    error MarketNotApproved(uint256 podId);

    /// @notice Lists a pod the caller owns. Replaces any listing of a previous owner.
    function list(uint256 podId, address token, uint256 price, uint256 podPrice) external;

    /// @notice Changes the licence price and the whole-pod price (0 = not for sale) of the caller's listing.
    function setPrice(uint256 podId, uint256 price, uint256 podPrice) external;

    /// @notice Pauses or resumes sales of the caller's listing.
    function setPaused(uint256 podId, bool paused) external;

    /// @notice Removes the caller's listing.
    function delist(uint256 podId) external;

    /**
     * @notice Buys a licence. Native coin: msg.value must equal the price exactly (overpayment is rejected).
     * ERC-20: the price is pulled with transferFrom and msg.value must be 0.
     * @param token The listing's payment token, so that a changed token cannot surprise the buyer.
     * @param maxPrice Reverts when the current price is higher (front-running guard).
     */
    function buy(uint256 podId, address token, uint256 maxPrice) external payable;

    /// @notice Buys the pod token itself at the listing's podPrice; the same payment rules as `buy`.
    function buyPod(uint256 podId, address token, uint256 maxPrice) external payable;

    /// @notice Sends the caller everything credited to it in `token`. Works while the market is paused.
    function withdraw(address token) external returns (uint256 amount);

    /// @notice True for licence holders and for the pod's current owner.
    function hasLicense(uint256 podId, address account) external view returns (bool);

    /// @notice What `account` can withdraw in `token`.
    function balanceOf(address account, address token) external view returns (uint256);

    /// @notice The listing, with `valid` false when it is inactive or the pod has changed hands since it was made.
    function listing(uint256 podId) external view returns (Listing memory, bool valid);
}
