// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPodRegistry} from "../interfaces/IPodRegistry.sol";
import {IPodMarket} from "../interfaces/IPodMarket.sol";

/// @notice Attacker that owns and lists a pod, then tries to withdraw its native credit twice by
/// re-entering `withdraw` (or `withdrawTo`, with `useWithdrawTo`) from its receive hook. With
/// `bubble` the inner revert fails the payment; without it the inner revert is recorded and the
/// single payment is accepted. `withdrawTo` sends to the attacker itself, so its hook runs.
contract ReentrantWithdrawer {
    IPodRegistry public immutable registry;
    IPodMarket public immutable market;
    bool public bubble;
    bool public useWithdrawTo;
    uint256 public reentries;
    bytes public lastReentryError;

    constructor(IPodRegistry registry_, IPodMarket market_) {
        registry = registry_;
        market = market_;
    }

    function setBubble(bool bubble_) external {
        bubble = bubble_;
    }

    function setUseWithdrawTo(bool useWithdrawTo_) external {
        useWithdrawTo = useWithdrawTo_;
    }

    function publishAndList(string calldata name, bytes32 ref, uint256 price) external returns (uint256 podId) {
        podId = registry.publish(name, ref, IPodRegistry.Visibility.Public, 0, 0, 0);
        market.list(podId, address(0), price, 0, false);
    }

    function withdraw() external returns (uint256) {
        return useWithdrawTo ? market.withdrawTo(address(0), address(this)) : market.withdraw(address(0));
    }

    receive() external payable {
        reentries += 1;
        bytes memory payload = useWithdrawTo
            ? abi.encodeCall(IPodMarket.withdrawTo, (address(0), address(this)))
            : abi.encodeCall(IPodMarket.withdraw, (address(0)));
        (bool ok, bytes memory reason) = address(market).call(payload);
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
