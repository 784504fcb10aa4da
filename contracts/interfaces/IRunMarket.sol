// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IRunMarket
 * @notice Runs of pods paid in escrow. Runners register with a native-coin bond, an X25519 public key
 * and a per-run fee in each token they accept. A licence holder of a pod requests a run (or a task: a
 * chain of stages, each a pod version, on one runner); the pod's per-run price and the runner's fee
 * are escrowed; one runner claims it and settles it on chain. Every amount leaves as a credit that its
 * payee withdraws (pull payments); nothing is pushed.
 * @dev A run is a task of one stage: `requestRun`/`complete`/`fail` are `requestTask`/
 * `completeStage`/`failStage` for stage 0. Run ids start at 1. The pinned version and the input
 * reference live in the request events only (the chain never needs them again).
 */
interface IRunMarket {
    /// @notice The states of a run. `None` is an unknown id.
    enum RunStatus {
        None,
        Requested,
        Claimed,
        Completed,
        Failed,
        Expired,
        Cancelled
    }

    /**
     * @notice Where a run failed. FetchPod, ResolvePayload, Provision and UploadOutput are the
     * runner's (infrastructure) failures: the requester gets the stage back in full. Execute (a
     * non-zero exit), Timeout (the pod's own timeout) and OutputTooLarge are the pod's: the runner is
     * paid its fee for the stage and the pod price is refunded.
     */
    enum FailPhase {
        FetchPod,
        ResolvePayload,
        Provision,
        Execute,
        Timeout,
        OutputTooLarge,
        UploadOutput
    }

    /// @notice One stage of a task as requested: a pod and its version (0 = latest, pinned at request).
    struct Stage {
        uint256 podId;
        uint64 version;
    }

    /// @notice Governance-set parameters, as passed to the constructor and returned by `settings()`.
    struct Settings {
        address feeRecipient; // credited the platform fee on every pod price paid
        uint16 feeBps; // platform fee on pod prices, at most MAX_FEE_BPS; fixed per run at request
        uint32 claimWindow; // seconds a runner has, after claiming or after each stage report, before its claim lapses
        uint32 unbondingDelay; // seconds between `requestUnregister` and `withdrawBond`
        uint96 minBond; // the bond a runner needs to register and to claim
        uint96 slashAmount; // taken from a runner's bond (capped by it) for every claim it let lapse
    }

    /// @notice A run as `run()` returns it. Amounts are what is left in escrow.
    struct Run {
        address requester;
        RunStatus status;
        uint40 deadline; // no claim or report at or after it
        uint40 claimedUntil; // the current claim lapses at this time (0 before any claim)
        address token; // address(0) = native coin
        uint96 escrow; // still held for this run
        uint96 podPrice; // pod prices of the stages not paid yet
        uint96 runnerFee; // per stage, fixed at claim (0 before any claim)
        uint16 feeBps; // platform fee on pod prices, fixed at request
        uint256 podId; // the (first) stage's pod
        address runner; // the named runner before a claim (or 0 = any), then the claiming runner
        bool named; // only `runner` may claim
        uint8 stageCount;
        uint8 nextStage; // the stage to report next
    }

    /// @notice A runner as `runnerInfo()` returns it.
    struct RunnerInfo {
        uint32 id; // 0 = not registered
        uint96 bond;
        uint32 openClaims;
        uint40 unbondingAt; // 0 = active; else when the bond may be withdrawn
        bool paused;
        bytes32 publicKey; // X25519
    }

    // ------------------------------------------------------------------ runner events

    /**
     * @notice A runner registered.
     * @param runner The runner's account.
     * @param id Its runner id (runs store it).
     * @param bond The bond deposited.
     * @param publicKey Its X25519 public key.
     */
    event RunnerRegistered(address indexed runner, uint32 indexed id, uint256 bond, bytes32 publicKey);

