// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IPodLicenses} from "./interfaces/IPodLicenses.sol";
import {IRunMarket} from "./interfaces/IRunMarket.sol";
import {IPodKeyGrants} from "./interfaces/IPodKeyGrants.sol";

/**
 * @title RunMarketLib
 * @notice RunMarket's storage layout and its less frequent operations (runner management, settings,
 * token allow-list, run prices, views), as an external library: RunMarket calls it with DELEGATECALL,
 * so it runs on RunMarket's storage with RunMarket's caller, and its events come from RunMarket. It
 * keeps RunMarket under the 24 KiB code limit; RunMarket's bytecode must be linked to it at deployment.
 * @dev Every function takes RunMarket's `Layout` and is only meant to be reached through RunMarket
 * (called directly, it would act on the library's own, empty storage).
 */
library RunMarketLib {
    address private constant NATIVE = address(0);
    /// @notice The platform fee on pod prices can never exceed 10%.
    uint16 internal constant MAX_FEE_BPS = 1000;
    /// @notice The shortest claim window.
    uint32 internal constant MIN_CLAIM_WINDOW = 1 minutes;

    /// @dev Read by every request (the fee to snapshot and the run counter) and settlement (the recipient).
    struct Config {
        address feeRecipient;
        uint16 feeBps;
        uint32 claimWindow;
        uint40 runCount;
        bool paused; // RunMarket's pause, here so that requests and claims read it with the slot they need anyway
    }

    /// @dev Read by registration, claims and slashing.
    struct BondConfig {
        uint96 minBond;
        uint96 slashAmount;
        uint32 unbondingDelay;
        uint32 runnerCount;
    }

    /**
     * @dev Three slots. `escrow` and `podPrice` are what is left (paid stages are subtracted);
     * `podId` is the first stage's pod (tasks keep every stage in `_stages`); `runnerId` is the named
     * runner until a claim, then the claimant. Pod ids fit 48 bits (one per transaction).
     * `privateStages` is set when a stage's pod was private at request: the claim then checks the
     * runner's key grants again; `privateVersion` is the version of a one-stage run's private pod
     * (tasks keep theirs per stage). Both sit in the third slot, written anyway.
     */
    struct StoredRun {
        address requester;
        uint40 deadline;
        uint40 claimedUntil;
        IRunMarket.RunStatus status;
        uint96 escrow;
        uint96 podPrice;
        uint48 podId;
        uint16 tokenId;
        uint96 runnerFee;
        uint32 runnerId;
        uint16 feeBps;
        uint8 stageCount;
        uint8 nextStage;
        bool named;
        bool privateStages;
        uint64 privateVersion;
    }

    /// @dev A request on its way to storage (a memory struct keeps requestRun under the stack limit).
    struct NewRun {
        uint40 deadline;
        address runner;
        address token;
        uint256 escrow;
        uint256 podPrice;
        uint256 podId;
        uint8 stageCount;
        uint16 feeBps;
        bool privateStages;
        uint64 privateVersion;
    }

    /// @dev `privateVersion` is the stage's version when its pod was private at request, else 0.
    struct StoredStage {
        uint48 podId;
        uint96 podPrice;
        uint64 privateVersion;
    }

    struct StoredRunner {
        uint32 id;
        uint96 bond;
        uint32 openClaims;
        uint40 unbondingAt;
        bool paused;
    }

    struct StoredFee {
        uint96 fee;
        bool accepted;
    }

    struct StoredPrice {
        address token;
        uint96 price;
    }

    struct TokenInfo {
        uint16 id;
        bool allowed;
    }

    /// @dev All of RunMarket's state.
    struct Layout {
        Config config;
        BondConfig bonds;
        uint16 tokenCount;
        mapping(uint256 runId => StoredRun) runs;
        mapping(uint256 runId => mapping(uint256 stage => StoredStage)) stages;
        mapping(address account => StoredRunner) runners;
        mapping(address account => bytes32) keys;
        mapping(uint32 id => address) runnerAddresses;
        mapping(uint32 id => mapping(address token => StoredFee)) fees;
        mapping(uint256 podId => StoredPrice) prices;
        mapping(address token => TokenInfo) tokens;
        mapping(uint16 id => address) tokenAddresses;
        mapping(address token => mapping(address account => uint256)) credits;
    }

    // ---------------------------------------------------------------- runners

    /**
     * @notice See IRunMarket.registerRunner.
     * @param s RunMarket's storage.
     * @param publicKey The runner's X25519 public key.
     * @param tokens Tokens it accepts.
     * @param fees Its fee in each.
     * @param bond The bond sent (msg.value).
     * @return id Its runner id.
     */
    function registerRunner(
        Layout storage s,
        bytes32 publicKey,
        address[] calldata tokens,
        uint256[] calldata fees,
        uint256 bond
    ) external returns (uint32 id) {
        StoredRunner storage runner_ = s.runners[msg.sender];
        if (runner_.id != 0) revert IRunMarket.RunMarketAlreadyRunner(msg.sender);
        if (publicKey == bytes32(0)) revert IRunMarket.RunMarketZeroKey();
        if (tokens.length != fees.length) revert IRunMarket.RunMarketLengthMismatch(tokens.length, fees.length);
        BondConfig storage bonds = s.bonds;
        if (bond < bonds.minBond) revert IRunMarket.RunMarketBondTooLow(bond, bonds.minBond);
        if (bond > type(uint96).max) revert IRunMarket.RunMarketAmountTooLarge(bond);
        id = ++bonds.runnerCount;
        runner_.id = id;
        runner_.bond = uint96(bond);
        s.keys[msg.sender] = publicKey;
        s.runnerAddresses[id] = msg.sender;
        emit IRunMarket.RunnerRegistered(msg.sender, id, bond, publicKey);
        for (uint256 i = 0; i < tokens.length; ++i) _setFee(s, id, tokens[i], fees[i], true);
    }

    /**
     * @notice See IRunMarket.setRunnerFee.
     * @param s RunMarket's storage.
     * @param token The token.
     * @param fee The fee.
     * @param accepted Whether the token is accepted.
     */
    function setRunnerFee(Layout storage s, address token, uint256 fee, bool accepted) external {
        _setFee(s, _runnerId(s, msg.sender), token, fee, accepted);
    }

    /**
     * @notice See IRunMarket.setRunnerKey.
     * @param s RunMarket's storage.
     * @param publicKey The new key.
     */
    function setRunnerKey(Layout storage s, bytes32 publicKey) external {
        _runnerId(s, msg.sender);
        if (publicKey == bytes32(0)) revert IRunMarket.RunMarketZeroKey();
        s.keys[msg.sender] = publicKey;
        emit IRunMarket.RunnerKeySet(msg.sender, publicKey);
    }

    /**
     * @notice See IRunMarket.setRunnerPaused.
     * @param s RunMarket's storage.
     * @param paused True to pause.
     */
    function setRunnerPaused(Layout storage s, bool paused) external {
        _runnerId(s, msg.sender);
        s.runners[msg.sender].paused = paused;
        emit IRunMarket.RunnerPaused(msg.sender, paused);
    }

    /**
     * @notice See IRunMarket.addBond.
     * @param s RunMarket's storage.
     * @param amount The amount sent (msg.value).
     */
    function addBond(Layout storage s, uint256 amount) external {
        _runnerId(s, msg.sender);
        StoredRunner storage runner_ = s.runners[msg.sender];
        uint256 bond = runner_.bond + amount;
        if (bond > type(uint96).max) revert IRunMarket.RunMarketAmountTooLarge(bond);
        runner_.bond = uint96(bond);
        emit IRunMarket.BondAdded(msg.sender, amount, bond);
    }

    /**
     * @notice See IRunMarket.requestUnregister.
     * @param s RunMarket's storage.
     */
    function requestUnregister(Layout storage s) external {
        _runnerId(s, msg.sender);
        StoredRunner storage runner_ = s.runners[msg.sender];
        if (runner_.unbondingAt != 0) revert IRunMarket.RunMarketAlreadyUnbonding(msg.sender);
        uint40 at = uint40(block.timestamp) + s.bonds.unbondingDelay;
        runner_.unbondingAt = at;
        emit IRunMarket.RunnerUnbonding(msg.sender, at);
    }

    /**
     * @notice See IRunMarket.withdrawBond.
     * @param s RunMarket's storage.
     * @return bond The amount credited.
     */
    function withdrawBond(Layout storage s) external returns (uint256 bond) {
        uint32 id = _runnerId(s, msg.sender);
        StoredRunner memory runner_ = s.runners[msg.sender];
        if (runner_.unbondingAt == 0) revert IRunMarket.RunMarketNotUnbonding(msg.sender);
        if (block.timestamp < runner_.unbondingAt) revert IRunMarket.RunMarketUnbondingNotOver(runner_.unbondingAt);
        if (runner_.openClaims != 0) revert IRunMarket.RunMarketOpenClaims(msg.sender, runner_.openClaims);
        bond = runner_.bond;
        delete s.runners[msg.sender];
        delete s.keys[msg.sender];
        s.credits[NATIVE][msg.sender] += bond;
        emit IRunMarket.RunnerUnregistered(msg.sender, id, bond);
    }

    // ---------------------------------------------------------------- prices and governance

    /**
     * @notice See IRunMarket.setRunPrice.
     * @param s RunMarket's storage.
     * @param registry The PodRegistry.
     * @param podId The pod.
     * @param token The token.
     * @param price The price.
     */
    function setRunPrice(Layout storage s, address registry, uint256 podId, address token, uint256 price) external {
        if (IERC721(registry).ownerOf(podId) != msg.sender) revert IRunMarket.RunMarketNotPodOwner(podId, msg.sender);
        tokenId(s, token);
        if (price > type(uint96).max) revert IRunMarket.RunMarketAmountTooLarge(price);
        s.prices[podId] = StoredPrice({token: token, price: uint96(price)});
        emit IRunMarket.RunPriceSet(podId, msg.sender, token, price);
    }

    /**
     * @notice Validates and stores the settings.
     * @param s RunMarket's storage.
     * @param settings_ The settings.
     */
    function setSettings(Layout storage s, IRunMarket.Settings memory settings_) external {
        if (settings_.feeRecipient == address(0)) revert IRunMarket.RunMarketZeroAddress();
        if (
            settings_.feeBps > MAX_FEE_BPS ||
            settings_.claimWindow < MIN_CLAIM_WINDOW ||
            settings_.slashAmount > settings_.minBond
        ) revert IRunMarket.RunMarketBadSettings(settings_);
        Config storage config = s.config;
        config.feeRecipient = settings_.feeRecipient;
        config.feeBps = settings_.feeBps;
        config.claimWindow = settings_.claimWindow;
        BondConfig storage bonds = s.bonds;
        bonds.minBond = settings_.minBond;
        bonds.slashAmount = settings_.slashAmount;
        bonds.unbondingDelay = settings_.unbondingDelay;
        emit IRunMarket.SettingsChanged(settings_);
    }

    /**
     * @notice Adds or removes an ERC-20 from the allow-list; the first time gives it an id.
     * @param s RunMarket's storage.
     * @param token The ERC-20.
     * @param allowed True to allow it.
     */
    function setTokenAllowed(Layout storage s, address token, bool allowed) external {
        if (token == address(0)) revert IRunMarket.RunMarketZeroAddress();
        TokenInfo storage info = s.tokens[token];
        if (info.id == 0) {
            uint16 id = ++s.tokenCount;
            info.id = id;
            s.tokenAddresses[id] = token;
        }
        info.allowed = allowed;
        emit IRunMarket.TokenAllowed(token, allowed);
    }

    // ---------------------------------------------------------------- endings without a runner

    /**
     * @notice See IRunMarket.expire.
     * @param s RunMarket's storage.
     * @param runId The run.
     */
    function expire(Layout storage s, uint256 runId) external {
        StoredRun storage run_ = s.runs[runId];
        IRunMarket.RunStatus status = run_.status;
        bool pastDeadline = block.timestamp >= run_.deadline;
        address claimant;
        if (status == IRunMarket.RunStatus.Requested) {
            if (!pastDeadline) revert IRunMarket.RunMarketNotExpirable(runId);
        } else if (status == IRunMarket.RunStatus.Claimed) {
            if (run_.claimedUntil <= block.timestamp) {
                claimant = releaseLapsed(s, runId, run_);
            } else {
                if (!pastDeadline) revert IRunMarket.RunMarketNotExpirable(runId);
                claimant = s.runnerAddresses[run_.runnerId];
                s.runners[claimant].openClaims -= 1;
            }
        } else {
            revert IRunMarket.RunMarketWrongStatus(runId, status);
        }
        run_.status = IRunMarket.RunStatus.Expired;
        uint256 refund = refundAll(s, run_);
        emit IRunMarket.RunExpired(runId, run_.requester, claimant, msg.sender, refund);
    }

    /**
     * @notice See IRunMarket.cancel.
     * @param s RunMarket's storage.
     * @param runId The run.
     */
    function cancel(Layout storage s, uint256 runId) external {
        StoredRun storage run_ = s.runs[runId];
        if (run_.status != IRunMarket.RunStatus.Requested) revert IRunMarket.RunMarketWrongStatus(runId, run_.status);
        if (run_.requester != msg.sender) revert IRunMarket.RunMarketNotRequester(runId, msg.sender);
        run_.status = IRunMarket.RunStatus.Cancelled;
        uint256 refund = refundAll(s, run_);
        emit IRunMarket.RunCancelled(runId, msg.sender, refund);
    }

    /**
     * @notice Credits the requester with what is left in a run's escrow and empties it.
     * @param s RunMarket's storage.
     * @param run_ The run.
     * @return refund The amount credited.
     */
    function refundAll(Layout storage s, StoredRun storage run_) internal returns (uint256 refund) {
        refund = run_.escrow;
        run_.escrow = 0;
        run_.podPrice = 0;
        if (refund != 0) s.credits[tokenAddress(s, run_.tokenId)][run_.requester] += refund;
    }

    /**
     * @notice Releases a lapsed claim: the runner's open claims drop and up to `slashAmount` of its
     * bond is credited to the requester in the native coin.
     * @param s RunMarket's storage.
     * @param runId The run.
     * @param run_ The run's storage.
     * @return lapsedRunner The runner whose claim lapsed.
     */
    function releaseLapsed(Layout storage s, uint256 runId, StoredRun storage run_) internal returns (address lapsedRunner) {
        lapsedRunner = s.runnerAddresses[run_.runnerId];
        StoredRunner storage runner_ = s.runners[lapsedRunner];
        runner_.openClaims -= 1;
        uint96 slashed = s.bonds.slashAmount;
        if (slashed > runner_.bond) slashed = runner_.bond;
        address requester = run_.requester;
        if (slashed != 0) {
            runner_.bond -= slashed;
            s.credits[NATIVE][requester] += slashed;
        }
        emit IRunMarket.ClaimLapsed(runId, lapsedRunner, requester, slashed);
    }

    /**
     * @notice See IRunMarket.withdrawTo: pays the caller's whole credit in `token` to `recipient`
     * (effects before the interaction; RunMarket holds the re-entrancy guard).
     * @param s RunMarket's storage.
     * @param token The token.
     * @param recipient Who receives it.
     * @return amount The amount paid.
     */
    function withdraw(Layout storage s, address token, address recipient) external returns (uint256 amount) {
        amount = s.credits[token][msg.sender];
        if (amount == 0) revert IRunMarket.RunMarketNothingToWithdraw(msg.sender, token);
        delete s.credits[token][msg.sender];
        emit IRunMarket.Withdrawn(msg.sender, token, recipient, amount);
        if (token == NATIVE) {
            (bool sent, ) = payable(recipient).call{value: amount}("");
            if (!sent) revert IRunMarket.RunMarketNativeTransferFailed(recipient, amount);
        } else {
            SafeERC20.safeTransfer(IERC20(token), recipient, amount);
        }
    }

    // ---------------------------------------------------------------- failures

    /**
     * @notice See IRunMarket.failStage: ends a claimed run at a stage; the phase decides whether the
     * runner keeps its fee (the pod's failures) or the requester gets everything back.
     * @param s RunMarket's storage.
     * @param runId The run.
     * @param stage The stage that failed.
     * @param phase Where it failed.
     * @param logRef The Swarm reference of the logs (0 = none).
     */
    function failStage(Layout storage s, uint256 runId, uint8 stage, IRunMarket.FailPhase phase, bytes32 logRef) external {
        StoredRun storage run_ = s.runs[runId];
        checkClaimant(s, runId, run_, stage);
        bool podPhase = phase == IRunMarket.FailPhase.Execute || phase == IRunMarket.FailPhase.Timeout || phase == IRunMarket.FailPhase.OutputTooLarge;
        uint256 runnerPaid = podPhase ? run_.runnerFee : 0;
        run_.status = IRunMarket.RunStatus.Failed;
        s.runners[msg.sender].openClaims -= 1;
        if (runnerPaid != 0) {
            run_.escrow -= uint96(runnerPaid);
            s.credits[tokenAddress(s, run_.tokenId)][msg.sender] += runnerPaid;
        }
        uint256 refund = refundAll(s, run_);
        emit IRunMarket.RunFailed(runId, run_.requester, msg.sender, stage, phase, logRef, runnerPaid, refund);
    }

    /**
     * @notice Checks that the caller holds the run's live claim and that `stage` is due.
     * @param s RunMarket's storage.
     * @param runId The run.
     * @param run_ The run's storage.
     * @param stage The stage reported.
     */
    function checkClaimant(Layout storage s, uint256 runId, StoredRun storage run_, uint8 stage) internal view {
        IRunMarket.RunStatus status = run_.status;
        if (status != IRunMarket.RunStatus.Claimed) revert IRunMarket.RunMarketWrongStatus(runId, status);
        // A claimed run always holds a non-zero runner id, so an unregistered caller (id 0) never matches.
        if (s.runners[msg.sender].id != run_.runnerId) revert IRunMarket.RunMarketNotClaimant(runId, msg.sender);
        if (run_.claimedUntil <= block.timestamp) revert IRunMarket.RunMarketClaimLapsed(runId, run_.claimedUntil);
        if (block.timestamp >= run_.deadline) revert IRunMarket.RunMarketDeadlinePassed(runId, run_.deadline);
        if (stage != run_.nextStage) revert IRunMarket.RunMarketWrongStage(runId, run_.nextStage, stage);
    }

    // ---------------------------------------------------------------- private pods

    /**
     * @notice Reverts unless `runner` holds a key grant for the pod version (a run of a private pod
     * must name a granted runner).
     * @param keyGrants The PodKeyGrants.
     * @param podId The pod.
     * @param version The version.
     * @param runner The named runner (address(0) never holds a grant).
     */
    function requireGranted(address keyGrants, uint256 podId, uint64 version, address runner) public view {
        if (!IPodKeyGrants(keyGrants).isGranted(podId, version, runner)) revert IRunMarket.RunMarketRunnerNotGranted(podId, version, runner);
    }

    /**
     * @notice Reverts unless `runner` still holds a grant for every private stage the run has left:
     * a runner whose grant was revoked after the request cannot claim it.
     * @param s RunMarket's storage.
     * @param keyGrants The PodKeyGrants.
     * @param runId The run.
     * @param runner The claiming runner.
     */
    function requireGrants(Layout storage s, address keyGrants, uint256 runId, address runner) external view {
        StoredRun storage run_ = s.runs[runId];
        uint256 count = run_.stageCount;
        if (count == 1) {
            requireGranted(keyGrants, run_.podId, run_.privateVersion, runner);
            return;
        }
        for (uint256 i = run_.nextStage; i < count; ++i) {
            StoredStage memory stage = s.stages[runId][i];
            if (stage.privateVersion != 0) requireGranted(keyGrants, stage.podId, stage.privateVersion, runner);
        }
    }

    // ---------------------------------------------------------------- views

    /**
     * @notice See IRunMarket.run.
     * @param s RunMarket's storage.
     * @param runId The run.
     * @return The run.
     */
    function runView(Layout storage s, uint256 runId) external view returns (IRunMarket.Run memory) {
        StoredRun memory r = s.runs[runId];
        return
            IRunMarket.Run({
                requester: r.requester,
                status: r.status,
                deadline: r.deadline,
                claimedUntil: r.claimedUntil,
                token: s.tokenAddresses[r.tokenId],
                escrow: r.escrow,
                podPrice: r.podPrice,
                runnerFee: r.runnerFee,
                feeBps: r.feeBps,
                podId: r.podId,
                runner: s.runnerAddresses[r.runnerId],
                named: r.named,
                stageCount: r.stageCount,
                nextStage: r.nextStage
            });
    }

    /**
     * @notice See IRunMarket.runner.
     * @param s RunMarket's storage.
     * @param account The runner.
     * @return The runner.
     */
    function runnerView(Layout storage s, address account) external view returns (IRunMarket.RunnerInfo memory) {
        StoredRunner memory r = s.runners[account];
        return
            IRunMarket.RunnerInfo({
                id: r.id,
                bond: r.bond,
                openClaims: r.openClaims,
                unbondingAt: r.unbondingAt,
                paused: r.paused,
                publicKey: s.keys[account]
            });
    }

    /**
     * @notice See RunMarket.settings.
     * @param s RunMarket's storage.
     * @return The settings.
     */
    function settingsView(Layout storage s) external view returns (IRunMarket.Settings memory) {
        Config memory config = s.config;
        BondConfig memory bonds = s.bonds;
        return
            IRunMarket.Settings({
                feeRecipient: config.feeRecipient,
                feeBps: config.feeBps,
                claimWindow: config.claimWindow,
                unbondingDelay: bonds.unbondingDelay,
                minBond: bonds.minBond,
                slashAmount: bonds.slashAmount
            });
    }

    // ---------------------------------------------------------------- internals (inlined into callers)

    /**
     * @notice The id of an allowed token (0 for the native coin); reverts for other tokens.
     * @param s RunMarket's storage.
     * @param token The token.
     * @return Its id.
     */
    function tokenId(Layout storage s, address token) internal view returns (uint16) {
        if (token == NATIVE) return 0;
        TokenInfo memory info = s.tokens[token];
        if (!info.allowed) revert IRunMarket.RunMarketTokenNotAllowed(token);
        return info.id;
    }

    /**
     * @notice The address of a token id (address(0) for 0, the native coin).
     * @param s RunMarket's storage.
     * @param id The id.
     * @return The token.
     */
    function tokenAddress(Layout storage s, uint16 id) internal view returns (address) {
        return id == 0 ? NATIVE : s.tokenAddresses[id];
    }

    function _runnerId(Layout storage s, address account) private view returns (uint32 id) {
        id = s.runners[account].id;
        if (id == 0) revert IRunMarket.RunMarketNotRunner(account);
    }

    function _setFee(Layout storage s, uint32 id, address token, uint256 fee, bool accepted) private {
        tokenId(s, token);
        if (fee > type(uint96).max) revert IRunMarket.RunMarketAmountTooLarge(fee);
        s.fees[id][token] = StoredFee({fee: uint96(fee), accepted: accepted});
        emit IRunMarket.RunnerFeeSet(msg.sender, token, fee, accepted);
    }
}

