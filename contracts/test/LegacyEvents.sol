// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IPodRegistryV1Events
 * @notice The v1 PodRegistry's enum and events, kept only so that the EventFlood test helper keeps
 * emitting what today's indexer decodes until the indexer follows the v2 contracts (issue 13, part 4).
 */
interface IPodRegistryV1Events {
    /// @notice v1 visibility.
    enum Visibility {
        Private,
        Public
    }

    /// @notice v1 PodPublished.
    /// @param podId The pod.
    /// @param owner Its first owner.
    /// @param parentPodId The forked pod or 0.
    /// @param name The name.
    /// @param manifestRef The first reference.
    /// @param visibility The visibility.
    /// @param parentVersion The forked version.
    /// @param royaltyBps Owed upstream.
    /// @param forkRoyaltyBps Owed by forks.
    event PodPublished(
        uint256 indexed podId,
        address indexed owner,
        uint256 indexed parentPodId,
        string name,
        bytes32 manifestRef,
        Visibility visibility,
        uint64 parentVersion,
        uint16 royaltyBps,
        uint16 forkRoyaltyBps
    );

    /// @notice v1 VersionPublished.
    /// @param podId The pod.
    /// @param version The version number.
    /// @param manifestRef The reference.
    /// @param publisher Who published it.
    event VersionPublished(uint256 indexed podId, uint64 indexed version, bytes32 manifestRef, address indexed publisher);

    /// @notice v1 VisibilityChanged.
    /// @param podId The pod.
    /// @param visibility The new visibility.
    event VisibilityChanged(uint256 indexed podId, Visibility visibility);
}

/**
 * @title IPodMarketV1Events
 * @notice The v1 PodMarket's events, for the EventFlood test helper only (see IPodRegistryV1Events).
 */
interface IPodMarketV1Events {
    /// @notice v1 Listed.
    /// @param podId The pod.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price Licence price.
    /// @param podPrice Whole-pod price.
    event Listed(uint256 indexed podId, address indexed seller, address indexed token, uint256 price, uint256 podPrice);
    /// @notice v1 PriceChanged.
    /// @param podId The pod.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price Licence price.
    /// @param podPrice Whole-pod price.
    event PriceChanged(uint256 indexed podId, address indexed seller, address indexed token, uint256 price, uint256 podPrice);
    /// @notice v1 ListingPaused.
    /// @param podId The pod.
    /// @param seller The seller.
    /// @param paused Paused or not.
    event ListingPaused(uint256 indexed podId, address indexed seller, bool paused);
    /// @notice v1 Delisted.
    /// @param podId The pod.
    /// @param seller The seller.
    event Delisted(uint256 indexed podId, address indexed seller);
    /// @notice v1 PodSold.
    /// @param podId The pod.
    /// @param buyer The buyer.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price The price.
    /// @param fee The fee.
    /// @param feeRecipient The fee recipient.
    /// @param royalty The royalty.
    /// @param royaltyReceiver The royalty receiver.
    /// @param sellerProceeds The seller's share.
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
    /// @notice v1 Withdrawn.
    /// @param account The payee.
    /// @param token The token.
    /// @param amount The amount.
    event Withdrawn(address indexed account, address indexed token, uint256 amount);
    /// @notice v1 FeeChanged.
    /// @param previousBps Before.
    /// @param newBps After.
    event FeeChanged(uint16 previousBps, uint16 newBps);
    /// @notice v1 TokenAllowed.
    /// @param token The token.
    /// @param allowed Allowed or not.
    event TokenAllowed(address indexed token, bool allowed);
}
