// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IPodMarket} from "./interfaces/IPodMarket.sol";

/**
 * @title PodMarket
 * @notice Licences for pods and sales of whole pods, in the native coin or an allow-listed ERC-20.
 * Every sale is split into a platform fee, the upstream royalty (ERC-2981 of the registry) and the
 * seller's share; each is credited and withdrawn by its payee (pull payments).
 * @dev Governance (GOVERNOR_ROLE) sets the fee (capped by MAX_FEE_BPS), the fee recipient and the token
 * allow-list; PAUSER_ROLE stops listing and buying but never `withdraw`. No role can move credits.
 * The market holds exactly the sum of all credits per token: fee-on-transfer tokens are rejected,
 * native payments must be exact and the contract has no `receive`. (Coins forced in by selfdestruct
 * or tokens sent directly are not credited to anyone and stay unreachable.)
 * Royalty is computed on the full sale price, as ERC-2981 defines it; it is folded into the seller's
 * share (reported as 0 with receiver address(0)) when the receiver is the seller or address(0).
 * A listing is valid only while the pod has not changed hands since it was made (the registry's
 * transfer count): a transfer voids it without a call here, and it stays void even if the pod
 * comes back to the same seller. `buyPod` also deletes it outright.
 */
contract PodMarket is IPodMarket, AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May change the fee, the fee recipient and the token allow-list.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice May pause and unpause the market.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The platform fee can never exceed 10%.
    uint16 public constant MAX_FEE_BPS = 1000;

    uint256 private constant BPS_DENOMINATOR = 10_000;
    address private constant NATIVE = address(0);

    /// @dev Fee settings share one slot: a purchase reads both with one cold access.
    struct FeeConfig {
        address recipient;
        uint16 bps;
    }

    /**
     * @dev Storage layout of a listing: `buy` needs only the first two slots (seller, price, token,
     * paused, transfers). `active` is not stored: a listing is active while its seller is set, and
     * delisting deletes it. `transfers` is the registry's transfer count of the pod when it was
     * listed: any later transfer voids the listing, even if the pod comes back to the seller.
     */
    struct StoredListing {
        address seller;
        uint96 price;
        address token;
        bool paused;
        uint48 transfers;
        uint96 podPrice;
    }

    /// @dev The figures of one sale, kept together for the event.
    struct Sale {
        address seller;
        uint256 price;
        uint256 fee;
        address feeRecipient;
        uint256 royalty;
        address royaltyReceiver;
        uint256 sellerProceeds;
    }

    /// @notice The PodRegistry whose tokens are sold here.
    address public immutable registry;

    FeeConfig private _feeConfig;
    mapping(uint256 podId => StoredListing) private _listings;
    mapping(uint256 podId => mapping(address account => bool)) private _licensed;
    mapping(address token => mapping(address account => uint256)) private _credits;
    mapping(address token => bool) private _allowedTokens;

    /// @param registry_ The PodRegistry.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, GOVERNOR_ROLE and PAUSER_ROLE.
    /// @param feeRecipient_ Where platform fees are credited.
    /// @param feeBps_ The initial fee in basis points (at most MAX_FEE_BPS).
    constructor(address registry_, address admin, address feeRecipient_, uint16 feeBps_) {
        if (registry_ == address(0) || admin == address(0) || feeRecipient_ == address(0)) revert ZeroAddress();
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _feeConfig = FeeConfig({recipient: feeRecipient_, bps: feeBps_});
        emit FeeRecipientChanged(address(0), feeRecipient_);
        emit FeeChanged(0, feeBps_);
    }

    // ---------------------------------------------------------------- listings

    /// @inheritdoc IPodMarket
    function list(uint256 podId, address token, uint256 price, uint256 podPrice) external whenNotPaused {
        (address owner, uint48 transfers) = IPodRegistry(registry).ownership(podId);
        if (owner != msg.sender) revert NotPodOwner(podId, msg.sender);
        if (token != NATIVE && !_allowedTokens[token]) revert TokenNotAllowed(token);
        _checkPrices(price, podPrice);
        _listings[podId] = StoredListing({
            seller: msg.sender,
            price: uint96(price),
            token: token,
            paused: false,
            transfers: transfers,
            podPrice: uint96(podPrice)
        });
        emit Listed(podId, msg.sender, token, price, podPrice);
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
    function buy(uint256 podId, address token, uint256 maxPrice) external payable whenNotPaused nonReentrant {
        StoredListing storage listing_ = _listings[podId];
        address seller = _checkBuyable(podId, listing_, token);
        uint256 price = listing_.price;
        if (price > maxPrice) revert PriceAboveMax(price, maxPrice);
        if (_licensed[podId][msg.sender]) revert AlreadyLicensed(podId, msg.sender);

        _collect(token, price);
        _licensed[podId][msg.sender] = true;
        Sale memory sale = _split(podId, seller, token, price);
        emit LicensePurchased(
            podId,
            msg.sender,
            seller,
            token,
            price,
            sale.fee,
            sale.feeRecipient,
            sale.royalty,
            sale.royaltyReceiver,
            sale.sellerProceeds
        );
    }

    /// @inheritdoc IPodMarket
    /// @dev The listing is deleted by the sale (PodSold implies it); the new owner lists afresh.
    function buyPod(uint256 podId, address token, uint256 maxPrice) external payable whenNotPaused nonReentrant {
        StoredListing storage listing_ = _listings[podId];
        address seller = _checkBuyable(podId, listing_, token);
        uint256 price = listing_.podPrice;
        if (price == 0) revert PodNotForSale(podId);
        if (price > maxPrice) revert PriceAboveMax(price, maxPrice);
        if (
            !IERC721(registry).isApprovedForAll(seller, address(this)) &&
            IERC721(registry).getApproved(podId) != address(this)
        ) revert MarketNotApproved(podId);

        _collect(token, price);
        Sale memory sale = _split(podId, seller, token, price);
        delete _listings[podId];
        emit PodSold(
            podId,
            msg.sender,
            seller,
            token,
            price,
            sale.fee,
            sale.feeRecipient,
            sale.royalty,
            sale.royaltyReceiver,
            sale.sellerProceeds
        );
        // Last: the receiver hook of a contract buyer runs here, after all accounting is done.
        IERC721(registry).safeTransferFrom(seller, msg.sender, podId);
    }

    /// @inheritdoc IPodMarket
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        amount = _credits[token][msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender, token);
        delete _credits[token][msg.sender];
        emit Withdrawn(msg.sender, token, amount);
        if (token == NATIVE) {
            (bool sent, ) = payable(msg.sender).call{value: amount}("");
            if (!sent) revert NativeTransferFailed(msg.sender, amount);
        } else {
            IERC20(token).safeTransfer(msg.sender, amount);
        }
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets the platform fee in basis points (at most MAX_FEE_BPS). GOVERNOR_ROLE only.
    function setFee(uint16 newBps) external onlyRole(GOVERNOR_ROLE) {
        if (newBps > MAX_FEE_BPS) revert FeeTooHigh(newBps, MAX_FEE_BPS);
        uint16 previous = _feeConfig.bps;
        _feeConfig.bps = newBps;
        emit FeeChanged(previous, newBps);
    }

    /// @notice Sets where platform fees are credited; credits already made stay with the old recipient.
    /// GOVERNOR_ROLE only.
    function setFeeRecipient(address newRecipient) external onlyRole(GOVERNOR_ROLE) {
        if (newRecipient == address(0)) revert ZeroAddress();
        address previous = _feeConfig.recipient;
        _feeConfig.recipient = newRecipient;
        emit FeeRecipientChanged(previous, newRecipient);
    }

    /// @notice Adds or removes an ERC-20 from the allow-list. A removed token can no longer be listed
    /// or paid with, but credits in it can still be withdrawn. GOVERNOR_ROLE only.
    function setTokenAllowed(address token, bool allowed) external onlyRole(GOVERNOR_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        _allowedTokens[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    /// @notice Stops list, setPrice, buy and buyPod. `withdraw` keeps working. PAUSER_ROLE only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes trading. PAUSER_ROLE only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPodMarket
    function hasLicense(uint256 podId, address account) external view returns (bool) {
        if (_licensed[podId][account]) return true;
        return IPodRegistry(registry).exists(podId) && IERC721(registry).ownerOf(podId) == account;
    }

    /// @inheritdoc IPodMarket
    function balanceOf(address account, address token) external view returns (uint256) {
        return _credits[token][account];
    }

    /// @inheritdoc IPodMarket
    function listing(uint256 podId) external view returns (Listing memory, bool valid) {
        StoredListing memory stored = _listings[podId];
        if (stored.seller != address(0)) {
            // An active listing implies the pod exists: it was listed by its owner and pods are never burnt.
            (address owner, uint48 transfers) = IPodRegistry(registry).ownership(podId);
            valid = stored.seller == owner && stored.transfers == transfers;
        }
        Listing memory listing_ = Listing({
            seller: stored.seller,
            token: stored.token,
            price: stored.price,
            podPrice: stored.podPrice,
            active: stored.seller != address(0),
            paused: stored.paused
        });
        return (listing_, valid);
    }

    /// @notice The platform fee in basis points.
    function feeBps() external view returns (uint16) {
        return _feeConfig.bps;
    }

    /// @notice Where platform fees are credited.
    function feeRecipient() external view returns (address) {
        return _feeConfig.recipient;
    }

    /// @notice True for the native coin (address(0)) and for allow-listed ERC-20s.
    function isTokenAllowed(address token) external view returns (bool) {
        return token == NATIVE || _allowedTokens[token];
    }

    // ---------------------------------------------------------------- internals

    function _checkPrices(uint256 price, uint256 podPrice) private pure {
        if (price == 0) revert ZeroPrice();
        if (price > type(uint96).max) revert PriceTooLarge(price);
        if (podPrice > type(uint96).max) revert PriceTooLarge(podPrice);
    }

    /// @dev The caller's own, still valid listing of a pod it owns.
    function _ownListing(uint256 podId) private view returns (StoredListing storage listing_) {
        (address owner, uint48 transfers) = IPodRegistry(registry).ownership(podId);
        if (owner != msg.sender) revert NotPodOwner(podId, msg.sender);
        listing_ = _listings[podId];
        if (listing_.seller != msg.sender || listing_.transfers != transfers) revert NotListed(podId);
    }

    /// @dev Checks shared by buy and buyPod; returns the seller (the pod's current owner).
    function _checkBuyable(
        uint256 podId,
        StoredListing storage listing_,
        address token
    ) private view returns (address seller) {
        seller = listing_.seller;
        if (seller == address(0)) revert NotListed(podId);
        (address owner, uint48 transfers) = IPodRegistry(registry).ownership(podId);
        if (msg.sender == owner) revert OwnPod(podId);
        // `list` records the owner's transfer count: the same count means the lister still owns the pod.
        if (listing_.transfers != transfers) revert NotListed(podId);
        if (listing_.paused) revert ListingIsPaused(podId);
        address listedToken = listing_.token;
        if (token != listedToken) revert WrongToken(listedToken, token);
    }

    /// @dev Takes exactly `price` from the buyer into the market, or reverts.
    function _collect(address token, uint256 price) private {
        if (token == NATIVE) {
            if (msg.value != price) revert WrongPayment(price, msg.value);
            return;
        }
        if (msg.value != 0) revert UnexpectedNativePayment(msg.value);
        // Checked at purchase too, so that delisting a broken token from the allow-list stops its sales.
        if (!_allowedTokens[token]) revert TokenNotAllowed(token);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), price);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != price) revert FeeOnTransferToken(token, price, received);
    }

    /// @dev Splits `price` into fee, royalty and seller proceeds and credits each payee.
    function _split(uint256 podId, address seller, address token, uint256 price) private returns (Sale memory sale) {
        FeeConfig memory feeConfig = _feeConfig;
        sale.seller = seller;
        sale.price = price;
        sale.feeRecipient = feeConfig.recipient;
        sale.fee = (price * feeConfig.bps) / BPS_DENOMINATOR;
        (address receiver, uint256 royalty) = IERC2981(registry).royaltyInfo(podId, price);
        if (receiver != address(0) && receiver != seller && royalty != 0) {
            sale.royaltyReceiver = receiver;
            sale.royalty = royalty;
            _credits[token][receiver] += royalty;
        }
        // Cannot underflow: fee <= 10% and the registry caps royalties at 25%.
        sale.sellerProceeds = price - sale.fee - sale.royalty;
        if (sale.fee != 0) _credits[token][sale.feeRecipient] += sale.fee;
        _credits[token][seller] += sale.sellerProceeds;
    }
}
