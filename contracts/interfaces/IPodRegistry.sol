// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IPodRegistry
 * @notice Compute pods as ERC-721 tokens. A pod is a folder on Swarm; the registry keeps the
 * append-only list of its Swarm manifest references (versions), its visibility and its fork lineage.
 * @dev Events carry everything an indexer needs to rebuild state without calls. Ownership changes
 * are the ERC-721 `Transfer` event.
 */
interface IPodRegistry {
    /// @notice Who may read a pod. Only public pods may be forked.
    enum Visibility {
        Private,
        Public
    }

    /**
     * @notice A pod's record as returned by `pod()`.
     * @dev The name string and the creator are not stored (gas): they are in the `PodPublished`
     * event. `nameHash` (keccak256 of the UTF-8 name) is unique among the current owner's pods.
     */
    struct Pod {
        bytes32 nameHash;
        Visibility visibility;
        uint64 versionCount;
        uint16 royaltyBps; // owed to the parent pod's owner on every sale of this pod (snapshot at publish)
        uint16 forkRoyaltyBps; // what forks of this pod will owe it (chosen by the publisher)
        uint64 parentVersion;
        uint256 parentPodId; // 0 for an original pod
        bytes32 latestRef;
    }

    /// @notice One published version of a pod.
    struct Version {
        bytes32 manifestRef;
        uint64 publishedAt; // block timestamp
    }

    /// @notice A pod was minted. `royaltyBps` is what this pod owes upstream; `forkRoyaltyBps` what its forks will owe it.
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

    /// @notice A version was appended; version 1 is emitted by `publish` as well.
    event VersionPublished(uint256 indexed podId, uint64 indexed version, bytes32 manifestRef, address indexed publisher);

    /// @notice The pod's visibility changed.
    event VisibilityChanged(uint256 indexed podId, Visibility visibility);

    error EmptyName();
    error NameTooLong(uint256 length, uint256 max);
    error ZeroManifestRef();
    error NameTaken(address owner, string name);
    error ParentNotFound(uint256 parentPodId);
    error ParentNotPublic(uint256 parentPodId);
    error ParentVersionNotFound(uint256 parentPodId, uint64 parentVersion);
    error RoyaltyTooHigh(uint16 bps, uint16 max);
    error PodNotFound(uint256 podId);
    error VersionNotFound(uint256 podId, uint64 version);
    error NotPodOwnerOrOperator(uint256 podId, address caller);
    error DuplicateVersion(uint256 podId, bytes32 manifestRef);
    /// @notice A transfer would give `owner` two pods with the same name (names move with the token).
    error NameHashTaken(address owner, bytes32 nameHash);

    /**
     * @notice Mints a new pod to the caller.
     * @param name Unique among the caller's pods; 1..64 bytes.
     * @param manifestRef Swarm reference of the pod's manifest (non-zero).
     * @param visibility Private or Public.
     * @param parentPodId The forked pod, or 0 for an original. Must exist and be public.
     * @param parentVersion Version of the parent that was forked (1..versionCount); ignored when parentPodId is 0.
     * @param forkRoyaltyBps Basis points that future forks of this pod will owe its owner; capped by MAX_ROYALTY_BPS.
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
     * @return version The new version number.
     */
    function publishVersion(uint256 podId, bytes32 manifestRef) external returns (uint64 version);

    /// @notice Sets who may read the pod. Owner or approved operator only.
    function setVisibility(uint256 podId, Visibility visibility) external;

    /// @notice The stored pod record; reverts with PodNotFound.
    function pod(uint256 podId) external view returns (Pod memory);

    /// @notice Version `n` (1-based) of a pod; reverts with VersionNotFound.
    function version(uint256 podId, uint64 n) external view returns (Version memory);

    /// @notice The pod id `owner` holds under `name`, or 0.
    function podIdOf(address owner, string calldata name) external view returns (uint256);

    /**
     * @notice The pod's owner and how many times it has changed owner (0 after minting). A listing
     * recorded with an older count was made before a transfer and is void; reverts with PodNotFound.
     */
    function ownership(uint256 podId) external view returns (address owner, uint48 transfers);

    /// @notice True when the pod exists.
    function exists(uint256 podId) external view returns (bool);
}
