// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPodRegistry} from "../interfaces/IPodRegistry.sol";
import {IPodMarket} from "../interfaces/IPodMarket.sol";

/**
 * @title EventFlood
 * @notice Test and benchmark helper, never deployed outside a dev chain. It emits Lure's events with
 * exactly the signatures of IPodRegistry / IPodMarket / ERC-721, many per transaction and without any
 * state, so the indexer can be driven with hundreds of thousands of events, or with a chosen script
 * of events, cheaply. Deploy one instance in the PodRegistry's role and one in the PodMarket's.
 */
contract EventFlood {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    /// @notice Mints `count` pods from `firstId`: Transfer + PodPublished + VersionPublished each.
    function publish(uint256 firstId, uint256 count, address owner, uint256 parentPodId, bytes32 ref) external {
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = firstId + i;
            emit Transfer(address(0), owner, id);
            emit IPodRegistry.PodPublished(
                id,
                owner,
                parentPodId,
                "flood pod",
                ref,
                IPodRegistry.Visibility.Public,
                parentPodId == 0 ? 0 : 1,
                parentPodId == 0 ? 0 : 500,
                1000
            );
            emit IPodRegistry.VersionPublished(id, 1, ref, owner);
        }
    }

    /// @notice One named pod, for tests that search by name.
    function publishNamed(uint256 id, address owner, string calldata name, bytes32 ref) external {
        emit Transfer(address(0), owner, id);
        emit IPodRegistry.PodPublished(id, owner, 0, name, ref, IPodRegistry.Visibility.Public, 0, 0, 1000);
        emit IPodRegistry.VersionPublished(id, 1, ref, owner);
    }

    function publishVersion(uint256 podId, uint64 version, bytes32 ref, address publisher) external {
        emit IPodRegistry.VersionPublished(podId, version, ref, publisher);
    }

    function setVisibility(uint256 podId, IPodRegistry.Visibility visibility) external {
        emit IPodRegistry.VisibilityChanged(podId, visibility);
    }

    function transfer(address from, address to, uint256 podId) external {
        emit Transfer(from, to, podId);
    }

    function list(uint256 podId, address seller, address token, uint256 price, uint256 podPrice) external {
        emit IPodMarket.Listed(podId, seller, token, price, podPrice);
    }

    function setPrice(uint256 podId, address seller, address token, uint256 price, uint256 podPrice) external {
        emit IPodMarket.PriceChanged(podId, seller, token, price, podPrice);
    }

    function setPaused(uint256 podId, address seller, bool paused) external {
        emit IPodMarket.ListingPaused(podId, seller, paused);
    }

    function delist(uint256 podId, address seller) external {
        emit IPodMarket.Delisted(podId, seller);
    }

    /// @notice `count` licence sales of one pod to buyers firstBuyer, firstBuyer+1, ... (as addresses).
    function buyLicenses(uint256 podId, uint160 firstBuyer, uint256 count, address seller, address token, uint256 price) external {
        uint256 fee = price / 40;
        uint256 royalty = price / 20;
        for (uint256 i = 0; i < count; ++i) {
            emit IPodMarket.LicensePurchased(
                podId,
                address(firstBuyer + uint160(i)),
                seller,
                token,
                price,
                fee,
                address(0xFEE),
                royalty,
                address(0xA11CE),
                price - fee - royalty
            );
        }
    }

    function sellPod(uint256 podId, address buyer, address seller, address token, uint256 price) external {
        uint256 fee = price / 40;
        emit IPodMarket.PodSold(podId, buyer, seller, token, price, fee, address(0xFEE), 0, address(0), price - fee);
    }

    function withdraw(address account, address token, uint256 amount) external {
        emit IPodMarket.Withdrawn(account, token, amount);
    }

    function setFee(uint16 previousBps, uint16 newBps) external {
        emit IPodMarket.FeeChanged(previousBps, newBps);
    }

    function allowToken(address token, bool allowed) external {
        emit IPodMarket.TokenAllowed(token, allowed);
    }
}
