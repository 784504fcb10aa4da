// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IPodLicenses} from "./interfaces/IPodLicenses.sol";
import {IPodMarket} from "./interfaces/IPodMarket.sol";

/**
 * @title PodMarket
 * @notice Licences for pods (minted into PodLicenses) and sales of whole pods, in the native coin or
 * an allow-listed ERC-20. Every sale is split into the platform fee (the rate stored in the listing),
 * a royalty share for each ancestor (the registry's `royaltyShares`) and the seller's proceeds; each
 * is credited and withdrawn by its payee (pull payments).
 * @dev Roles: the default admin (AccessControlDefaultAdminRules: two-step transfer behind a delay)
 * grants and revokes roles; GOVERNOR_ROLE proposes and cancels fee changes (applied after
 * `feeChangeDelay`, to new listings only), sets the fee recipient and the token allow-list;
 * PAUSER_ROLE stops listing and buying but never `withdraw`. No role can move credits or escrow:
 * the only way out of the market is a payee's own `withdraw`/`withdrawTo`.
 * The market holds exactly the sum of all credits per token: fee-on-transfer tokens are rejected,
 * native payments must be exact and the contract has no `receive`.
 */
contract PodMarket is IPodMarket, AccessControlDefaultAdminRules, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May propose and cancel fee changes, set the fee recipient and the token allow-list.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice May pause and unpause trading.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The platform fee can never exceed 10%.
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @notice The shortest accepted delay between proposing and applying a fee change.
    uint48 public constant MIN_FEE_CHANGE_DELAY = 1 days;

    uint256 private constant BPS_DENOMINATOR = 10_000;
    address private constant NATIVE = address(0);

    /// @dev Fee settings share one slot; `pendingAt` is 0 when no change is pending.
    struct FeeConfig {
        address recipient;
        uint16 bps;
        uint16 pendingBps;
        uint48 pendingAt;
    }

    /**
     * @dev A purchase of a licence reads the first two slots. `transfers` is the registry's transfer
     * count of the pod when it was listed: any later transfer voids the listing, even if the pod comes
     * back to the seller. `feeBps` is the platform fee in force at listing.
     */
    struct StoredListing {
        address seller;
        uint96 price;
        address token;
        uint32 transfers;
        uint16 feeBps;
        bool paused;
        bool transferable;
        uint96 podPrice;
    }

    /// @dev The figures of one sale, for its event.
    struct Sale {
        address seller;
        uint256 price;
        uint256 fee;
        address feeRecipient;
        uint256 royalty;
        uint256 sellerProceeds;
    }

    /// @notice The PodRegistry whose tokens are sold here.
    address public immutable registry;
    /// @notice The PodLicenses the licences are minted into (this market needs its MINTER_ROLE).
    address public immutable licenses;
    /// @notice How long a proposed fee change waits before it can be applied.
    uint48 public immutable feeChangeDelay;

    FeeConfig private _feeConfig;
    mapping(uint256 podId => StoredListing) private _listings;
    mapping(address token => mapping(address account => uint256)) private _credits;
    mapping(address token => bool) private _allowedTokens;

    /**
     * @notice Deploys the market with its roles on distinct accounts.
     * @param registry_ The PodRegistry.
     * @param licenses_ The PodLicenses.
     * @param adminDelay The delay of a default admin transfer.
     * @param admin The default admin (grants and revokes roles).
     * @param governor Receives GOVERNOR_ROLE.
     * @param pauser Receives PAUSER_ROLE.
     * @param feeRecipient_ Where platform fees are credited.
     * @param feeBps_ The initial fee in basis points (at most MAX_FEE_BPS).
     * @param feeChangeDelay_ The fee-change delay (at least MIN_FEE_CHANGE_DELAY).
     */
    constructor(
        address registry_,
        address licenses_,
        uint48 adminDelay,
        address admin,
        address governor,
        address pauser,
        address feeRecipient_,
        uint16 feeBps_,
        uint48 feeChangeDelay_
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (
            registry_ == address(0) ||
            licenses_ == address(0) ||
            governor == address(0) ||
            pauser == address(0) ||
            feeRecipient_ == address(0)
        ) revert PodMarketZeroAddress();
        if (feeBps_ > MAX_FEE_BPS) revert PodMarketFeeTooHigh(feeBps_, MAX_FEE_BPS);
        if (feeChangeDelay_ < MIN_FEE_CHANGE_DELAY) {
            revert PodMarketFeeDelayTooShort(feeChangeDelay_, MIN_FEE_CHANGE_DELAY);
        }
        registry = registry_;
        licenses = licenses_;
        feeChangeDelay = feeChangeDelay_;
        _grantRole(GOVERNOR_ROLE, governor);
        _grantRole(PAUSER_ROLE, pauser);
        _feeConfig = FeeConfig({recipient: feeRecipient_, bps: feeBps_, pendingBps: 0, pendingAt: 0});
        emit FeeRecipientChanged(address(0), feeRecipient_);
        emit FeeChanged(0, feeBps_);
    }

    // ---------------------------------------------------------------- listings

    /// @inheritdoc IPodMarket
    function list(
        uint256 podId,
        address token,
        uint256 price,
        uint256 podPrice,
        bool transferable
    ) external whenNotPaused {
        (address owner, uint32 transfers, , ) = IPodRegistry(registry).saleState(podId);
        if (owner != msg.sender) revert PodMarketNotPodOwner(podId, msg.sender);
        if (token != NATIVE && !_allowedTokens[token]) revert PodMarketTokenNotAllowed(token);
        _checkPrices(price, podPrice);
        uint16 feeBps_ = _feeConfig.bps;
        _listings[podId] = StoredListing({
            seller: msg.sender,
            price: uint96(price),
            token: token,
            transfers: transfers,
            feeBps: feeBps_,
            paused: false,
            transferable: transferable,
            podPrice: uint96(podPrice)
        });
        emit Listed(podId, msg.sender, token, price, podPrice, feeBps_, transferable, transfers);
        IPodLicenses(licenses).setTransferable(podId, transferable);
    }

    /// @inheritdoc IPodMarket
    function setPrice(uint256 podId, uint256 price, uint256 podPrice) external whenNotPaused {
        StoredListing storage listing_ = _ownListing(podId);
        _checkPrices(price, podPrice);
        listing_.price = uint96(price);
        listing_.podPrice = uint96(podPrice);
        emit PriceChanged(podId, msg.sender, listing_.token, price, podPrice);
    }

    /// @inheritdoc IPodMarket
    function setPaused(uint256 podId, bool paused_) external {
        _ownListing(podId).paused = paused_;
        emit ListingPaused(podId, msg.sender, paused_);
    }

    /// @inheritdoc IPodMarket
    function delist(uint256 podId) external {
        _ownListing(podId);
        delete _listings[podId];
        emit Delisted(podId, msg.sender);
    }

    // ---------------------------------------------------------------- purchases

    /// @inheritdoc IPodMarket
    function buy(
        uint256 podId,
        uint32 revision,
        address token,
        uint256 maxPrice
    ) external payable whenNotPaused nonReentrant {
        StoredListing storage listing_ = _listings[podId];
        (address seller, uint16 royaltyBps) = _checkBuyable(podId, listing_, revision, token);
        uint256 price = listing_.price;
        if (price > maxPrice) revert PodMarketPriceAboveMax(price, maxPrice);
        if (IERC1155(licenses).balanceOf(msg.sender, podId) != 0) revert PodMarketAlreadyLicensed(podId, msg.sender);

        _collect(token, price);
        Sale memory sale = _split(podId, seller, token, price, listing_.feeBps, royaltyBps);
        _emitSale(podId, token, revision, sale, false);
        // Last: the ERC-1155 receiver hook of a contract buyer runs here, after all accounting is done.
        IPodLicenses(licenses).mint(msg.sender, podId);
    }

    /// @inheritdoc IPodMarket
    /// @dev The listing is deleted by the sale (PodSold implies it); the new owner lists afresh.
    function buyPod(
        uint256 podId,
        uint32 revision,
        address token,
        uint256 maxPrice
    ) external payable whenNotPaused nonReentrant {
        StoredListing storage listing_ = _listings[podId];
        Sale memory sale;
        {
            (address seller, uint16 royaltyBps) = _checkBuyable(podId, listing_, revision, token);
            uint256 price = listing_.podPrice;
            if (price == 0) revert PodMarketPodNotForSale(podId);
            if (price > maxPrice) revert PodMarketPriceAboveMax(price, maxPrice);
            if (
                !IERC721(registry).isApprovedForAll(seller, address(this)) &&
                IERC721(registry).getApproved(podId) != address(this)
            ) revert PodMarketNotApproved(podId);

            _collect(token, price);
            sale = _split(podId, seller, token, price, listing_.feeBps, royaltyBps);
        }
        delete _listings[podId];
        _emitSale(podId, token, revision, sale, true);
        // Last: the receiver hook of a contract buyer runs here, after all accounting is done.
        IERC721(registry).safeTransferFrom(sale.seller, msg.sender, podId);
    }

    /// @inheritdoc IPodMarket
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        return _withdraw(token, msg.sender);
    }

    /// @inheritdoc IPodMarket
    function withdrawTo(address token, address recipient) external nonReentrant returns (uint256 amount) {
        if (recipient == address(0)) revert PodMarketZeroAddress();
        return _withdraw(token, recipient);
    }

    // ---------------------------------------------------------------- governance

    /**
     * @notice Proposes a new platform fee for listings made after `executeFeeChange` applies it,
     * replacing any pending proposal. GOVERNOR_ROLE only.
     * @param newBps The fee in basis points (at most MAX_FEE_BPS).
     */
    function proposeFeeChange(uint16 newBps) external onlyRole(GOVERNOR_ROLE) {
        if (newBps > MAX_FEE_BPS) revert PodMarketFeeTooHigh(newBps, MAX_FEE_BPS);
        uint48 executableAt = uint48(block.timestamp) + feeChangeDelay;
        FeeConfig storage config = _feeConfig;
        config.pendingBps = newBps;
        config.pendingAt = executableAt;
        emit FeeChangeProposed(config.bps, newBps, executableAt);
    }

    /// @notice Applies the pending fee change once its delay has passed. Anyone may call it: the
    /// change itself was authorised when it was proposed.
    function executeFeeChange() external {
        FeeConfig storage config = _feeConfig;
        uint48 executableAt = config.pendingAt;
        if (executableAt == 0) revert PodMarketNoPendingFeeChange();
        if (block.timestamp < executableAt) revert PodMarketFeeChangeNotReady(executableAt);
        uint16 previous = config.bps;
        uint16 next = config.pendingBps;
        config.bps = next;
        config.pendingBps = 0;
        config.pendingAt = 0;
        emit FeeChanged(previous, next);
    }

    /// @notice Drops the pending fee change. GOVERNOR_ROLE only.
    function cancelFeeChange() external onlyRole(GOVERNOR_ROLE) {
        FeeConfig storage config = _feeConfig;
        if (config.pendingAt == 0) revert PodMarketNoPendingFeeChange();
        uint16 cancelled = config.pendingBps;
        config.pendingBps = 0;
        config.pendingAt = 0;
        emit FeeChangeCancelled(cancelled);
    }

    /**
     * @notice Sets where platform fees are credited; credits already made stay with the old recipient.
     * GOVERNOR_ROLE only.
     * @param newRecipient The new recipient (non-zero).
     */
    function setFeeRecipient(address newRecipient) external onlyRole(GOVERNOR_ROLE) {
        if (newRecipient == address(0)) revert PodMarketZeroAddress();
        address previous = _feeConfig.recipient;
        _feeConfig.recipient = newRecipient;
        emit FeeRecipientChanged(previous, newRecipient);
    }

    /**
     * @notice Adds or removes an ERC-20 from the allow-list. A removed token can no longer be listed or
     * paid with, but credits in it can still be withdrawn. GOVERNOR_ROLE only.
     * @param token The ERC-20 (non-zero).
     * @param allowed True to allow it.
     */
    function setTokenAllowed(address token, bool allowed) external onlyRole(GOVERNOR_ROLE) {
        if (token == address(0)) revert PodMarketZeroAddress();
        _allowedTokens[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    /// @notice Stops list, setPrice, buy and buyPod; `withdraw` keeps working. PAUSER_ROLE only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes trading. PAUSER_ROLE only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPodMarket
    function creditOf(address account, address token) external view returns (uint256) {
        return _credits[token][account];
    }

    /// @inheritdoc IPodMarket
    function listing(uint256 podId) external view returns (Listing memory) {
        StoredListing memory stored = _listings[podId];
        bool active;
        if (stored.seller != address(0)) {
            // A stored listing implies the pod exists: it was listed by its owner and pods are never burnt.
            (address owner, uint32 transfers, , ) = IPodRegistry(registry).saleState(podId);
            active = stored.seller == owner && stored.transfers == transfers;
        }
        return
            Listing({
                seller: stored.seller,
                token: stored.token,
                price: stored.price,
                podPrice: stored.podPrice,
                feeBps: stored.feeBps,
                transfers: stored.transfers,
                transferable: stored.transferable,
                active: active,
                paused: stored.paused
            });
    }

    /**
     * @notice The platform fee in basis points that new listings get.
     * @return The fee.
     */
    function feeBps() external view returns (uint16) {
        return _feeConfig.bps;
    }

    /**
     * @notice The pending fee change, if any.
     * @return bps The proposed fee.
     * @return executableAt When it may be applied; 0 when nothing is pending.
     */
    function pendingFeeChange() external view returns (uint16 bps, uint48 executableAt) {
        return (_feeConfig.pendingBps, _feeConfig.pendingAt);
    }

    /**
     * @notice Where platform fees are credited.
     * @return The recipient.
     */
    function feeRecipient() external view returns (address) {
        return _feeConfig.recipient;
    }

    /**
     * @notice True for the native coin (address(0)) and for allow-listed ERC-20s.
     * @param token The token.
     * @return Whether it may be listed and paid with.
     */
    function isTokenAllowed(address token) external view returns (bool) {
        return token == NATIVE || _allowedTokens[token];
    }

    // ---------------------------------------------------------------- internals

    function _checkPrices(uint256 price, uint256 podPrice) private pure {
        if (price == 0) revert PodMarketZeroPrice();
        if (price > type(uint96).max) revert PodMarketPriceTooLarge(price);
        if (podPrice > type(uint96).max) revert PodMarketPriceTooLarge(podPrice);
    }

    /// @dev The caller's own, still valid listing of a pod it owns.
    function _ownListing(uint256 podId) private view returns (StoredListing storage listing_) {
        (address owner, uint32 transfers, , ) = IPodRegistry(registry).saleState(podId);
        if (owner != msg.sender) revert PodMarketNotPodOwner(podId, msg.sender);
        listing_ = _listings[podId];
        if (listing_.seller != msg.sender || listing_.transfers != transfers) revert PodMarketNotListed(podId);
    }

    /// @dev Checks shared by buy and buyPod; returns the seller and what the pod owes upstream.
    function _checkBuyable(
        uint256 podId,
        StoredListing storage listing_,
        uint32 revision,
        address token
    ) private view returns (address seller, uint16 royaltyBps) {
        seller = listing_.seller;
        if (seller == address(0)) revert PodMarketNotListed(podId);
        (address owner, uint32 transfers, uint32 current, uint16 royalty) = IPodRegistry(registry).saleState(podId);
        if (msg.sender == owner) revert PodMarketOwnPod(podId);
        // `list` records the owner's transfer count: the same count means the lister still owns the pod.
        if (listing_.transfers != transfers) revert PodMarketNotListed(podId);
        if (listing_.paused) revert PodMarketListingPaused(podId);
        address listedToken = listing_.token;
        if (token != listedToken) revert PodMarketWrongToken(listedToken, token);
        if (revision != current) revert PodMarketContentChanged(podId, revision, current);
        royaltyBps = royalty;
    }

    /// @dev Takes exactly `price` from the buyer into the market, or reverts.
    function _collect(address token, uint256 price) private {
        if (token == NATIVE) {
            if (msg.value != price) revert PodMarketWrongPayment(price, msg.value);
            return;
        }
        if (msg.value != 0) revert PodMarketUnexpectedNativePayment(msg.value);
        // Checked at purchase too, so that removing a broken token from the allow-list stops its sales.
        if (!_allowedTokens[token]) revert PodMarketTokenNotAllowed(token);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), price);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != price) revert PodMarketFeeOnTransferToken(token, price, received);
    }

    /// @dev Splits `price` into the fee, every ancestor's royalty share and the seller's proceeds, and credits each.
    function _split(
        uint256 podId,
        address seller,
        address token,
        uint256 price,
        uint16 listingFeeBps,
        uint16 royaltyBps
    ) private returns (Sale memory sale) {
        sale.seller = seller;
        sale.price = price;
        sale.feeRecipient = _feeConfig.recipient;
        sale.fee = (price * listingFeeBps) / BPS_DENOMINATOR;
        if (royaltyBps != 0) {
            (uint256[] memory ancestors, address[] memory receivers, uint256[] memory amounts) = IPodRegistry(
                registry
            ).royaltyShares(podId, price);
            for (uint256 i = 0; i < amounts.length; ++i) {
                uint256 amount = amounts[i];
                if (amount == 0) continue;
                _credits[token][receivers[i]] += amount;
                sale.royalty += amount;
                // i < MAX_ROYALTY_DEPTH (8), so i + 1 fits uint8.
                emit RoyaltyPaid(podId, ancestors[i], receivers[i], token, amount, uint8(i + 1));
            }
        }
        // Cannot underflow: the fee is at most 10% and the registry caps the royalty at 25%.
        sale.sellerProceeds = price - sale.fee - sale.royalty;
        if (sale.fee != 0) _credits[token][sale.feeRecipient] += sale.fee;
        _credits[token][seller] += sale.sellerProceeds;
    }

    /// @dev Emits PodSold for a whole-pod sale, LicensePurchased otherwise (a helper: too many locals in the callers).
    function _emitSale(uint256 podId, address token, uint32 revision, Sale memory sale, bool whole) private {
        if (whole) {
            emit PodSold(
                podId,
                msg.sender,
                sale.seller,
                token,
                sale.price,
                sale.fee,
                sale.feeRecipient,
                sale.royalty,
                sale.sellerProceeds,
                revision
            );
        } else {
            emit LicensePurchased(
                podId,
                msg.sender,
                sale.seller,
                token,
                sale.price,
                sale.fee,
                sale.feeRecipient,
                sale.royalty,
                sale.sellerProceeds,
                revision
            );
        }
    }

    /// @dev Pays the caller's whole credit in `token` to `recipient` (effects before the interaction).
    function _withdraw(address token, address recipient) private returns (uint256 amount) {
        amount = _credits[token][msg.sender];
        if (amount == 0) revert PodMarketNothingToWithdraw(msg.sender, token);
        delete _credits[token][msg.sender];
        emit Withdrawn(msg.sender, token, recipient, amount);
        if (token == NATIVE) {
            (bool sent, ) = payable(recipient).call{value: amount}("");
            if (!sent) revert PodMarketNativeTransferFailed(recipient, amount);
        } else {
            IERC20(token).safeTransfer(recipient, amount);
        }
    }
}
