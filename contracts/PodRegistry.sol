// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {SwarmRef} from "./libraries/SwarmRef.sol";

/**
 * @title PodRegistry
 * @notice Compute pods as ERC-721 tokens ("Lure Pod", "POD"), with an append-only version history of
 * Swarm manifest references, a visibility flag, fork lineage and ERC-2981 royalties owed upstream.
 * @dev Storage is kept to three fresh slots per pod (record, name hash, first reference) so that
 * `publish` stays near 160k gas: the name string and the creator live only in `PodPublished`.
 * Names are unique per owner and move with the token: a transfer into an account that already
 * holds a pod of the same name reverts, which keeps the name index consistent.
 */
contract PodRegistry is ERC721, IERC2981, IPodRegistry {
    /// @notice Upper bound for `forkRoyaltyBps` (25%), so fee + royalty can never exceed a sale price.
    uint16 public constant MAX_ROYALTY_BPS = 2500;
    /// @notice Longest accepted name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;

    uint16 private constant BPS_DENOMINATOR = 10_000;

    /// @dev One slot. Version 1's timestamp is kept here because it is written with the record anyway;
    /// later versions store theirs in `_versionTimes`. `parentVersion` fits 32 bits because version
    /// counts do. `transfers` counts changes of owner, so a market can tell a listing made before a
    /// transfer from one made after it even when the token came back to the same account.
    struct PodRecord {
        uint64 parentPodId;
        uint32 parentVersion;
        uint32 versionCount;
        uint48 transfers;
        uint40 createdAt;
        uint16 royaltyBps;
        uint16 forkRoyaltyBps;
        Visibility visibility;
    }

    uint256 private _lastPodId;
    mapping(uint256 podId => PodRecord) private _records;
    mapping(uint256 podId => bytes32) private _nameHashes;
    mapping(uint256 podId => mapping(uint256 version => bytes32 manifestRef)) private _refs;
    mapping(uint256 podId => mapping(uint256 version => uint64 publishedAt)) private _versionTimes;
    mapping(address owner => mapping(bytes32 nameHash => uint256 podId)) private _podIdByName;

    constructor() ERC721("Lure Pod", "POD") {}

    /// @inheritdoc IPodRegistry
    function publish(
        string calldata name,
        bytes32 manifestRef,
        Visibility visibility,
        uint256 parentPodId,
        uint64 parentVersion,
        uint16 forkRoyaltyBps
    ) external returns (uint256 podId) {
        uint256 nameLength = bytes(name).length;
        if (nameLength == 0) revert EmptyName();
        if (nameLength > MAX_NAME_LENGTH) revert NameTooLong(nameLength, MAX_NAME_LENGTH);
        if (manifestRef == bytes32(0)) revert ZeroManifestRef();
        if (forkRoyaltyBps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(forkRoyaltyBps, MAX_ROYALTY_BPS);
        bytes32 nameHash = keccak256(bytes(name));
        if (_podIdByName[msg.sender][nameHash] != 0) revert NameTaken(msg.sender, name);

        uint16 royaltyBps;
        if (parentPodId == 0) {
            parentVersion = 0; // documented as ignored for originals; stored as 0 so lineage reads cleanly
        } else {
            PodRecord storage parent = _records[parentPodId];
            // Every pod has at least one version and pods are never burnt, so a zero count means
            // "no such pod"; this saves a cold read of the ERC-721 owner slot.
            if (parent.versionCount == 0) revert ParentNotFound(parentPodId);
            if (parent.visibility != Visibility.Public) revert ParentNotPublic(parentPodId);
            if (parentVersion == 0 || parentVersion > parent.versionCount) {
                revert ParentVersionNotFound(parentPodId, parentVersion);
            }
            royaltyBps = parent.forkRoyaltyBps;
        }

        unchecked {
            podId = ++_lastPodId; // cannot overflow: one id per transaction
        }
        _records[podId] = PodRecord({
            // parentPodId exists, so it is at most _lastPodId: far below 2^64.
            parentPodId: uint64(parentPodId),
            // A valid parentVersion is at most the parent's uint32 version count.
            parentVersion: uint32(parentVersion),
            versionCount: 1,
            transfers: 0,
            createdAt: uint40(block.timestamp),
            royaltyBps: royaltyBps,
            forkRoyaltyBps: forkRoyaltyBps,
            visibility: visibility
        });
        _nameHashes[podId] = nameHash;
        _refs[podId][1] = manifestRef;
        _podIdByName[msg.sender][nameHash] = podId;
        _mint(msg.sender, podId);

        emit PodPublished(
            podId,
            msg.sender,
            parentPodId,
            name,
            manifestRef,
            visibility,
            parentVersion,
            royaltyBps,
            forkRoyaltyBps
        );
        emit VersionPublished(podId, 1, manifestRef, msg.sender);
    }

    /// @inheritdoc IPodRegistry
    function publishVersion(uint256 podId, bytes32 manifestRef) external returns (uint64 version_) {
        _requireOwnerOrOperator(podId);
        if (manifestRef == bytes32(0)) revert ZeroManifestRef();
        PodRecord storage record = _records[podId];
        uint32 count = record.versionCount;
        if (_refs[podId][count] == manifestRef) revert DuplicateVersion(podId, manifestRef);

        uint32 next = count + 1;
        record.versionCount = next;
        _refs[podId][next] = manifestRef;
        _versionTimes[podId][next] = uint64(block.timestamp);
        emit VersionPublished(podId, next, manifestRef, msg.sender);
        return next;
    }

    /// @inheritdoc IPodRegistry
    function setVisibility(uint256 podId, Visibility visibility) external {
        _requireOwnerOrOperator(podId);
        _records[podId].visibility = visibility;
        emit VisibilityChanged(podId, visibility);
    }

    /// @inheritdoc IPodRegistry
    function pod(uint256 podId) external view returns (Pod memory) {
        _requireExists(podId);
        PodRecord memory record = _records[podId];
        return
            Pod({
                nameHash: _nameHashes[podId],
                visibility: record.visibility,
                versionCount: record.versionCount,
                royaltyBps: record.royaltyBps,
                forkRoyaltyBps: record.forkRoyaltyBps,
                parentVersion: record.parentVersion,
                parentPodId: record.parentPodId,
                latestRef: _refs[podId][record.versionCount]
            });
    }

    /// @inheritdoc IPodRegistry
    function version(uint256 podId, uint64 n) external view returns (Version memory) {
        _requireExists(podId);
        PodRecord storage record = _records[podId];
        if (n == 0 || n > record.versionCount) revert VersionNotFound(podId, n);
        uint64 publishedAt = n == 1 ? record.createdAt : _versionTimes[podId][n];
        return Version({manifestRef: _refs[podId][n], publishedAt: publishedAt});
    }

    /// @inheritdoc IPodRegistry
    function podIdOf(address owner, string calldata name) external view returns (uint256) {
        return _podIdByName[owner][keccak256(bytes(name))];
    }

    /// @inheritdoc IPodRegistry
    function ownership(uint256 podId) external view returns (address owner, uint48 transfers) {
        owner = _ownerOf(podId);
        if (owner == address(0)) revert PodNotFound(podId);
        transfers = _records[podId].transfers;
    }

    /// @inheritdoc IPodRegistry
    function exists(uint256 podId) external view returns (bool) {
        return _ownerOf(podId) != address(0);
    }

    /// @notice The number of pods minted so far; ids run from 1 to this value.
    function totalPods() external view returns (uint256) {
        return _lastPodId;
    }

    /// @notice `bzz://` followed by the 64 lowercase hex digits of the latest manifest reference.
    function tokenURI(uint256 podId) public view override returns (string memory) {
        _requireExists(podId);
        return string.concat("bzz://", SwarmRef.toHex(_refs[podId][_records[podId].versionCount]));
    }

    /**
     * @notice ERC-2981: what a sale of `podId` owes upstream. The receiver is the parent pod's
     * current owner, so royalties follow the parent when it is sold; originals owe nothing.
     */
    function royaltyInfo(
        uint256 podId,
        uint256 salePrice
    ) external view returns (address receiver, uint256 royaltyAmount) {
        _requireExists(podId);
        PodRecord storage record = _records[podId];
        uint256 parentPodId = record.parentPodId;
        if (parentPodId == 0) return (address(0), 0);
        return (_ownerOf(parentPodId), (salePrice * record.royaltyBps) / BPS_DENOMINATOR);
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev On every change of owner: moves the name index entry with the token (mint is indexed by
    /// `publish`) and counts the transfer.
    function _update(address to, uint256 podId, address auth) internal override returns (address from) {
        from = super._update(to, podId, auth);
        if (from != address(0) && from != to) {
            bytes32 nameHash = _nameHashes[podId];
            if (_podIdByName[to][nameHash] != 0) revert NameHashTaken(to, nameHash);
            delete _podIdByName[from][nameHash];
            _podIdByName[to][nameHash] = podId;
            unchecked {
                _records[podId].transfers += 1; // 2^48 transfers of one token will not happen
            }
        }
    }

    function _requireExists(uint256 podId) private view {
        if (_ownerOf(podId) == address(0)) revert PodNotFound(podId);
    }

    function _requireOwnerOrOperator(uint256 podId) private view {
        address owner = _ownerOf(podId);
        if (owner == address(0)) revert PodNotFound(podId);
        if (!_isAuthorized(owner, msg.sender, podId)) revert NotPodOwnerOrOperator(podId, msg.sender);
    }
}