    /**
     * @notice A runner set its fee in a token, or stopped accepting the token.
     * @param runner The runner.
     * @param token The token (address(0) = native coin).
     * @param fee The fee per run (per stage of a task).
     * @param accepted False when the runner no longer takes runs paid in this token.
     */
    event RunnerFeeSet(address indexed runner, address indexed token, uint256 fee, bool accepted);

    /**
     * @notice A runner changed its X25519 public key.
     * @param runner The runner.
     * @param publicKey The new key.
     */
    event RunnerKeySet(address indexed runner, bytes32 publicKey);

    /**
     * @notice A runner paused or resumed itself (a paused runner cannot claim nor be named).
     * @param runner The runner.
     * @param paused True when paused.
     */
    event RunnerPaused(address indexed runner, bool paused);

    /**
     * @notice A runner added to its bond.
     * @param runner The runner.
     * @param amount The amount added.
     * @param bond The bond now.
     */
    event BondAdded(address indexed runner, uint256 amount, uint256 bond);

    /**
     * @notice A runner asked to leave; it can no longer claim nor be named.
     * @param runner The runner.
     * @param withdrawableAt When `withdrawBond` may be called (with no open claim).
     */
    event RunnerUnbonding(address indexed runner, uint40 withdrawableAt);

    /**
     * @notice A runner left; its bond was credited to it in the native coin.
     * @param runner The runner.
     * @param id Its former id.
     * @param bond The amount credited.
     */
    event RunnerUnregistered(address indexed runner, uint32 indexed id, uint256 bond);

    // ------------------------------------------------------------------ run events

    /**
     * @notice A pod's owner set its per-run price.
     * @param podId The pod.
     * @param owner The pod's owner.
     * @param token The token the price is in (ignored when the price is 0).
     * @param price The price per run (0 = free, in any token).
     */
    event RunPriceSet(uint256 indexed podId, address indexed owner, address indexed token, uint256 price);

    /**
     * @notice A run of one pod was requested and its escrow taken.
     * @param runId The run.
     * @param requester The licence holder who pays.
     * @param runner The named runner, or address(0) for any runner.
     * @param podId The pod.
     * @param version The pinned version.
     * @param inputRef The Swarm reference of the input (0 = none).
     * @param token The payment token.
     * @param escrow The amount escrowed.
     * @param podPrice The pod's per-run price.
     * @param feeBps The platform fee on the pod price.
     * @param deadline No claim or report at or after it.
     */
    event RunRequested(
        uint256 indexed runId,
        address indexed requester,
        address indexed runner,
        uint256 podId,
        uint64 version,
        bytes32 inputRef,
        address token,
        uint256 escrow,
        uint256 podPrice,
        uint16 feeBps,
        uint40 deadline
    );

    /**
     * @notice A task (stages run in order on one runner) was requested and its escrow taken. One
     * StageRequested per stage precedes it.
     * @param runId The run.
     * @param requester The licence holder of every stage's pod, who pays.
     * @param runner The named runner, or address(0) for any runner.
     * @param stageCount The number of stages.
     * @param inputRef The Swarm reference of the first stage's input (0 = none).
     * @param token The payment token.
     * @param escrow The amount escrowed.
     * @param podPrice The sum of the stages' pod prices.
     * @param feeBps The platform fee on the pod prices.
     * @param deadline No claim or report at or after it.
     */
    event TaskRequested(
        uint256 indexed runId,
        address indexed requester,
        address indexed runner,
        uint8 stageCount,
        bytes32 inputRef,
        address token,
        uint256 escrow,
        uint256 podPrice,
        uint16 feeBps,
        uint40 deadline
    );

    /**
     * @notice One stage of a requested task (emitted before its TaskRequested).
     * @param runId The run.
     * @param stage The stage index, from 0.
     * @param podId The stage's pod.
     * @param version The pinned version.
     * @param podPrice The stage's pod price.
     */
    event StageRequested(uint256 indexed runId, uint8 stage, uint256 indexed podId, uint64 version, uint256 podPrice);

