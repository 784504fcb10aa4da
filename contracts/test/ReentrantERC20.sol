// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test token with a transfer hook (like ERC-777): when armed, every transferFrom first
/// calls `victim` with `payload`, so a hostile token can try to re-enter the market mid-purchase.
/// The hook's revert reason is recorded (or bubbled up when `bubble` is set).
contract ReentrantERC20 is ERC20 {
    address public victim;
    bytes public payload;
    bool public bubble;
    bytes public lastHookError;
    uint256 public hookCalls;

    constructor() ERC20("Hook Token", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_, bool bubble_) external {
        victim = target_;
        payload = payload_;
        bubble = bubble_;
    }

    function transferFrom(address from, address to, uint256 amount) public override returns (bool) {
        if (victim != address(0)) {
            hookCalls += 1;
            (bool ok, bytes memory reason) = victim.call(payload);
            if (!ok) {
                if (bubble) {
                    assembly {
                        revert(add(reason, 32), mload(reason))
                    }
                }
                lastHookError = reason;
            }
        }
        return super.transferFrom(from, to, amount);
    }
}
