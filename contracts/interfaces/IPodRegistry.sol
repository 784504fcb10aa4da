// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IPodRegistry
 * @notice Compute pods as ERC-721 tokens. A pod is a folder on Swarm; the registry keeps the
 * append-only list of its Swarm manifest references (versions), its visibility, its fork lineage and
 * the royalty rates along that lineage.
 * @dev Events carry everything an indexer needs to rebuild state without calls. Ownership changes
 * are the ERC-721 `Transfer` event. A missing pod is reported with OpenZeppelin's
 * `ERC721NonexistentToken(tokenId)` everywhere.
 */
interface IPodRegistry {
    /// @notice Who may read a pod. Only public pods may be forked.
    enum Visibility {
        Private,
        Public
    }

    /**
     * @notice A pod's record as returned by `pod()`.
     * @dev `revision` counts the changes of what a buyer gets: 1 at publish, +1 for every version and
     * every visibility change. A market compares it with the revision the buyer saw.
     */
    struct Pod {
        string name;
        Visibility visibility;
        uint64 versionCount;
        uint32 revision;
        uint16 royaltyBps; // owed to the parent on every sale of this pod: the parent's forkRoyaltyBps, fixed at publish
        uint16 forkRoyaltyBps; // what forks of this pod will owe it; fixed at publish, >= royaltyBps
        uint64 parentVersion;
        uint256 parentPodId; // 0 for an original pod
        bytes32 latestRef;
        uint64 createdAt;
    }

    /// @notice One published version of a pod.
    struct Version {
        bytes32 manifestRef;
        uint64 publishedAt; // block timestamp
    }

    /**
     * @notice A pod was minted to its creator.
     * @param podId The new token id.
     * @param creator The account that published it, which receives the token; `podIdOf(creator, name)` finds it.
     * @param parentPodId The forked pod, or 0 for an original.
     * @param name The name, unique among the creator's pods and fixed for good.
     * @param manifestRef The Swarm reference of version 1.
     * @param visibility The initial visibility.
     * @param parentVersion The forked version of the parent (0 for an original).
     * @param royaltyBps What this pod owes its parent on each sale (the parent's forkRoyaltyBps).
     * @param forkRoyaltyBps What forks of this pod will owe it.
     */
    event PodPublished(
        uint256 indexed podId,
        address indexed creator,
        uint256 indexed parentPodId,
        string name,
        bytes32 manifestRef,
        Visibility visibility,
        uint64 parentVersion,
        uint16 royaltyBps,
        uint16 forkRoyaltyBps
    );

    /**
     * @notice A version was appended; version 1 is emitted by `publish` as well.
     * @param podId The pod.
     * @param version The new version number (1-based).
     * @param manifestRef Its Swarm reference.
     * @param publisher The owner or operator who published it.
     * @param revision The pod's content revision after this version.
     */
    event VersionPublished(
        uint256 indexed podId,
        uint64 indexed version,
        bytes32 manifestRef,
        address indexed publisher,
        uint32 revision
    );

    /**
     * @notice The pod's visibility changed.
     * @param podId The pod.
     * @param visibility The new visibility.
     * @param actor The owner or operator who changed it.
     * @param revision The pod's content revision after the change.
     */
    event VisibilityChanged(uint256 indexed podId, Visibility visibility, address indexed actor, uint32 revision);

    /// @notice `publish` was given an empty name.
    error PodRegistryEmptyName();

    /**
     * @notice `publish` was given a name longer than the maximum.
     * @param length The name's length in bytes.
     * @param max The longest accepted name.
     */
    error PodRegistryNameTooLong(uint256 length, uint256 max);

    /// @notice A zero Swarm reference was given.
    error PodRegistryZeroManifestRef();

    /**
     * @notice The creator already published a pod with this name.
     * @param creator The caller of `publish`.
     * @param name The name.
     */
    error PodRegistryNameTaken(address creator, string name);

    /**
     * @notice Only public pods may be forked.
     * @param parentPodId The private parent.
     */
    error PodRegistryParentNotPublic(uint256 parentPodId);

    /**
     * @notice The parent has no such version.
     * @param parentPodId The parent.
     * @param parentVersion The version asked for.
     */
    error PodRegistryParentVersionNotFound(uint256 parentPodId, uint64 parentVersion);

    /**
     * @notice A royalty rate above the cap.
     * @param bps The rate asked for.
     * @param max The cap.
     */
    error PodRegistryRoyaltyTooHigh(uint16 bps, uint16 max);

    /**
     * @notice A fork may not ask less from its own forks than it owes its parent.
     * @param forkRoyaltyBps The rate asked for.
     * @param royaltyBps What the fork owes its parent.
     */
    error PodRegistryForkRoyaltyBelowOwn(uint16 forkRoyaltyBps, uint16 royaltyBps);