    /**
     * @notice A runner claimed a run (first claim, or a re-claim after a lapse).
     * @param runId The run.
     * @param runner The runner.
     * @param runnerFee Its fee per stage, fixed now.
     * @param claimedUntil When the claim lapses unless a stage is reported.
     */
    event RunClaimed(uint256 indexed runId, address indexed runner, uint256 runnerFee, uint40 claimedUntil);

    /**
     * @notice A lapsed claim was released (by a re-claim or by `expire`); part of the runner's bond
     * went to the requester.
     * @param runId The run.
     * @param runner The runner whose claim lapsed.
     * @param requester Credited the slashed amount in the native coin.
     * @param slashed The amount taken from the bond.
     */
    event ClaimLapsed(uint256 indexed runId, address indexed runner, address indexed requester, uint256 slashed);

    /**
     * @notice A stage completed and was paid. podProceeds + fee == the stage's pod price.
     * @param runId The run.
     * @param stage The stage index (0 for a run).
     * @param runner The runner, credited `runnerFee`.
     * @param podId The stage's pod.
     * @param outputRef The Swarm reference of its output.
     * @param logRef The Swarm reference of its logs.
     * @param podOwner The pod's owner now, credited `podProceeds`.
     * @param podProceeds The pod price minus the platform fee.
     * @param fee The platform fee, credited to `feeRecipient`.
     * @param feeRecipient The fee recipient.
     * @param runnerFee The runner's fee for the stage.
     */
    event StageCompleted(
        uint256 indexed runId,
        uint8 stage,
        address indexed runner,
        uint256 indexed podId,
        bytes32 outputRef,
        bytes32 logRef,
        address podOwner,
        uint256 podProceeds,
        uint256 fee,
        address feeRecipient,
        uint256 runnerFee
    );

    /**
     * @notice The last stage completed: the run is COMPLETED and what was left in escrow refunded.
     * @param runId The run.
     * @param requester Credited `refund`.
     * @param runner The runner.
     * @param refund The amount refunded.
     */
    event RunCompleted(uint256 indexed runId, address indexed requester, address indexed runner, uint256 refund);

    /**
     * @notice A stage failed: the run is FAILED; stages not run are refunded.
     * @param runId The run.
     * @param requester Credited `refund`.
     * @param runner The runner, credited `runnerPaid`.
     * @param stage The failed stage.
     * @param phase Where it failed.
     * @param logRef The Swarm reference of its logs (0 = none).
     * @param runnerPaid The runner's fee for the stage when the pod failed (0 for an infrastructure phase).
     * @param refund The amount refunded.
     */
    event RunFailed(
        uint256 indexed runId,
        address indexed requester,
        address indexed runner,
        uint8 stage,
        FailPhase phase,
        bytes32 logRef,
        uint256 runnerPaid,
        uint256 refund
    );

    /**
     * @notice A run expired (deadline passed or claim lapsed): what was left in escrow was refunded.
     * @param runId The run.
     * @param requester Credited `refund`.
     * @param runner The runner that held the claim (0 when unclaimed).
     * @param caller Who called `expire`.
     * @param refund The amount refunded.
     */
    event RunExpired(uint256 indexed runId, address indexed requester, address indexed runner, address caller, uint256 refund);

    /**
     * @notice The requester cancelled an unclaimed run: the escrow was refunded.
     * @param runId The run.
     * @param requester Credited `refund`.
     * @param refund The amount refunded.
     */
    event RunCancelled(uint256 indexed runId, address indexed requester, uint256 refund);

    /**
     * @notice A payee withdrew its credit.
     * @param account The payee whose credit was paid out.
     * @param token The token.
     * @param recipient Where it was sent (the payee itself for `withdraw`).
     * @param amount The amount.
     */
    event Withdrawn(address indexed account, address indexed token, address indexed recipient, uint256 amount);

    // ------------------------------------------------------------------ governance events

    /**
     * @notice The governance-set parameters changed (all of them are in the event).
     * @param settings The parameters now in force.
     */
    event SettingsChanged(Settings settings);

    /**
     * @notice An ERC-20 was added to or removed from the allow-list.
     * @param token The token.
     * @param allowed True when runs may be paid in it.
     */
    event TokenAllowed(address indexed token, bool allowed);

