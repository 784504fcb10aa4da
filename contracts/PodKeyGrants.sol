// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IPodKeyGrants} from "./interfaces/IPodKeyGrants.sol";

/**
 * @title PodKeyGrants
 * @notice The runners a private pod's owner chose: per pod version and runner, the Swarm reference
 * of the version's key record sealed to that runner (see IPodKeyGrants). It holds no funds and has
 * no roles; the registry's ERC-721 ownership and approvals decide who may grant.
 * @dev One slot per grant. The registry is trusted (Lure's own PodRegistry). Grants stay when the
 * pod changes owner; the new owner may revoke them.
 */
contract PodKeyGrants is IPodKeyGrants {
    /// @notice The PodRegistry whose pods' keys are granted.
    address public immutable registry;

    mapping(uint256 podId => mapping(uint64 version => mapping(address runner => bytes32 sealedKeyRef))) private _grants;

    /**
     * @notice Deploys the grants of `registry_`'s pods.
     * @param registry_ The PodRegistry.
     */
    constructor(address registry_) {
        if (registry_ == address(0)) revert PodKeyGrantsZeroAddress();
        registry = registry_;
    }

    /// @inheritdoc IPodKeyGrants
    function grantKey(uint256 podId, uint64 version, address runner, bytes32 sealedKeyRef) external {
        _requireOwnerOrOperator(podId);
        if (IPodRegistry(registry).visibilityOf(podId) != IPodRegistry.Visibility.Private) revert PodKeyGrantsPodNotPrivate(podId);
        (uint64 latest, ) = IPodRegistry(registry).latestVersion(podId);
        if (version == 0 || version > latest) revert PodKeyGrantsVersionNotFound(podId, version, latest);
        if (runner == address(0)) revert PodKeyGrantsZeroRunner(podId);
        if (sealedKeyRef == bytes32(0)) revert PodKeyGrantsZeroSealedKey(podId, runner);
        _grants[podId][version][runner] = sealedKeyRef;
        emit KeyGranted(podId, version, runner, sealedKeyRef, msg.sender);
    }

    /// @inheritdoc IPodKeyGrants
    function revokeKey(uint256 podId, uint64 version, address runner) external {
        _requireOwnerOrOperator(podId);
        bytes32 sealedKeyRef = _grants[podId][version][runner];
        if (sealedKeyRef == bytes32(0)) revert PodKeyGrantsNotGranted(podId, version, runner);
        delete _grants[podId][version][runner];
        emit KeyRevoked(podId, version, runner, sealedKeyRef, msg.sender);
    }

    /// @inheritdoc IPodKeyGrants
    function sealedKeyOf(uint256 podId, uint64 version, address runner) external view returns (bytes32) {
        return _grants[podId][version][runner];
    }

    /// @inheritdoc IPodKeyGrants
    function isGranted(uint256 podId, uint64 version, address runner) external view returns (bool) {
        return _grants[podId][version][runner] != bytes32(0);
    }

    /// @dev The pod's owner, or an account approved for it or for all the owner's pods; a missing pod reverts in the registry (ERC721NonexistentToken).
    function _requireOwnerOrOperator(uint256 podId) private view {
        address owner = IERC721(registry).ownerOf(podId);
        if (
            msg.sender != owner &&
            !IERC721(registry).isApprovedForAll(owner, msg.sender) &&
            IERC721(registry).getApproved(podId) != msg.sender
        ) revert PodKeyGrantsNotPodOwnerOrOperator(podId, msg.sender);
    }
}
