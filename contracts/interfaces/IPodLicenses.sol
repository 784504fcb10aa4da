// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IPodLicenses
 * @notice Licences to run pods, as ERC-1155 tokens whose id is the pod id. Markets holding
 * MINTER_ROLE mint them when a licence is sold and say, per pod, whether its licences may be
 * transferred (resold). The pod's current owner is licensed without holding a token.
 */
interface IPodLicenses {
    /**
     * @notice A market set whether the licences of `podId` may be transferred.
     * @param podId The pod (= licence token id).
     * @param transferable True when holders may transfer them.
     * @param market The minter that set it.
     */
    event LicenseTransferabilitySet(uint256 indexed podId, bool transferable, address indexed market);

    /**
     * @notice A licence of a pod whose licences are not transferable was about to move between two accounts.
     * @param podId The pod (= licence token id).
     */
    error PodLicensesNotTransferable(uint256 podId);

    /// @notice The registry address given to the constructor was zero.
    error PodLicensesZeroAddress();

    /**
     * @notice Mints one licence of `podId` to `to`. MINTER_ROLE only. A contract recipient must
     * accept it (IERC1155Receiver).
     * @param to The licensee.
     * @param podId The pod (= token id).
     */
    function mint(address to, uint256 podId) external;

    /**
     * @notice Sets whether the licences of `podId` may be transferred. MINTER_ROLE only (a market,
     * when the pod's seller lists it). Mints and burns are never restricted.
     * @param podId The pod (= token id).
     * @param transferable True to allow transfers.
     */
    function setTransferable(uint256 podId, bool transferable) external;

    /**
     * @notice Whether the licences of `podId` may be transferred.
     * @param podId The pod.
     * @return True when they may.
     */
    function isTransferable(uint256 podId) external view returns (bool);

    /**
     * @notice True when `account` holds a licence of `podId` or owns the pod.
     * @param account The account.
     * @param podId The pod.
     * @return Whether it is licensed.
     */
    function hasLicense(address account, uint256 podId) external view returns (bool);
}
