// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IPodKeyGrants
 * @notice Which runners may run which versions of private pods. A grant names a pod version and a
 * runner, and points at the version's key record sealed to that runner's X25519 key and stored on
 * Swarm (the key itself never goes on chain). Only the pod's owner, or an account the owner
 * approved for the pod (ERC-721 `getApproved` / `isApprovedForAll`), grants and revokes. RunMarket
 * refuses a run of a private pod whose runner holds no grant, and a claim after the grant was revoked.
 */
interface IPodKeyGrants {
    /**
     * @notice A runner was granted a pod version's key (a new grant, or a new sealed key replacing one).
     * @param podId The pod.
     * @param version The pod version the key opens.
     * @param runner The runner the key is sealed to.
     * @param sealedKeyRef The Swarm reference of the sealed key record.
     * @param grantor The owner or approved operator who granted it.
     */
    event KeyGranted(uint256 indexed podId, uint64 version, address indexed runner, bytes32 sealedKeyRef, address indexed grantor);

    /**
     * @notice A runner's grant for a pod version was removed: later runs of that version on it are refused.
     * @param podId The pod.
     * @param version The pod version.
     * @param runner The runner.
     * @param sealedKeyRef The Swarm reference of the sealed key record that was granted.
     * @param revoker The owner or approved operator who revoked it.
     */
    event KeyRevoked(uint256 indexed podId, uint64 version, address indexed runner, bytes32 sealedKeyRef, address indexed revoker);

    /// @notice The registry address given to the constructor was zero.
    error PodKeyGrantsZeroAddress();

    /**
     * @notice The caller neither owns the pod nor is approved for it.
     * @param podId The pod.
     * @param caller The caller.
     */
    error PodKeyGrantsNotPodOwnerOrOperator(uint256 podId, address caller);

    /**
     * @notice The pod is public: anyone may run it, so there is nothing to grant.
     * @param podId The pod.
     */
    error PodKeyGrantsPodNotPrivate(uint256 podId);

    /**
     * @notice The pod has no such version.
     * @param podId The pod.
     * @param version The version asked for.
     * @param latest The pod's latest version.
     */
    error PodKeyGrantsVersionNotFound(uint256 podId, uint64 version, uint64 latest);

    /**
     * @notice A grant needs a runner (non-zero address).
     * @param podId The pod.
     */
    error PodKeyGrantsZeroRunner(uint256 podId);

    /**
     * @notice A grant needs the Swarm reference of a sealed key (non-zero).
     * @param podId The pod.
     * @param runner The runner.
     */
    error PodKeyGrantsZeroSealedKey(uint256 podId, address runner);

    /**
     * @notice The runner holds no grant for that pod version.
     * @param podId The pod.
     * @param version The version.
     * @param runner The runner.
     */
    error PodKeyGrantsNotGranted(uint256 podId, uint64 version, address runner);

    /**
     * @notice Grants `runner` the key of version `version` of private pod `podId`, sealed to the
     * runner's key and stored on Swarm at `sealedKeyRef`. Granting again replaces the sealed key (for
     * example after the runner changed its key). Owner or approved operator of the pod only.
     * @param podId The pod (must exist and be private).
     * @param version The version (1 to the latest).
     * @param runner The runner (non-zero).
     * @param sealedKeyRef The Swarm reference of the sealed key record (non-zero).
     */
    function grantKey(uint256 podId, uint64 version, address runner, bytes32 sealedKeyRef) external;

    /**
     * @notice Removes `runner`'s grant for version `version` of pod `podId`: runs of that version on
     * it are refused from now on, and a run requested earlier can no longer be claimed by it. Owner
     * or approved operator of the pod only; works whatever the pod's visibility is now.
     * @param podId The pod.
     * @param version The version.
     * @param runner The runner.
     */
    function revokeKey(uint256 podId, uint64 version, address runner) external;

    /**
     * @notice The Swarm reference of the sealed key granted to `runner` for a pod version.
     * @param podId The pod.
     * @param version The version.
     * @param runner The runner.
     * @return The reference, or zero when there is no grant.
     */
    function sealedKeyOf(uint256 podId, uint64 version, address runner) external view returns (bytes32);

    /**
     * @notice Whether `runner` holds a grant for a pod version.
     * @param podId The pod.
     * @param version The version.
     * @param runner The runner.
     * @return True when it does.
     */
    function isGranted(uint256 podId, uint64 version, address runner) external view returns (bool);
}