/**
 * @title RunMarket
 * @notice Runs of pods paid in escrow: runners with a bond, a public key and fees per token; licence
 * holders requesting runs and tasks; claims that lapse; settlement by the runner into credits that
 * each payee withdraws.
 * @dev State machine of a run (see docs/contracts.md):
 * REQUESTED -claim-> CLAIMED -complete-> COMPLETED; CLAIMED -fail-> FAILED;
 * REQUESTED -cancel (requester)-> CANCELLED; REQUESTED -expire (deadline)-> EXPIRED;
 * CLAIMED -expire (deadline or lapsed claim)-> EXPIRED; CLAIMED (lapsed) -claim (another runner)-> CLAIMED.
 * Roles: the default admin (two-step, delayed) grants roles; GOVERNOR_ROLE sets the settings and the
 * token allow-list; PAUSER_ROLE stops registrations, requests and claims, never settlement, expiry,
 * cancellation nor withdrawals. No role can move escrow, bonds or credits. The contract's balance of
 * a token equals the escrow left in its runs plus its credits (plus the runners' bonds, for the native
 * coin); it has no `receive`. Storage of a run: three slots (requester and times; escrow, pod price,
 * pod id and token id; runner fee, runner id, fee and stage counters); ERC-20s and runners are stored
 * as small ids for that.
 */
