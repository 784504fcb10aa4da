// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IPodMarket} from "../interfaces/IPodMarket.sol";

/// @notice Contract buyer whose onERC1155Received re-enters the market with `payload` (buy, buyPod,
/// withdraw...) while `buy` mints its licence. The inner revert is recorded, or bubbled up when
/// `bubble` is set so that the whole purchase fails. With `accept` false it rejects the licence.
contract ReentrantLicenseBuyer is IERC1155Receiver {
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

    function buy(uint256 podId, uint32 revision, address token, uint256 maxPrice) external payable {
        market.buy{value: msg.value}(podId, revision, token, maxPrice);
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        if (payload.length != 0) {
            reentries += 1;
            (bool ok, bytes memory reason) = address(market).call{value: address(this).balance}(payload);
            if (!ok) {
                if (bubble) {
                    assembly {
                        revert(add(reason, 32), mload(reason))
                    }
                }
                lastReentryError = reason;
            }
        }
        return accept ? IERC1155Receiver.onERC1155Received.selector : bytes4(0xdeadbeef);
    }

    function onERC1155BatchReceived(
        address,
        address,
        uint256[] calldata,
        uint256[] calldata,
        bytes calldata
    ) external pure returns (bytes4) {
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    receive() external payable {}
}
