// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {PodMetadata} from "./libraries/PodMetadata.sol";

/**
 * @title PodRegistry
 * @notice Compute pods as ERC-721 tokens ("Lure Pod", "POD"), with an append-only version history of
 * Swarm manifest references, a visibility flag, fork lineage and royalties owed along that lineage.
 * @dev Names are unique per creator and fixed at mint (`podIdOf(creator, name)`): a transfer never
 * looks at names, so nobody can block a transfer or a purchase by sending a same-named pod to the
 * buyer. The pod record is one storage slot; `publish` writes five fresh slots (owner, record, name,
 * first reference, name index). Lineage is declared by the forker at publish: the registry checks
 * that the parent exists, is public and has the forked version, not that the content derives from it.
 */
contract PodRegistry is ERC721, IERC2981, IERC4906, IPodRegistry {
    /// @notice Upper bound for `forkRoyaltyBps` (25%), so fee + royalty can never exceed a sale price.
    uint16 public constant MAX_ROYALTY_BPS = 2500;
    /// @notice Longest accepted name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;
    /// @notice How many ancestors share a sale's royalty; the last one keeps all it receives.
    uint256 public constant MAX_ROYALTY_DEPTH = 8;

    uint256 private constant BPS_DENOMINATOR = 10_000;

    /**
     * @dev One slot (48 + 4 * 32 + 40 + 2 * 16 + 8 = 256 bits). Ids fit 48 bits (one per
     * transaction), version counts and revisions 32. `transfers` counts changes of owner, so a market
     * can tell a listing made before a transfer from one made after it even when the token came back
     * to the same account (2^32 transfers of one token cannot be paid for). Version 1's timestamp is
     * `createdAt`; later versions store theirs in `_versionTimes`.
     */
    struct PodRecord {
        uint48 parentPodId;
        uint32 parentVersion;
        uint32 versionCount;
        uint32 revision;
        uint32 transfers;
        uint40 createdAt;
        uint16 royaltyBps;
        uint16 forkRoyaltyBps;
        Visibility visibility;
    }

    uint256 private _lastPodId;
    mapping(uint256 podId => PodRecord) private _records;
    mapping(uint256 podId => string) private _names;
    mapping(uint256 podId => mapping(uint256 version => bytes32 manifestRef)) private _refs;
    mapping(uint256 podId => mapping(uint256 version => uint64 publishedAt)) private _versionTimes;
    mapping(address creator => mapping(bytes32 nameHash => uint256 podId)) private _podIdByName;

    /// @notice Names the collection "Lure Pod" (POD).
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
        if (nameLength == 0) revert PodRegistryEmptyName();
        if (nameLength > MAX_NAME_LENGTH) revert PodRegistryNameTooLong(nameLength, MAX_NAME_LENGTH);
        if (manifestRef == bytes32(0)) revert PodRegistryZeroManifestRef();
        if (forkRoyaltyBps > MAX_ROYALTY_BPS) revert PodRegistryRoyaltyTooHigh(forkRoyaltyBps, MAX_ROYALTY_BPS);
        bytes32 nameHash = keccak256(bytes(name));
        if (_podIdByName[msg.sender][nameHash] != 0) revert PodRegistryNameTaken(msg.sender, name);

        uint16 royaltyBps;
        if (parentPodId == 0) {
            parentVersion = 0; // documented as ignored for originals; stored as 0 so lineage reads cleanly
        } else {
            PodRecord storage parent = _records[parentPodId];
            // Every pod has at least one version and pods are never burnt, so a zero count means
            // "no such pod"; this saves a cold read of the ERC-721 owner slot.
            if (parent.versionCount == 0) revert ERC721NonexistentToken(parentPodId);
            if (parent.visibility != Visibility.Public) revert PodRegistryParentNotPublic(parentPodId);
            if (parentVersion == 0 || parentVersion > parent.versionCount) {
                revert PodRegistryParentVersionNotFound(parentPodId, parentVersion);
            }
            royaltyBps = parent.forkRoyaltyBps;
            if (forkRoyaltyBps < royaltyBps) revert PodRegistryForkRoyaltyBelowOwn(forkRoyaltyBps, royaltyBps);
        }

        unchecked {
            podId = ++_lastPodId; // cannot overflow: one id per transaction
        }
        _records[podId] = PodRecord({
            // parentPodId exists, so it is at most _lastPodId: far below 2^48.
            parentPodId: uint48(parentPodId),
            // A valid parentVersion is at most the parent's uint32 version count.
            parentVersion: uint32(parentVersion),
            versionCount: 1,
            revision: 1,
            transfers: 0,
            createdAt: uint40(block.timestamp),
            royaltyBps: royaltyBps,
            forkRoyaltyBps: forkRoyaltyBps,
            visibility: visibility
        });
        _names[podId] = name;
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
        emit VersionPublished(podId, 1, manifestRef, msg.sender, 1);
    }

    /// @inheritdoc IPodRegistry
    function publishVersion(uint256 podId, bytes32 manifestRef) external returns (uint64 version_) {
        _requireOwnerOrOperator(podId);
        if (manifestRef == bytes32(0)) revert PodRegistryZeroManifestRef();
        PodRecord storage record = _records[podId];
        uint32 count = record.versionCount;
        if (_refs[podId][count] == manifestRef) revert PodRegistryDuplicateVersion(podId, manifestRef);

        uint32 next = count + 1;
        uint32 revision = record.revision + 1;
        record.versionCount = next;
        record.revision = revision;
        _refs[podId][next] = manifestRef;
        _versionTimes[podId][next] = uint64(block.timestamp);
        emit VersionPublished(podId, next, manifestRef, msg.sender, revision);
        emit MetadataUpdate(podId);
        return next;
    }

    /// @inheritdoc IPodRegistry
    function setVisibility(uint256 podId, Visibility visibility) external {
        _requireOwnerOrOperator(podId);
        PodRecord storage record = _records[podId];
        if (record.visibility == visibility) revert PodRegistryVisibilityUnchanged(podId, visibility);
        uint32 revision = record.revision + 1;
        record.visibility = visibility;
        record.revision = revision;
        emit VisibilityChanged(podId, visibility, msg.sender, revision);
        emit MetadataUpdate(podId);
    }

    /// @inheritdoc IPodRegistry
    function pod(uint256 podId) external view returns (Pod memory) {
        _requireOwned(podId);
        PodRecord memory record = _records[podId];
        return
            Pod({
                name: _names[podId],
                visibility: record.visibility,
                versionCount: record.versionCount,
                revision: record.revision,
                royaltyBps: record.royaltyBps,
                forkRoyaltyBps: record.forkRoyaltyBps,
                parentVersion: record.parentVersion,
                parentPodId: record.parentPodId,
                latestRef: _refs[podId][record.versionCount],
                createdAt: record.createdAt
            });
    }

    /// @inheritdoc IPodRegistry
    function version(uint256 podId, uint64 n) external view returns (Version memory) {
        _requireOwned(podId);
        PodRecord storage record = _records[podId];
        if (n == 0 || n > record.versionCount) revert PodRegistryVersionNotFound(podId, n);
        uint64 publishedAt = n == 1 ? record.createdAt : _versionTimes[podId][n];
        return Version({manifestRef: _refs[podId][n], publishedAt: publishedAt});
    }

    /// @inheritdoc IPodRegistry
    function latestVersion(uint256 podId) external view returns (uint64 number, bytes32 manifestRef) {
        _requireOwned(podId);
        number = _records[podId].versionCount;
        manifestRef = _refs[podId][number];
    }

    /// @inheritdoc IPodRegistry
    function visibilityOf(uint256 podId) external view returns (Visibility) {
        _requireOwned(podId);
        return _records[podId].visibility;
    }

    /// @inheritdoc IPodRegistry
    function revisionOf(uint256 podId) external view returns (uint32) {
        _requireOwned(podId);
        return _records[podId].revision;
    }

    /// @inheritdoc IPodRegistry
    function podIdOf(address creator, string calldata name) external view returns (uint256) {
        return _podIdByName[creator][keccak256(bytes(name))];
    }

    /// @inheritdoc IPodRegistry
    function saleState(
        uint256 podId
    ) external view returns (address owner, uint32 transfers, uint32 revision, uint16 royaltyBps) {
        owner = _requireOwned(podId);
        PodRecord storage record = _records[podId];
        return (owner, record.transfers, record.revision, record.royaltyBps);
    }

    /// @inheritdoc IPodRegistry
    function royaltyShares(
        uint256 podId,
        uint256 price
    ) public view returns (uint256[] memory ancestors, address[] memory receivers, uint256[] memory amounts) {
        _requireOwned(podId);
        PodRecord storage record = _records[podId];
        ancestors = new uint256[](MAX_ROYALTY_DEPTH);
        receivers = new address[](MAX_ROYALTY_DEPTH);
        amounts = new uint256[](MAX_ROYALTY_DEPTH);
        uint256 incoming = (price * record.royaltyBps) / BPS_DENOMINATOR;
        uint256 ancestor = record.parentPodId;
        uint256 depth;
        while (ancestor != 0) {
            PodRecord storage upstream = _records[ancestor];
            ancestors[depth] = ancestor;
            receivers[depth] = _ownerOf(ancestor);
            ++depth;
            uint256 parent = upstream.parentPodId;
            if (parent == 0 || depth == MAX_ROYALTY_DEPTH) {
                amounts[depth - 1] = incoming; // the root, or the last ancestor counted, keeps everything
                break;
            }
            uint256 passed = (incoming * upstream.royaltyBps) / BPS_DENOMINATOR;
            amounts[depth - 1] = incoming - passed;
            incoming = passed;
            ancestor = parent;
        }
        assembly ("memory-safe") {
            mstore(ancestors, depth)
            mstore(receivers, depth)
            mstore(amounts, depth)
        }
    }

    /// @inheritdoc IPodRegistry
    function exists(uint256 podId) external view returns (bool) {
        return _ownerOf(podId) != address(0);
    }

    /**
     * @notice The number of pods minted so far; ids run from 1 to this value.
     * @return The last id.
     */
    function totalPods() external view returns (uint256) {
        return _lastPodId;
    }

    /**
     * @notice ERC-721 metadata: a `data:application/json;base64,` JSON document with the pod's name,
     * description, attributes (versions, visibility, lineage, royalty rates), an SVG image drawn on
     * chain and, for public pods only, `external_url` = `bzz://<latest reference>`.
     * @param podId The pod.
     * @return The data URI.
     */
    function tokenURI(uint256 podId) public view override returns (string memory) {
        _requireOwned(podId);
        PodRecord memory record = _records[podId];
        return
            PodMetadata.tokenURI(
                PodMetadata.Data({
                    podId: podId,
                    name: _names[podId],
                    versionCount: record.versionCount,
                    isPublic: record.visibility == Visibility.Public,
                    parentPodId: record.parentPodId,
                    parentVersion: record.parentVersion,
                    royaltyBps: record.royaltyBps,
                    forkRoyaltyBps: record.forkRoyaltyBps,
                    latestRef: _refs[podId][record.versionCount]
                })
            );
    }

    /**
     * @notice ERC-2981: what a sale of `podId` owes upstream in total, payable to the parent pod's
     * current owner. ERC-2981 has one receiver: a marketplace that pays it pays the whole lineage share
     * to the parent's owner; Lure's market splits it among the ancestors with `royaltyShares`.
     * Originals owe nothing (address(0), 0).
     * @param podId The pod sold.
     * @param salePrice The sale price.
     * @return receiver The parent's current owner, or address(0) for an original.
     * @return royaltyAmount floor(salePrice * royaltyBps / 10000).
     */
    function royaltyInfo(
        uint256 podId,
        uint256 salePrice
    ) external view returns (address receiver, uint256 royaltyAmount) {
        _requireOwned(podId);
        PodRecord storage record = _records[podId];
        uint256 parentPodId = record.parentPodId;
        if (parentPodId == 0) return (address(0), 0);
        return (_ownerOf(parentPodId), (salePrice * record.royaltyBps) / BPS_DENOMINATOR);
    }

    /**
     * @notice ERC-165: ERC-721, ERC-721 metadata, ERC-2981 and ERC-4906.
     * @param interfaceId The interface.
     * @return Whether it is supported.
     */
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return
            interfaceId == type(IERC2981).interfaceId ||
            interfaceId == bytes4(0x49064906) ||
            super.supportsInterface(interfaceId);
    }

    /// @dev Counts every change of owner; mints and burns are not counted (pods are never burnt).
    function _update(address to, uint256 podId, address auth) internal override returns (address from) {
        from = super._update(to, podId, auth);
        if (from != address(0) && from != to) {
            unchecked {
                _records[podId].transfers += 1;
            }
        }
    }

    function _requireOwnerOrOperator(uint256 podId) private view {
        address owner = _requireOwned(podId);
        if (!_isAuthorized(owner, msg.sender, podId)) revert PodRegistryUnauthorized(podId, msg.sender);
    }
}
