// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @notice ERC-721 receiver for the behaviour tests: returns `retval`, or fails in the chosen way.
contract ERC721ReceiverMock is IERC721Receiver {
    /// @notice How onERC721Received fails.
    enum Failure {
        None,
        RevertWithoutMessage,
        RevertWithMessage,
        RevertWithCustomError,
        Panic
    }

    bytes4 private immutable _retval;
    Failure private immutable _failure;

    /// @notice What was received.
    event Received(address operator, address from, uint256 tokenId, bytes data);
    /// @notice The custom error raised with Failure.RevertWithCustomError.
    error CustomError(bytes4 retval);

    constructor(bytes4 retval, Failure failure) {
        _retval = retval;
        _failure = failure;
    }

    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data) external returns (bytes4) {
        if (_failure == Failure.RevertWithoutMessage) revert();
        if (_failure == Failure.RevertWithMessage) revert("ERC721ReceiverMock: reverting");
        if (_failure == Failure.RevertWithCustomError) revert CustomError(_retval);
        if (_failure == Failure.Panic) {
            uint256 zero;
            zero = 1 / zero;
        }
        emit Received(operator, from, tokenId, data);
        return _retval;
    }
}
