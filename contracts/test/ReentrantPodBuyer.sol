// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IPodMarket} from "../interfaces/IPodMarket.sol";

/// @notice Contract buyer whose onERC721Received re-enters the market with `payload` (buy, buyPod or
/// withdraw) while `buyPod` is handing over the token. The inner revert is recorded, or bubbled
/// up when `bubble` is set so that the whole purchase fails.
contract ReentrantPodBuyer is IERC721Receiver {
    IPodMarket public immutable market;
    bytes public payload;
    bool public bubble;
    bool public accept = true;
    uint256 public reentries;
    bytes public lastReentryError;

    constructor(IPodMarket market_) {
        market = market_;
    }

    function arm(bytes calldata payload_, bool bubble_) external {
        payload = payload_;
        bubble = bubble_;
    }

    function setAccept(bool accept_) external {
        accept = accept_;
    }

    function buyPod(uint256 podId, uint32 revision, address token, uint256 maxPrice) external payable {
        market.buyPod{value: msg.value}(podId, revision, token, maxPrice);
    }

    function buy(uint256 podId, uint32 revision, address token, uint256 maxPrice) external payable {
        market.buy{value: msg.value}(podId, revision, token, maxPrice);
    }

    function onERC721Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        if (payload.length != 0) {
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
        return accept ? IERC721Receiver.onERC721Received.selector : bytes4(0xdeadbeef);
    }

    receive() external payable {}
}
