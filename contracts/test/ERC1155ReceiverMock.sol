// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// @notice ERC-1155 receiver for the behaviour tests: returns the given values, or fails in the chosen way.
contract ERC1155ReceiverMock is ERC165, IERC1155Receiver {
    /// @notice How the hooks fail.
    enum Failure {
        None,
        RevertWithoutMessage,
        RevertWithMessage,
        RevertWithCustomError,
        Panic
    }

    bytes4 private immutable _singleRetval;
    bytes4 private immutable _batchRetval;
    Failure private immutable _failure;

    /// @notice A single transfer was received.
    event Received(address operator, address from, uint256 id, uint256 value, bytes data);
    /// @notice A batch transfer was received.
    event BatchReceived(address operator, address from, uint256[] ids, uint256[] values, bytes data);
    /// @notice The custom error raised with Failure.RevertWithCustomError.
    error CustomError(bytes4 retval);

    constructor(bytes4 singleRetval, bytes4 batchRetval, Failure failure) {
        _singleRetval = singleRetval;
        _batchRetval = batchRetval;
        _failure = failure;
    }

    function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes calldata data) external returns (bytes4) {
        _fail(_singleRetval);
        emit Received(operator, from, id, value, data);
        return _singleRetval;
    }

    function onERC1155BatchReceived(
        address operator,
        address from,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external returns (bytes4) {
        _fail(_batchRetval);
        emit BatchReceived(operator, from, ids, values, data);
        return _batchRetval;
    }

    function _fail(bytes4 retval) private view {
        if (_failure == Failure.RevertWithoutMessage) revert();
        if (_failure == Failure.RevertWithMessage) revert("ERC1155ReceiverMock: reverting");
        if (_failure == Failure.RevertWithCustomError) revert CustomError(retval);
        if (_failure == Failure.Panic) {
            uint256 zero;
            zero = 1 / zero;
        }
    }
}
