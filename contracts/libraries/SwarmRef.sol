// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title SwarmRef
/// @notice Formats a 32-byte Swarm reference the way Bee prints it: 64 lowercase hex digits, no 0x.
library SwarmRef {
    bytes16 private constant HEX_DIGITS = "0123456789abcdef";

    /**
     * @notice The reference as 64 lowercase hex digits.
     * @param ref The reference.
     * @return The hex string, without 0x.
     */
    function toHex(bytes32 ref) internal pure returns (string memory) {
        bytes memory out = new bytes(64);
        for (uint256 i = 0; i < 32; ++i) {
            uint8 b = uint8(ref[i]);
            out[2 * i] = HEX_DIGITS[b >> 4];
            out[2 * i + 1] = HEX_DIGITS[b & 0x0f];
        }
        return string(out);
    }
}
