// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPodRegistryV1Events as IPodRegistry} from "./LegacyEvents.sol";
import {IPodMarketV1Events as IPodMarket} from "./LegacyEvents.sol";

/**
 * @title EventFlood
 * @notice Test and benchmark helper, never deployed outside a dev chain. It emits Lure's events with
 * exactly the signatures of IPodRegistry / IPodMarket / ERC-721, many per transaction and without any
 * state, so the indexer can be driven with hundreds of thousands of events, or with a chosen script
 * of events, cheaply. Deploy one instance in the PodRegistry's role and one in the PodMarket's.
 */
contract EventFlood {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    /// @dev IPodMarket.LicensePurchased, declared here so that the ABI keeps listing it: Solidity puts
    /// the events a contract emits into its ABI, and buyLicenses emits it from assembly.
    event LicensePurchased(
        uint256 indexed podId,
        address indexed buyer,
        address indexed seller,
        address token,
        uint256 price,
        uint256 fee,
        address feeRecipient,
        uint256 royalty,
        address royaltyReceiver,
        uint256 sellerProceeds
    );

    /// @notice Mints `count` pods from `firstId`: Transfer + PodPublished + VersionPublished each.
    /// @dev The three events are the ones `publishNamed` emits with the name "flood pod". The loop is
    /// written in assembly because only the ids change from pod to pod: the data of both events is
    /// laid out in memory once, and each pod costs about 12 EVM steps per event instead of ~65. The
    /// Hardhat node keeps an execution trace of every step until its JavaScript side collects the
    /// transaction's response, so steps per event are what bench:indexer's 1M-event flood costs the
    /// node in memory and time.
    function publish(uint256 firstId, uint256 count, address owner, uint256 parentPodId, bytes32 ref) external {
        bytes32 transferTopic = Transfer.selector;
        bytes32 podTopic = IPodRegistry.PodPublished.selector;
        bytes32 versionTopic = IPodRegistry.VersionPublished.selector;
        if (count != 0) firstId + (count - 1); // checked: reverts where `firstId + i` would wrap
        assembly ("memory-safe") {
            // PodPublished data: abi.encode("flood pod", ref, Public, parentVersion, royaltyBps, 1000).
            let pod := mload(0x40)
            mstore(pod, 0xc0) // offset of the name
            mstore(add(pod, 0x20), ref)
            mstore(add(pod, 0x40), 1) // Visibility.Public
            mstore(add(pod, 0x60), iszero(iszero(parentPodId))) // parentVersion: 1 for a fork
            mstore(add(pod, 0x80), mul(iszero(iszero(parentPodId)), 500)) // royaltyBps: 500 for a fork
            mstore(add(pod, 0xa0), 1000) // forkRoyaltyBps
            mstore(add(pod, 0xc0), 9) // length of "flood pod"
            mstore(add(pod, 0xe0), "flood pod")
            // VersionPublished data: abi.encode(ref).
            let version := add(pod, 0x100)
            mstore(version, ref)
            mstore(0x40, add(version, 0x20))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let id := add(firstId, i)
                log4(0, 0, transferTopic, 0, owner, id)
                log4(pod, 0x100, podTopic, id, owner, parentPodId)
                log4(version, 0x20, versionTopic, id, 1, owner)
            }
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
    /// @dev Assembly for the same reason as `publish`: only the buyer changes from sale to sale
    /// (about 20 EVM steps per event instead of ~155).
    function buyLicenses(uint256 podId, uint160 firstBuyer, uint256 count, address seller, address token, uint256 price) external {
        uint256 fee = price / 40;
        uint256 royalty = price / 20;
        uint256 proceeds = price - fee - royalty;
        bytes32 topic = LicensePurchased.selector;
        if (count != 0) firstBuyer + uint160(count - 1); // checked: reverts where `firstBuyer + i` would wrap
        assembly ("memory-safe") {
            // LicensePurchased data: abi.encode(token, price, fee, 0xFEE, royalty, 0xA11CE, proceeds).
            let sale := mload(0x40)
            mstore(sale, token)
            mstore(add(sale, 0x20), price)
            mstore(add(sale, 0x40), fee)
            mstore(add(sale, 0x60), 0xFEE)
            mstore(add(sale, 0x80), royalty)
            mstore(add(sale, 0xa0), 0xA11CE)
            mstore(add(sale, 0xc0), proceeds)
            mstore(0x40, add(sale, 0xe0))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                log4(sale, 0xe0, topic, podId, add(firstBuyer, i), seller)
            }
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