    /**
     * @notice The pod has no such version.
     * @param podId The pod.
     * @param version The version asked for.
     */
    error PodRegistryVersionNotFound(uint256 podId, uint64 version);

    /**
     * @notice The caller is neither the pod's owner nor approved for it.
     * @param podId The pod.
     * @param caller The caller.
     */
    error PodRegistryUnauthorized(uint256 podId, address caller);

    /**
     * @notice The new version's reference equals the latest one.
     * @param podId The pod.
     * @param manifestRef The repeated reference.
     */
    error PodRegistryDuplicateVersion(uint256 podId, bytes32 manifestRef);

    /**
     * @notice `setVisibility` was asked for the visibility the pod already has.
     * @param podId The pod.
     * @param visibility Its current visibility.
     */
    error PodRegistryVisibilityUnchanged(uint256 podId, Visibility visibility);

    /**
     * @notice Mints a new pod to the caller, its creator.
     * @param name Unique among the caller's pods, fixed for good; 1..64 bytes.
     * @param manifestRef Swarm reference of the pod's manifest (non-zero).
     * @param visibility Private or Public.
     * @param parentPodId The forked pod, or 0 for an original. Must exist and be public.
     * @param parentVersion Version of the parent that was forked (1..versionCount); ignored when parentPodId is 0.
     * @param forkRoyaltyBps Basis points that forks of this pod will owe it; at most MAX_ROYALTY_BPS
     * and, for a fork, at least what the fork owes its own parent.
     * @return podId The new token id (ids start at 1).
     */
    function publish(
        string calldata name,
        bytes32 manifestRef,
        Visibility visibility,
        uint256 parentPodId,
        uint64 parentVersion,
        uint16 forkRoyaltyBps
    ) external returns (uint256 podId);

    /**
     * @notice Appends a version. Owner or approved operator only.
     * @param podId The pod.
     * @param manifestRef The new Swarm reference (non-zero, different from the latest).
     * @return version The new version number.
     */
    function publishVersion(uint256 podId, bytes32 manifestRef) external returns (uint64 version);

    /**
     * @notice Sets who may read the pod. Owner or approved operator only.
     * @param podId The pod.
     * @param visibility The new visibility (must differ from the current one).
     */
    function setVisibility(uint256 podId, Visibility visibility) external;

    /**
     * @notice The stored pod record.
     * @param podId The pod.
     * @return The record.
     */
    function pod(uint256 podId) external view returns (Pod memory);

    /**
     * @notice Version `n` (1-based) of a pod.
     * @param podId The pod.
     * @param n The version number.
     * @return The version.
     */
    function version(uint256 podId, uint64 n) external view returns (Version memory);

    /**
     * @notice The latest version of a pod.
     * @param podId The pod.
     * @return number The latest version number.
     * @return manifestRef Its Swarm reference.
     */
    function latestVersion(uint256 podId) external view returns (uint64 number, bytes32 manifestRef);

    /**
     * @notice The pod's current visibility.
     * @param podId The pod.
     * @return The visibility.
     */
    function visibilityOf(uint256 podId) external view returns (Visibility);

    /**
     * @notice The pod's content revision (1 at publish, +1 per version and per visibility change).
     * @param podId The pod.
     * @return The revision.
     */
    function revisionOf(uint256 podId) external view returns (uint32);

    /**
     * @notice The pod `creator` published under `name`, or 0. Names never move: the pod keeps being
     * found under its creator after any transfer.
     * @param creator The account that published it.
     * @param name The name.
     * @return The pod id, or 0.
     */
    function podIdOf(address creator, string calldata name) external view returns (uint256);

    /**
     * @notice What a market needs to check a sale, in one call.
     * @param podId The pod.
     * @return owner The current owner.
     * @return transfers How many times the pod has changed owner (0 after minting).
     * @return revision The content revision.
     * @return royaltyBps What the pod owes its parent (0: no royalty to compute).
     */
    function saleState(uint256 podId) external view returns (address owner, uint32 transfers, uint32 revision, uint16 royaltyBps);

    /**
     * @notice How a sale of `podId` at `price` is shared among its ancestors, nearest first, at most
     * MAX_ROYALTY_DEPTH of them: the parent receives floor(price * royaltyBps / 10000) and passes
     * floor(received * its own royaltyBps / 10000) to its parent, and so on; the last ancestor
     * keeps all it receives. The amounts sum to the parent's share exactly.
     * @param podId The pod sold.
     * @param price The sale price.
     * @return ancestors The ancestor pod ids, nearest first.
     * @return receivers Each ancestor's current owner.
     * @return amounts What each keeps.
     */
    function royaltyShares(
        uint256 podId,
        uint256 price
    ) external view returns (uint256[] memory ancestors, address[] memory receivers, uint256[] memory amounts);

    /**
     * @notice True when the pod exists.
     * @param podId The pod.
     * @return Whether it was minted (pods are never burnt).
     */
    function exists(uint256 podId) external view returns (bool);
}