    /**
     * @notice The pauser stopped registrations, requests and claims (OpenZeppelin Pausable's event).
     * @param account The pauser.
     */
    event Paused(address account);

    /**
     * @notice The pauser resumed registrations, requests and claims (OpenZeppelin Pausable's event).
     * @param account The pauser.
     */
    event Unpaused(address account);

    // ------------------------------------------------------------------ errors

    /// @notice Registrations, requests and claims are paused (OpenZeppelin Pausable's error).
    error EnforcedPause();
    /// @notice The market is not paused (OpenZeppelin Pausable's error).
    error ExpectedPause();

    /// @notice A required address was zero.
    error RunMarketZeroAddress();
    /**
     * @notice Settings out of bounds: a fee above MAX_FEE_BPS, a claim window below MIN_CLAIM_WINDOW
     * or a slash amount above the minimum bond.
     * @param settings The settings refused.
     */
    error RunMarketBadSettings(Settings settings);
    /**
     * @notice The token and fee lists differ in length.
     * @param tokens The number of tokens.
     * @param fees The number of fees.
     */
    error RunMarketLengthMismatch(uint256 tokens, uint256 fees);
    /**
     * @notice The caller does not own the pod.
     * @param podId The pod.
     * @param caller The caller.
     */
    error RunMarketNotPodOwner(uint256 podId, address caller);
    /**
     * @notice The caller holds no licence of the pod (and does not own it).
     * @param podId The pod.
     * @param account The caller.
     */
    error RunMarketNotLicensed(uint256 podId, address account);
    /**
     * @notice The pod has no such version.
     * @param podId The pod.
     * @param version The version asked for.
     * @param latest The pod's latest version.
     */
    error RunMarketVersionNotFound(uint256 podId, uint64 version, uint64 latest);
    /**
     * @notice A run of a private pod must name a runner holding a key grant for the version (PodKeyGrants);
     * raised at request, and at claim when the grant was revoked since.
     * @param podId The pod.
     * @param version The version.
     * @param runner The runner named (address(0) when the request named none).
     */
    error RunMarketRunnerNotGranted(uint256 podId, uint64 version, address runner);
    /**
     * @notice The ERC-20 is not allow-listed.
     * @param token The token.
     */
    error RunMarketTokenNotAllowed(address token);
    /**
     * @notice The pod's run price is in another token.
     * @param podId The pod.
     * @param expected The token of its run price.
     * @param given The requester's token.
     */
    error RunMarketWrongToken(uint256 podId, address expected, address given);
    /**
     * @notice The payment is above the requester's maximum.
     * @param payment The payment required.
     * @param maxPayment The maximum.
     */
    error RunMarketPaymentAboveMax(uint256 payment, uint256 maxPayment);
    /**
     * @notice An amount does not fit uint96.
     * @param amount The amount.
     */
    error RunMarketAmountTooLarge(uint256 amount);
    /**
     * @notice msg.value differs from the native amount due.
     * @param expected The amount due.
     * @param sent msg.value.
     */
    error RunMarketWrongPayment(uint256 expected, uint256 sent);
    /**
     * @notice Native coin was sent where none is due.
     * @param sent msg.value.
     */
    error RunMarketUnexpectedNativePayment(uint256 sent);
    /**
     * @notice The token moved another amount than asked (fee-on-transfer or rebasing tokens).
     * @param token The token.
     * @param expected The amount.
     * @param received What the contract's balance grew by.
     */
    error RunMarketFeeOnTransferToken(address token, uint256 expected, uint256 received);
    /**
     * @notice The deadline is not in the future.
     * @param deadline The deadline given.
     */
    error RunMarketDeadlineNotInFuture(uint40 deadline);
    /**
     * @notice A task needs 1 to MAX_STAGES stages.
     * @param count The number given.
     */
    error RunMarketBadStageCount(uint256 count);
    /**
     * @notice The account is not a registered runner.
     * @param account The account.
     */
    error RunMarketNotRunner(address account);
    /**
     * @notice The account is already a registered runner.
     * @param account The account.
     */
    error RunMarketAlreadyRunner(address account);
    /**
     * @notice The runner is paused or leaving.
     * @param runner The runner.
     */
    error RunMarketRunnerInactive(address runner);
    /**
     * @notice The runner does not take runs paid in the token.
     * @param runner The runner.
     * @param token The token.
     */
    error RunMarketTokenNotAccepted(address runner, address token);
    /**
     * @notice The bond is below the minimum.
     * @param bond The bond.
     * @param minBond The minimum.
     */
    error RunMarketBondTooLow(uint256 bond, uint256 minBond);
    /**
     * @notice The X25519 public key is zero.
     */
    error RunMarketZeroKey();
    /**
     * @notice The run does not exist or is not in a state that allows this.
     * @param runId The run.
     * @param status Its status.
     */
    error RunMarketWrongStatus(uint256 runId, RunStatus status);
    /**
     * @notice The run is claimed and its claim has not lapsed.
     * @param runId The run.
     * @param claimedUntil When the claim lapses.
     */
    error RunMarketClaimActive(uint256 runId, uint40 claimedUntil);
    /**
     * @notice The run names another runner.
     * @param runId The run.
     * @param runner The caller.
     */
    error RunMarketNotNamedRunner(uint256 runId, address runner);
    /**
     * @notice The runner's fee does not fit in what the requester escrowed.
     * @param runId The run.
     * @param fee The runner's fee per stage.
     * @param budget What is left per stage for the runner.
     */
    error RunMarketFeeAboveBudget(uint256 runId, uint256 fee, uint256 budget);
    /**
     * @notice The run's deadline has passed.
     * @param runId The run.
     * @param deadline The deadline.
     */
    error RunMarketDeadlinePassed(uint256 runId, uint40 deadline);
    /**
     * @notice The caller does not hold the run's claim.
     * @param runId The run.
     * @param caller The caller.
     */
    error RunMarketNotClaimant(uint256 runId, address caller);
    /**
     * @notice The caller's claim lapsed.
     * @param runId The run.
     * @param claimedUntil When it lapsed.
     */
    error RunMarketClaimLapsed(uint256 runId, uint40 claimedUntil);
    /**
     * @notice Another stage is due.
     * @param runId The run.
     * @param expected The stage to report.
     * @param given The stage reported.
     */
    error RunMarketWrongStage(uint256 runId, uint8 expected, uint8 given);
    /**
     * @notice Only the requester may do this.
     * @param runId The run.
     * @param caller The caller.
     */
    error RunMarketNotRequester(uint256 runId, address caller);
    /**
     * @notice The run can not be expired yet.
     * @param runId The run.
     */
    error RunMarketNotExpirable(uint256 runId);
    /**
     * @notice The runner has not asked to leave.
     * @param runner The runner.
     */
    error RunMarketNotUnbonding(address runner);
    /**
     * @notice The runner asked to leave already.
     * @param runner The runner.
     */
    error RunMarketAlreadyUnbonding(address runner);
    /**
     * @notice The unbonding delay has not passed.
     * @param withdrawableAt When it will have.
     */
    error RunMarketUnbondingNotOver(uint40 withdrawableAt);
    /**
     * @notice The runner still holds claims.
     * @param runner The runner.
     * @param openClaims How many.
     */
    error RunMarketOpenClaims(address runner, uint32 openClaims);
    /**
     * @notice The payee has no credit in the token.
     * @param account The payee.
     * @param token The token.
     */
    error RunMarketNothingToWithdraw(address account, address token);
    /**
     * @notice Sending the native coin failed.
     * @param recipient The recipient.
     * @param amount The amount.
     */
    error RunMarketNativeTransferFailed(address recipient, uint256 amount);

