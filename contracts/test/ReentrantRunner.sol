// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRunMarket} from "../interfaces/IRunMarket.sol";

/// @notice Attacker registered as a runner: it claims and completes runs to earn native credit, then
/// withdraws it (with `withdraw` or `withdrawTo` itself) while its receive hook re-enters the market
/// with an armed payload. The inner revert is recorded, or bubbled up when `bubble` is set.
contract ReentrantRunner {
    IRunMarket public immutable market;
    bytes public payload;
    bool public bubble;
    bool public useWithdrawTo;
    uint256 public reentries;
    bytes public lastReentryError;

    constructor(IRunMarket market_) {
        market = market_;
    }

    function arm(bytes calldata payload_, bool bubble_, bool useWithdrawTo_) external {
        payload = payload_;
        bubble = bubble_;
        useWithdrawTo = useWithdrawTo_;
    }

    function register(uint256 fee) external payable {
        address[] memory tokens = new address[](1);
        uint256[] memory fees = new uint256[](1);
        fees[0] = fee;
        market.registerRunner{value: msg.value}(keccak256("attacker key"), tokens, fees);
    }

    function claimAndComplete(uint256 runId) external {
        market.claim(runId);
        market.complete(runId, keccak256("out"), keccak256("log"));
    }

    function withdraw() external returns (uint256) {
        return useWithdrawTo ? market.withdrawTo(address(0), address(this)) : market.withdraw(address(0));
    }

    receive() external payable {
        reentries += 1;
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
