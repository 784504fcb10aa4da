// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC1155Burnable} from "@openzeppelin/contracts/token/ERC1155/extensions/ERC1155Burnable.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IPodRegistry} from "./interfaces/IPodRegistry.sol";
import {IPodLicenses} from "./interfaces/IPodLicenses.sol";

/**
 * @title PodLicenses
 * @notice Licences to run pods as ERC-1155 tokens (token id = pod id), so that wallets show them and
 * a new market version does not orphan them: any market the admin grants MINTER_ROLE can mint.
 * @dev Holders may burn their licences (ERC1155Burnable). Transfers between two accounts are allowed
 * only for pods whose market listing said so (`setTransferable`); the setting is per pod and the
 * latest listing's choice applies to all of that pod's licences. The admin is OpenZeppelin's
 * `AccessControlDefaultAdminRules`: one admin, transferred in two steps behind a delay. No role can
 * move or burn anyone's licences.
 */
contract PodLicenses is ERC1155, ERC1155Burnable, AccessControlDefaultAdminRules, IPodLicenses {
    /// @notice May mint licences and set their transferability: markets.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice The PodRegistry whose pods these licences are for.
    address public immutable registry;

    mapping(uint256 podId => bool) private _transferable;

    /**
     * @notice Deploys the licences of `registry_`'s pods.
     * @param registry_ The PodRegistry.
     * @param adminDelay The delay of a default admin transfer (AccessControlDefaultAdminRules).
     * @param admin The default admin, who grants and revokes MINTER_ROLE.
     * @param initialMinter A market allowed to mint from the start, or address(0) for none.
     */
    constructor(
        address registry_,
        uint48 adminDelay,
        address admin,
        address initialMinter
    ) ERC1155("") AccessControlDefaultAdminRules(adminDelay, admin) {
        if (registry_ == address(0)) revert PodLicensesZeroAddress();
        registry = registry_;
        if (initialMinter != address(0)) _grantRole(MINTER_ROLE, initialMinter);
    }

    /// @inheritdoc IPodLicenses
    function mint(address to, uint256 podId) external onlyRole(MINTER_ROLE) {
        _mint(to, podId, 1, "");
    }

    /// @inheritdoc IPodLicenses
    function setTransferable(uint256 podId, bool transferable) external onlyRole(MINTER_ROLE) {
        _transferable[podId] = transferable;
        emit LicenseTransferabilitySet(podId, transferable, msg.sender);
    }

    /// @inheritdoc IPodLicenses
    function isTransferable(uint256 podId) external view returns (bool) {
        return _transferable[podId];
    }

    /// @inheritdoc IPodLicenses
    function hasLicense(address account, uint256 podId) external view returns (bool) {
        if (balanceOf(account, podId) != 0) return true;
        return IPodRegistry(registry).exists(podId) && IERC721Metadata(registry).ownerOf(podId) == account;
    }

    /**
     * @notice ERC-1155 metadata of a licence: the pod's own ERC-721 metadata (a data URI).
     * @param podId The pod (= token id).
     * @return The registry's `tokenURI(podId)`; reverts with ERC721NonexistentToken for a missing pod.
     */
    function uri(uint256 podId) public view override returns (string memory) {
        return IERC721Metadata(registry).tokenURI(podId);
    }

    /**
     * @notice ERC-165: ERC-1155, its metadata URI extension, AccessControl and the default admin rules.
     * @param interfaceId The interface.
     * @return Whether it is supported.
     */
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC1155, AccessControlDefaultAdminRules) returns (bool) {
        return ERC1155.supportsInterface(interfaceId) || AccessControlDefaultAdminRules.supportsInterface(interfaceId);
    }

    /// @dev Transfers between two accounts need the pod's licences to be transferable; mints and burns do not.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (from != address(0) && to != address(0)) {
            for (uint256 i = 0; i < ids.length; ++i) {
                if (!_transferable[ids[i]]) revert PodLicensesNotTransferable(ids[i]);
            }
        }
        super._update(from, to, ids, values);
    }
}