    // ------------------------------------------------------------------ runners

    /**
     * @notice Registers the caller as a runner; msg.value is its bond (at least `minBond`).
     * @param publicKey Its X25519 public key (non-zero), for pods encrypted to it.
     * @param tokens Tokens it accepts (address(0) = native coin; ERC-20s must be allow-listed).
     * @param fees Its fee per run (per stage of a task) in each of `tokens`.
     * @return id Its runner id.
     */
    function registerRunner(bytes32 publicKey, address[] calldata tokens, uint256[] calldata fees) external payable returns (uint32 id);

    /**
     * @notice Sets the caller's fee in a token, or stops accepting it. Runs claimed already keep their fee.
     * @param token The token (address(0) = native coin).
     * @param fee The fee per run (per stage of a task).
     * @param accepted False to stop taking runs paid in it.
     */
    function setRunnerFee(address token, uint256 fee, bool accepted) external;

    /**
     * @notice Changes the caller's X25519 public key.
     * @param publicKey The new key (non-zero).
     */
    function setRunnerKey(bytes32 publicKey) external;

    /**
     * @notice Pauses or resumes the caller (a paused runner can neither claim nor be named).
     * @param paused True to pause.
     */
    function setRunnerPaused(bool paused) external;

    /// @notice Adds msg.value to the caller's bond.
    function addBond() external payable;