contract RunMarket is IRunMarket, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May change the settings and the token allow-list.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice May pause and unpause registrations, requests and claims.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The platform fee on pod prices can never exceed 10%.
    uint16 public constant MAX_FEE_BPS = RunMarketLib.MAX_FEE_BPS;
    /// @notice The most stages a task may have.
    uint256 public constant MAX_STAGES = 16;
    /// @notice The shortest claim window.
    uint32 public constant MIN_CLAIM_WINDOW = RunMarketLib.MIN_CLAIM_WINDOW;

    uint256 private constant BPS_DENOMINATOR = 10_000;
    address private constant NATIVE = address(0);

    /// @notice The PodRegistry whose pods are run.
    address public immutable registry;
    /// @notice The PodLicenses that says who may run a pod.
    address public immutable licenses;
    /// @notice The PodKeyGrants that says which runners may run a private pod's version.
    address public immutable keyGrants;

    RunMarketLib.Layout private _s;

    /**
     * @notice Deploys the market with its roles on distinct accounts.
     * @param registry_ The PodRegistry.
     * @param licenses_ The PodLicenses.
     * @param keyGrants_ The PodKeyGrants.
     * @param adminDelay The delay of a default admin transfer.
     * @param admin The default admin (grants and revokes roles).
     * @param governor Receives GOVERNOR_ROLE.
     * @param pauser Receives PAUSER_ROLE.
     * @param settings_ The initial settings.
     */
    constructor(
        address registry_,
        address licenses_,
        address keyGrants_,
        uint48 adminDelay,
        address admin,
        address governor,
        address pauser,
        Settings memory settings_
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (
            registry_ == address(0) || licenses_ == address(0) || keyGrants_ == address(0) || governor == address(0) || pauser == address(0)
        ) {
            revert RunMarketZeroAddress();
        }
        registry = registry_;
        licenses = licenses_;
        keyGrants = keyGrants_;
        _grantRole(GOVERNOR_ROLE, governor);
        _grantRole(PAUSER_ROLE, pauser);
        RunMarketLib.setSettings(_s, settings_);
    }

    // ---------------------------------------------------------------- runners (RunMarketLib)

    /// @inheritdoc IRunMarket
    function registerRunner(
        bytes32 publicKey,
        address[] calldata tokens,
        uint256[] calldata fees
    ) external payable returns (uint32 id) {
        _requireNotPaused();
        return RunMarketLib.registerRunner(_s, publicKey, tokens, fees, msg.value);
    }

    /// @inheritdoc IRunMarket
    function setRunnerFee(address token, uint256 fee, bool accepted) external {
        RunMarketLib.setRunnerFee(_s, token, fee, accepted);
    }

    /// @inheritdoc IRunMarket
    function setRunnerKey(bytes32 publicKey) external {
        RunMarketLib.setRunnerKey(_s, publicKey);
    }

    /// @inheritdoc IRunMarket
    function setRunnerPaused(bool paused_) external {
        RunMarketLib.setRunnerPaused(_s, paused_);
    }

    /// @inheritdoc IRunMarket
    function addBond() external payable {
        RunMarketLib.addBond(_s, msg.value);
    }

    /// @inheritdoc IRunMarket
    function requestUnregister() external {
        RunMarketLib.requestUnregister(_s);
    }

    /// @inheritdoc IRunMarket
    function withdrawBond() external returns (uint256 bond) {
        return RunMarketLib.withdrawBond(_s);
    }

    // ---------------------------------------------------------------- requests

    /// @inheritdoc IRunMarket
    function setRunPrice(uint256 podId, address token, uint256 price) external {
        RunMarketLib.setRunPrice(_s, registry, podId, token, price);
    }

    /// @inheritdoc IRunMarket
    function requestRun(
        uint256 podId,
        uint64 version,
        bytes32 inputRef,
        address token,
        uint256 maxPayment,
        uint40 deadline,
        address runner_
    ) external payable nonReentrant returns (uint256 runId) {
        RunMarketLib.NewRun memory request = RunMarketLib.NewRun({
            deadline: deadline,
            runner: runner_,
            token: token,
            escrow: 0,
            podPrice: 0,
            podId: podId,
            stageCount: 1,
            feeBps: 0,
            privateStages: false,
            privateVersion: 0
        });
        bool private_;
        (version, request.podPrice, private_) = _checkStage(podId, version, token, runner_);
        if (private_) {
            request.privateStages = true;
            request.privateVersion = version;
        }
        request.escrow = _escrowFor(request.podPrice, 1, token, maxPayment, runner_);
        runId = _newRun(request);
        emit RunRequested(
            runId,
            msg.sender,
            runner_,
            podId,
            version,
            inputRef,
            token,
            request.escrow,
            request.podPrice,
            request.feeBps,
            deadline
        );
        _collect(token, request.escrow);
    }

    /// @inheritdoc IRunMarket
    function requestTask(
        Stage[] calldata stages,
        bytes32 inputRef,
        address token,
        uint256 maxPayment,
        uint40 deadline,
        address runner_
    ) external payable nonReentrant returns (uint256 runId) {
        uint256 count = stages.length;
        if (count == 0 || count > MAX_STAGES) revert RunMarketBadStageCount(count);
        RunMarketLib.NewRun memory request = RunMarketLib.NewRun({
            deadline: deadline,
            runner: runner_,
            token: token,
            escrow: 0,
            podPrice: 0,
            podId: stages[0].podId,
            // count <= MAX_STAGES fits uint8.
            stageCount: uint8(count),
            feeBps: 0,
            privateStages: false,
            privateVersion: 0
        });
        // The id `_newRun` will take: stages are stored and announced first, the run after.
        runId = uint256(_s.config.runCount) + 1;
        for (uint256 i = 0; i < count; ++i) request.podPrice += _addStage(runId, i, stages[i], request);
        request.escrow = _escrowFor(request.podPrice, count, token, maxPayment, runner_);
        _newRun(request);
        emit TaskRequested(runId, msg.sender, runner_, request.stageCount, inputRef, token, request.escrow, request.podPrice, request.feeBps, deadline);
        _collect(token, request.escrow);
    }

    // ---------------------------------------------------------------- runner's side of a run

    /// @inheritdoc IRunMarket
    function claim(uint256 runId) external {
        RunMarketLib.StoredRun storage run_ = _s.runs[runId];
        RunStatus status = run_.status;
        bool lapsed;
        if (status == RunStatus.Claimed) {
            if (run_.claimedUntil > block.timestamp) revert RunMarketClaimActive(runId, run_.claimedUntil);
            lapsed = true;
        } else if (status != RunStatus.Requested) {
            revert RunMarketWrongStatus(runId, status);
        }
        if (block.timestamp >= run_.deadline) revert RunMarketDeadlinePassed(runId, run_.deadline);
        // First, so that a runner re-claiming its own lapsed claim is slashed before its bond is checked.
        if (lapsed) RunMarketLib.releaseLapsed(_s, runId, run_);

        (uint32 id, uint96 fee) = _activeFee(msg.sender, run_.tokenId);
        RunMarketLib.StoredRunner storage runner_ = _s.runners[msg.sender];
        uint96 minBond = _s.bonds.minBond;
        if (runner_.bond < minBond) revert RunMarketBondTooLow(runner_.bond, minBond);
        if (run_.named && run_.runnerId != id) revert RunMarketNotNamedRunner(runId, msg.sender);
        // A private pod's run names its runner; its grant may have been revoked since the request.
        if (run_.privateStages) RunMarketLib.requireGrants(_s, keyGrants, runId, msg.sender);

        // What is left for the runner per stage still to run.
        uint256 budget = (run_.escrow - run_.podPrice) / (run_.stageCount - run_.nextStage);
        if (fee > budget) revert RunMarketFeeAboveBudget(runId, fee, budget);

        RunMarketLib.Config storage config = _s.config;
        // The pause shares the slot of the claim window.
        if (config.paused) revert EnforcedPause();
        uint40 until = uint40(block.timestamp) + config.claimWindow;
        run_.status = RunStatus.Claimed;
        run_.claimedUntil = until;
        run_.runnerId = id;
        run_.runnerFee = fee;
        runner_.openClaims += 1;
        emit RunClaimed(runId, msg.sender, fee, until);
    }

    /// @inheritdoc IRunMarket
    function complete(uint256 runId, bytes32 outputRef, bytes32 logRef) external {
        uint8 count = _s.runs[runId].stageCount;
        // An unknown run (count 0) is refused by the status check.
        _completeStage(runId, count == 0 ? 0 : count - 1, outputRef, logRef);
    }

    /// @inheritdoc IRunMarket
    function completeStage(uint256 runId, uint8 stage, bytes32 outputRef, bytes32 logRef) external {
        _completeStage(runId, stage, outputRef, logRef);
    }

    /// @inheritdoc IRunMarket
    function fail(uint256 runId, FailPhase phase, bytes32 logRef) external {
        RunMarketLib.failStage(_s, runId, _s.runs[runId].nextStage, phase, logRef);
    }

    /// @inheritdoc IRunMarket
    function failStage(uint256 runId, uint8 stage, FailPhase phase, bytes32 logRef) external {
        RunMarketLib.failStage(_s, runId, stage, phase, logRef);
    }

    // ---------------------------------------------------------------- other endings (RunMarketLib)

    /// @inheritdoc IRunMarket
    function expire(uint256 runId) external {
        RunMarketLib.expire(_s, runId);
    }

    /// @inheritdoc IRunMarket
    function cancel(uint256 runId) external {
        RunMarketLib.cancel(_s, runId);
    }



    /// @inheritdoc IRunMarket
    function withdraw(address token) external nonReentrant returns (uint256 amount) {
        return RunMarketLib.withdraw(_s, token, msg.sender);
    }

    /// @inheritdoc IRunMarket
    function withdrawTo(address token, address recipient) external nonReentrant returns (uint256 amount) {
        if (recipient == address(0)) revert RunMarketZeroAddress();
        return RunMarketLib.withdraw(_s, token, recipient);
    }

    // ---------------------------------------------------------------- governance

    /**
     * @notice Replaces the settings. A new fee applies to runs requested after it; a new claim window
     * to claims made after it; a new minimum bond to registrations and claims; a new slash amount to
     * lapses released after it; a new unbonding delay to requests to leave made after it.
     * GOVERNOR_ROLE only (the timelock on real networks).
     * @param settings_ The settings.
     */
    function setSettings(Settings calldata settings_) external onlyRole(GOVERNOR_ROLE) {
        RunMarketLib.setSettings(_s, settings_);
    }

    /**
     * @notice Adds or removes an ERC-20 from the allow-list. A removed token can no longer be priced,
     * accepted or paid with; runs already paid in it settle and credits in it can be withdrawn.
     * GOVERNOR_ROLE only.
     * @param token The ERC-20 (non-zero).
     * @param allowed True to allow it.
     */
    function setTokenAllowed(address token, bool allowed) external onlyRole(GOVERNOR_ROLE) {
        RunMarketLib.setTokenAllowed(_s, token, allowed);
    }


    /// @notice Stops registrations, requests and claims; settlement, expiry, cancellation and withdrawals go on. PAUSER_ROLE only.
    function pause() external onlyRole(PAUSER_ROLE) {
        _requireNotPaused();
        _s.config.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Resumes registrations, requests and claims. PAUSER_ROLE only.
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_s.config.paused) revert ExpectedPause();
        _s.config.paused = false;
        emit Unpaused(msg.sender);
    }

    /**
     * @notice Whether registrations, requests and claims are stopped.
     * @return True when paused.
     */
    function paused() external view returns (bool) {
        return _s.config.paused;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRunMarket
    function creditOf(address account, address token) external view returns (uint256) {
        return _s.credits[token][account];
    }


    /// @inheritdoc IRunMarket
    function run(uint256 runId) external view returns (Run memory) {
        return RunMarketLib.runView(_s, runId);
    }

    /// @inheritdoc IRunMarket
    function runnerInfo(address account) external view returns (RunnerInfo memory) {
        return RunMarketLib.runnerView(_s, account);
    }

    /// @inheritdoc IRunMarket
    function runnerFee(address account, address token) external view returns (uint256 fee, bool accepted) {
        uint32 id = _s.runners[account].id;
        if (id == 0) return (0, false);
        RunMarketLib.StoredFee memory stored = _s.fees[id][token];
        return (stored.fee, stored.accepted);
    }

    /**
     * @notice The settings in force.
     * @return The settings.
     */
    function settings() external view returns (Settings memory) {
        return RunMarketLib.settingsView(_s);
    }

    /// @inheritdoc IRunMarket
    function stageOf(uint256 runId, uint8 stage) external view returns (uint256 podId, uint256 podPrice) {
        RunMarketLib.StoredRun storage run_ = _s.runs[runId];
        if (stage >= run_.stageCount) return (0, 0);
        return _stage(runId, run_, stage);
    }



    /// @inheritdoc IRunMarket
    function runPrice(uint256 podId) external view returns (address token, uint256 price) {
        RunMarketLib.StoredPrice memory stored = _s.prices[podId];
        return (stored.token, stored.price);
    }


    /**
     * @notice How many runs were requested (the last run id).
     * @return The count.
     */
    function runCount() external view returns (uint256) {
        return _s.config.runCount;
    }

    /**
     * @notice True for the native coin (address(0)) and for allow-listed ERC-20s.
     * @param token The token.
     * @return Whether runs may be priced and paid in it.
     */
    function isTokenAllowed(address token) external view returns (bool) {
        return token == NATIVE || _s.tokens[token].allowed;
    }

    // ---------------------------------------------------------------- internals




    /// @dev A registered, active runner's id and its fee in a token it accepts; reverts otherwise.
    function _activeFee(address account, uint16 tokenId) private view returns (uint32 id, uint96) {
        RunMarketLib.StoredRunner storage runner_ = _s.runners[account];
        id = runner_.id;
        if (id == 0) revert RunMarketNotRunner(account);
        if (runner_.paused || runner_.unbondingAt != 0) revert RunMarketRunnerInactive(account);
        address token = RunMarketLib.tokenAddress(_s, tokenId);
        RunMarketLib.StoredFee memory fee = _s.fees[id][token];
        if (!fee.accepted) revert RunMarketTokenNotAccepted(account, token);
        return (id, fee.fee);
    }



    /**
     * @dev Checks one stage for the caller: licensed, version exists (0 -> latest), price in `token`;
     * a private pod's version must be granted to the named runner. Public pods pay one visibility read.
     */
    function _checkStage(uint256 podId, uint64 version, address token, address runner_) private view returns (uint64, uint256 podPrice, bool private_) {
        if (!IPodLicenses(licenses).hasLicense(msg.sender, podId)) revert RunMarketNotLicensed(podId, msg.sender);
        (uint64 latest, ) = IPodRegistry(registry).latestVersion(podId);
        if (version == 0) {
            version = latest;
        } else if (version > latest) {
            revert RunMarketVersionNotFound(podId, version, latest);
        }
        if (IPodRegistry(registry).visibilityOf(podId) == IPodRegistry.Visibility.Private) {
            RunMarketLib.requireGranted(keyGrants, podId, version, runner_);
            private_ = true;
        }
        RunMarketLib.StoredPrice memory price = _s.prices[podId];
        podPrice = price.price;
        if (podPrice != 0 && price.token != token) revert RunMarketWrongToken(podId, price.token, token);
        return (version, podPrice, private_);
    }

    /// @dev Checks, stores and announces stage `i` of task `runId` (i < MAX_STAGES); marks the request when the stage's pod is private.
    function _addStage(uint256 runId, uint256 i, Stage calldata stage, RunMarketLib.NewRun memory request) private returns (uint256 podPrice) {
        uint256 podId = stage.podId;
        (uint64 version, uint256 price, bool private_) = _checkStage(podId, stage.version, request.token, request.runner);
        if (private_) request.privateStages = true;
        // Prices passed the uint96 check of setRunPrice; ids fit 48 bits; i < MAX_STAGES.
        _s.stages[runId][i] = RunMarketLib.StoredStage({podId: uint48(podId), podPrice: uint96(price), privateVersion: private_ ? version : 0});
        emit StageRequested(runId, uint8(i), podId, version, price);
        return price;
    }

    /// @dev The escrow of a request: exact for a named runner, `maxPayment` for any runner.
    function _escrowFor(
        uint256 podPrice,
        uint256 stageCount,
        address token,
        uint256 maxPayment,
        address runner_
    ) private view returns (uint256 escrow) {
        if (runner_ == address(0)) {
            escrow = maxPayment;
            if (podPrice > maxPayment) revert RunMarketPaymentAboveMax(podPrice, maxPayment);
        } else {
            (, uint96 fee) = _activeFee(runner_, RunMarketLib.tokenId(_s, token));
            escrow = podPrice + uint256(fee) * stageCount;
            if (escrow > maxPayment) revert RunMarketPaymentAboveMax(escrow, maxPayment);
        }
        if (escrow > type(uint96).max) revert RunMarketAmountTooLarge(escrow);
    }

    /// @dev Stores a new run (effects only), sets `request.feeBps` to the fee it snapshots and returns its id.
    function _newRun(RunMarketLib.NewRun memory request) private returns (uint256 runId) {
        if (request.deadline <= block.timestamp) revert RunMarketDeadlineNotInFuture(request.deadline);
        RunMarketLib.Config storage config = _s.config;
        uint16 feeBps_ = config.feeBps;
        request.feeBps = feeBps_;
        if (config.paused) revert EnforcedPause();
        runId = ++config.runCount;
        address runner_ = request.runner;
        // escrow was checked against uint96 and podPrice <= escrow; ids fit 48 bits.
        _s.runs[runId] = RunMarketLib.StoredRun({
            requester: msg.sender,
            deadline: request.deadline,
            claimedUntil: 0,
            status: RunStatus.Requested,
            escrow: uint96(request.escrow),
            podPrice: uint96(request.podPrice),
            podId: uint48(request.podId),
            tokenId: RunMarketLib.tokenId(_s, request.token),
            runnerFee: 0,
            runnerId: runner_ == address(0) ? 0 : _s.runners[runner_].id,
            feeBps: feeBps_,
            stageCount: request.stageCount,
            nextStage: 0,
            named: runner_ != address(0),
            privateStages: request.privateStages,
            privateVersion: request.privateVersion
        });
    }

    function _requireNotPaused() private view {
        if (_s.config.paused) revert EnforcedPause();
    }

    /// @dev Takes exactly `amount` from the caller into the market, or reverts.
    function _collect(address token, uint256 amount) private {
        if (token == NATIVE) {
            if (msg.value != amount) revert RunMarketWrongPayment(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert RunMarketUnexpectedNativePayment(msg.value);
        if (amount == 0) return;
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert RunMarketFeeOnTransferToken(token, amount, received);
    }

    function _stage(uint256 runId, RunMarketLib.StoredRun storage run_, uint8 stage) private view returns (uint256 podId, uint256 podPrice) {
        if (run_.stageCount == 1) return (run_.podId, run_.podPrice);
        RunMarketLib.StoredStage memory stored = _s.stages[runId][stage];
        return (stored.podId, stored.podPrice);
    }

    function _completeStage(uint256 runId, uint8 stage, bytes32 outputRef, bytes32 logRef) private {
        RunMarketLib.StoredRun storage run_ = _s.runs[runId];
        RunMarketLib.checkClaimant(_s, runId, run_, stage);
        (uint256 podId, uint256 podPrice) = _stage(runId, run_, stage);
        address token = RunMarketLib.tokenAddress(_s, run_.tokenId);
        uint256 fee = (podPrice * run_.feeBps) / BPS_DENOMINATOR;
        uint256 runnerFee_ = run_.runnerFee;
        // A stage's pod price and runner fee are in escrow: the claim checked the budget.
        run_.escrow -= uint96(podPrice + runnerFee_);
        run_.podPrice -= uint96(podPrice);
        address podOwner = IERC721(registry).ownerOf(podId);
        address feeRecipient = _s.config.feeRecipient;
        if (podPrice != 0) {
            _s.credits[token][podOwner] += podPrice - fee;
            if (fee != 0) _s.credits[token][feeRecipient] += fee;
        }
        if (runnerFee_ != 0) _s.credits[token][msg.sender] += runnerFee_;
        emit StageCompleted(runId, stage, msg.sender, podId, outputRef, logRef, podOwner, podPrice - fee, fee, feeRecipient, runnerFee_);

        if (stage + 1 == run_.stageCount) {
            run_.status = RunStatus.Completed;
            _s.runners[msg.sender].openClaims -= 1;
            uint256 refund = RunMarketLib.refundAll(_s, run_);
            emit RunCompleted(runId, run_.requester, msg.sender, refund);
        } else {
            run_.nextStage = stage + 1;
            run_.claimedUntil = uint40(block.timestamp) + _s.config.claimWindow;
        }
    }
}
