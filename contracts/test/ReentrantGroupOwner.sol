// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Attacker for GroupRegistry and MessageBus withdrawals: it acts through `exec` (create a
/// group, set an inbox, withdraw...), and when armed its receive hook calls `victim` with `payload`
/// (e.g. the same withdrawal again). With `bubble` the inner revert fails the payment; without it
/// the inner revert is recorded and the single payment is accepted.
contract ReentrantGroupOwner {
    address public victim;
    bytes public payload;
    bool public bubble;
    uint256 public reentries;
    bytes public lastReentryError;

    function arm(address victim_, bytes calldata payload_, bool bubble_) external {
        victim = victim_;
        payload = payload_;
        bubble = bubble_;
    }

    function exec(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    receive() external payable {
        if (victim == address(0)) return;
        reentries += 1;
        (bool ok, bytes memory reason) = victim.call(payload);
        if (!ok) {
            if (bubble) {
                assembly {
                    revert(add(reason, 32), mload(reason))
                }
            }
            lastReentryError = reason;
        }
    }
}