    /// @notice Starts leaving: no more claims; the bond can be withdrawn after `unbondingDelay`.
    function requestUnregister() external;

    /**
     * @notice Ends the caller's registration once the unbonding delay has passed and it holds no
     * claim; its bond is credited to it (withdraw it with `withdraw(address(0))`).
     * @return bond The amount credited.
     */
    function withdrawBond() external returns (uint256 bond);

    // ------------------------------------------------------------------ runs

    /**
     * @notice Sets the per-run price of a pod the caller owns. It applies to runs requested later.
     * @param podId The pod.
     * @param token The token (address(0) = native coin, else an allow-listed ERC-20).
     * @param price The price (0 = free in any token; at most uint96).
     */
    function setRunPrice(uint256 podId, address token, uint256 price) external;

    /**
     * @notice Requests a run of a pod the caller is licensed for and escrows its payment: exactly
     * msg.value for the native coin, else pulled with transferFrom (msg.value must then be 0).
     * A named runner: the pod price plus the runner's current fee. Any runner: `maxPayment`; the
     * claiming runner's fee is fixed at claim and what is left refunded at the end.
     * A private pod's run must name a runner holding a key grant for the version (PodKeyGrants).
     * @param podId The pod.
     * @param version The version (0 = latest, pinned now).
     * @param inputRef The Swarm reference of its input (0 = none).
     * @param token The payment token.
     * @param maxPayment The most the caller pays.
     * @param deadline The run must be claimed and settled before it.
     * @param runner The runner (address(0) = any registered runner).
     * @return runId The run.
     */
    function requestRun(
        uint256 podId,
        uint64 version,
        bytes32 inputRef,
        address token,
        uint256 maxPayment,
        uint40 deadline,
        address runner
    ) external payable returns (uint256 runId);

    /**
     * @notice Requests a task: stages run in order on one runner, each stage's output the next one's
     * external payload. The caller must be licensed for every stage's pod; the escrow covers every
     * stage's pod price and the runner's fee once per stage (see `requestRun`). A task with a
     * private pod must name a runner holding a key grant for that stage's version.
     * @param stages The stages (1 to MAX_STAGES), each a pod and its version (0 = latest).
     * @param inputRef The Swarm reference of the first stage's input (0 = none).
     * @param token The payment token.
     * @param maxPayment The most the caller pays.
     * @param deadline The task must be claimed and settled before it.
     * @param runner The runner (address(0) = any registered runner).
     * @return runId The run.
     */
    function requestTask(
        Stage[] calldata stages,
        bytes32 inputRef,
        address token,
        uint256 maxPayment,
        uint40 deadline,
        address runner
    ) external payable returns (uint256 runId);

    /**
     * @notice Claims a run: a registered, active runner with at least `minBond` (the named one, if
     * any), whose fee fits the escrow. The first claim wins; a lapsed claim can be taken over, and
     * its runner is slashed. A run with private pods needs the runner's key grants for the stages
     * left to be still in force.
     * @param runId The run.
     */
    function claim(uint256 runId) external;

    /**
     * @notice Reports the last stage as done (the only stage of a run): pays it and refunds what is left.
     * @param runId The run.
     * @param outputRef The Swarm reference of the output.
     * @param logRef The Swarm reference of the logs.
     */
    function complete(uint256 runId, bytes32 outputRef, bytes32 logRef) external;

    /**
     * @notice Reports a stage of a task as done and pays it; the last one completes the run. Each
     * report renews the claim for a claim window.
     * @param runId The run.
     * @param stage The stage (the next one due).
     * @param outputRef The Swarm reference of its output.
     * @param logRef The Swarm reference of its logs.
     */
    function completeStage(uint256 runId, uint8 stage, bytes32 outputRef, bytes32 logRef) external;

    /**
     * @notice Reports that the current stage failed; ends the run (see FailPhase for who is paid).
     * @param runId The run.
     * @param phase Where it failed.
     * @param logRef The Swarm reference of the logs (0 = none).
     */
    function fail(uint256 runId, FailPhase phase, bytes32 logRef) external;

    /**
     * @notice Reports that a given stage failed; ends the run and refunds the stages not run.
     * @param runId The run.
     * @param stage The stage (the next one due).
     * @param phase Where it failed.
     * @param logRef The Swarm reference of the logs (0 = none).
     */
    function failStage(uint256 runId, uint8 stage, FailPhase phase, bytes32 logRef) external;

    /**
     * @notice Ends a run whose deadline has passed or whose claim lapsed: what is left in escrow is
     * refunded; a runner whose claim lapsed loses `slashAmount` of its bond to the requester. Anyone.
     * @param runId The run.
     */
    function expire(uint256 runId) external;

    /**
     * @notice The requester ends a run nobody has claimed: the escrow is refunded.
     * @param runId The run.
     */
    function cancel(uint256 runId) external;

    /**
     * @notice Sends the caller everything credited to it in `token`. Works while paused.
     * @param token The token (address(0) = native coin).
     * @return amount What was sent.
     */
    function withdraw(address token) external returns (uint256 amount);

    /**
     * @notice Sends everything credited to the caller in `token` to `recipient`. Works while paused.
     * @param token The token (address(0) = native coin).
     * @param recipient Where to send it.
     * @return amount What was sent.
     */
    function withdrawTo(address token, address recipient) external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    /**
     * @notice What `account` can withdraw in `token`.
     * @param account The payee.
     * @param token The token.
     * @return The credit.
     */
    function creditOf(address account, address token) external view returns (uint256);

    /**
     * @notice A run; `status` is None for an unknown id.
     * @param runId The run.
     * @return The run.
     */
    function run(uint256 runId) external view returns (Run memory);

    /**
     * @notice A stage of a run: its pod and its price (the price is 0 once paid or refunded for a run of one stage).
     * @param runId The run.
     * @param stage The stage index.
     * @return podId The pod.
     * @return podPrice Its pod price as requested.
     */
    function stageOf(uint256 runId, uint8 stage) external view returns (uint256 podId, uint256 podPrice);

    /**
     * @notice A runner; `id` is 0 when not registered (named `runnerInfo` because ethers contracts own `runner`).
     * @param account The runner.
     * @return The runner.
     */
    function runnerInfo(address account) external view returns (RunnerInfo memory);

    /**
     * @notice A runner's fee in a token.
     * @param account The runner.
     * @param token The token.
     * @return fee The fee per run (per stage).
     * @return accepted Whether it takes runs paid in the token.
     */
    function runnerFee(address account, address token) external view returns (uint256 fee, bool accepted);

    /**
     * @notice A pod's per-run price.
     * @param podId The pod.
     * @return token Its token.
     * @return price The price (0 = free in any token).
     */
    function runPrice(uint256 podId) external view returns (address token, uint256 price);
}
