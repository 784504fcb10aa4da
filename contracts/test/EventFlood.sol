// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPodRegistry} from "../interfaces/IPodRegistry.sol";
import {IPodMarket} from "../interfaces/IPodMarket.sol";
import {IPodLicenses} from "../interfaces/IPodLicenses.sol";

/**
 * @title EventFlood
 * @notice Test and benchmark helper, never deployed outside a dev chain. It emits Lure's v2 events
 * with exactly the signatures and data layout of PodRegistry / PodMarket / PodLicenses (their
 * interfaces, ERC-721's Transfer and ERC-1155's TransferSingle / TransferBatch), many per transaction
 * and without any state, so the indexer can be driven with hundreds of thousands of events, or with a
 * chosen script of events, cheaply. Deploy one instance in each contract's role.
 */
contract EventFlood {
    /// @notice ERC-721 Transfer, as PodRegistry emits it.
    /// @param from The previous owner (0 for a mint).
    /// @param to The new owner.
    /// @param tokenId The pod.
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    /// @notice ERC-1155 TransferSingle, as PodLicenses emits it.
    /// @param operator The caller (the market for a mint).
    /// @param from The previous holder (0 for a mint).
    /// @param to The new holder (0 for a burn).
    /// @param id The pod (= licence token id).
    /// @param value How many licences moved.
    event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value);

    /// @notice ERC-1155 TransferBatch, as PodLicenses emits it.
    /// @param operator The caller.
    /// @param from The previous holder.
    /// @param to The new holder.
    /// @param ids The pods.
    /// @param values How many licences of each moved.
    event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values);

    /// @dev IPodMarket.LicensePurchased, declared here so that the ABI keeps listing it: Solidity puts
    /// the events a contract emits into its ABI, and buyLicenses emits it from assembly.
    /// @param podId The pod.
    /// @param buyer The licensee.
    /// @param seller The pod's owner.
    /// @param token The payment token.
    /// @param price The price paid.
    /// @param fee The platform fee.
    /// @param feeRecipient The fee recipient.
    /// @param royalty The total credited to ancestors.
    /// @param sellerProceeds Credited to the seller.
    /// @param revision The revision paid for.
    event LicensePurchased(
        uint256 indexed podId,
        address indexed buyer,
        address indexed seller,
        address token,
        uint256 price,
        uint256 fee,
        address feeRecipient,
        uint256 royalty,
        uint256 sellerProceeds,
        uint32 revision
    );

    /// @notice Mints `count` pods from `firstId`: Transfer + PodPublished + VersionPublished each.
    /// @dev The three events are the ones `publishNamed` emits with the name "flood pod" (and the ones
    /// PodRegistry.publish emits). The loop is written in assembly because only the ids change from
    /// pod to pod: the data of both events is laid out in memory once, and each pod costs about 12 EVM
    /// steps per event instead of ~65. The Hardhat node keeps an execution trace of every step until
    /// its JavaScript side collects the transaction's response, so steps per event are what
    /// bench:indexer's 1M-event flood costs the node in memory and time.
    /// @param firstId The first pod id.
    /// @param count How many pods.
    /// @param owner Their creator.
    /// @param parentPodId The parent of every pod, or 0.
    /// @param ref The manifest reference of every pod.
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
            mstore(add(pod, 0x80), mul(iszero(iszero(parentPodId)), 1000)) // royaltyBps: the parent's 1000 for a fork
            mstore(add(pod, 0xa0), 1000) // forkRoyaltyBps
            mstore(add(pod, 0xc0), 9) // length of "flood pod"
            mstore(add(pod, 0xe0), "flood pod")
            // VersionPublished data: abi.encode(ref, revision 1).
            let version := add(pod, 0x100)
            mstore(version, ref)
            mstore(add(version, 0x20), 1)
            mstore(0x40, add(version, 0x40))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let id := add(firstId, i)
                log4(0, 0, transferTopic, 0, owner, id)
                log4(pod, 0x100, podTopic, id, owner, parentPodId)
                log4(version, 0x40, versionTopic, id, 1, owner)
            }
        }
    }

    /// @notice One named original pod, for tests that search by name.
    /// @param id The pod id.
    /// @param owner Its creator.
    /// @param name Its name.
    /// @param ref Its manifest reference.
    function publishNamed(uint256 id, address owner, string calldata name, bytes32 ref) external {
        emit Transfer(address(0), owner, id);
        emit IPodRegistry.PodPublished(id, owner, 0, name, ref, IPodRegistry.Visibility.Public, 0, 0, 1000);
        emit IPodRegistry.VersionPublished(id, 1, ref, owner, 1);
    }

    /// @notice IPodRegistry.VersionPublished.
    /// @param podId The pod.
    /// @param version The version number.
    /// @param ref Its reference.
    /// @param publisher Who published it.
    /// @param revision The revision after it.
    function publishVersion(uint256 podId, uint64 version, bytes32 ref, address publisher, uint32 revision) external {
        emit IPodRegistry.VersionPublished(podId, version, ref, publisher, revision);
    }

    /// @notice IPodRegistry.VisibilityChanged.
    /// @param podId The pod.
    /// @param visibility The new visibility.
    /// @param actor Who changed it.
    /// @param revision The revision after it.
    function setVisibility(uint256 podId, IPodRegistry.Visibility visibility, address actor, uint32 revision) external {
        emit IPodRegistry.VisibilityChanged(podId, visibility, actor, revision);
    }

    /// @notice ERC-721 Transfer of a pod.
    /// @param from The previous owner.
    /// @param to The new owner.
    /// @param podId The pod.
    function transfer(address from, address to, uint256 podId) external {
        emit Transfer(from, to, podId);
    }

    /// @notice IPodMarket.Listed.
    /// @param podId The pod.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price The licence price.
    /// @param podPrice The whole-pod price.
    /// @param feeBps The listing's fee.
    /// @param transferable Whether its licences may be transferred.
    /// @param transfers The pod's transfer count.
    function list(
        uint256 podId,
        address seller,
        address token,
        uint256 price,
        uint256 podPrice,
        uint16 feeBps,
        bool transferable,
        uint32 transfers
    ) external {
        emit IPodMarket.Listed(podId, seller, token, price, podPrice, feeBps, transferable, transfers);
    }

    /// @notice IPodMarket.PriceChanged.
    /// @param podId The pod.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price The licence price.
    /// @param podPrice The whole-pod price.
    function setPrice(uint256 podId, address seller, address token, uint256 price, uint256 podPrice) external {
        emit IPodMarket.PriceChanged(podId, seller, token, price, podPrice);
    }

    /// @notice IPodMarket.ListingPaused.
    /// @param podId The pod.
    /// @param seller The seller.
    /// @param paused Paused or resumed.
    function setPaused(uint256 podId, address seller, bool paused) external {
        emit IPodMarket.ListingPaused(podId, seller, paused);
    }

    /// @notice IPodMarket.Delisted.
    /// @param podId The pod.
    /// @param seller The seller.
    function delist(uint256 podId, address seller) external {
        emit IPodMarket.Delisted(podId, seller);
    }

    /// @notice `count` licence sales of one original pod (no royalty) at revision 1 to buyers
    /// firstBuyer, firstBuyer+1, ... (as addresses), with a 2.5% fee credited to `feeRecipient`.
    /// @dev Assembly for the same reason as `publish`: only the buyer changes from sale to sale
    /// (about 20 EVM steps per event instead of ~155). The mints are `mintLicenses`, on the instance
    /// in PodLicenses' role.
    /// @param podId The pod.
    /// @param firstBuyer The first buyer.
    /// @param count How many sales.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price The price of each.
    /// @param feeRecipient Where the fee is credited.
    function buyLicenses(
        uint256 podId,
        uint160 firstBuyer,
        uint256 count,
        address seller,
        address token,
        uint256 price,
        address feeRecipient
    ) external {
        uint256 fee = price / 40;
        uint256 proceeds = price - fee;
        bytes32 topic = LicensePurchased.selector;
        if (count != 0) firstBuyer + uint160(count - 1); // checked: reverts where `firstBuyer + i` would wrap
        assembly ("memory-safe") {
            // LicensePurchased data: abi.encode(token, price, fee, feeRecipient, royalty 0, proceeds, revision 1).
            let sale := mload(0x40)
            mstore(sale, token)
            mstore(add(sale, 0x20), price)
            mstore(add(sale, 0x40), fee)
            mstore(add(sale, 0x60), feeRecipient)
            mstore(add(sale, 0x80), 0)
            mstore(add(sale, 0xa0), proceeds)
            mstore(add(sale, 0xc0), 1)
            mstore(0x40, add(sale, 0xe0))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                log4(sale, 0xe0, topic, podId, add(firstBuyer, i), seller)
            }
        }
    }

    /// @notice `count` licence mints of one pod, by `operator`, to holders firstHolder, firstHolder+1,
    /// ...: the TransferSingle events PodLicenses emits for the sales of `buyLicenses`.
    /// @dev Assembly, as `buyLicenses`.
    /// @param podId The pod (= token id).
    /// @param firstHolder The first holder.
    /// @param count How many mints.
    /// @param operator The minter (the market).
    function mintLicenses(uint256 podId, uint160 firstHolder, uint256 count, address operator) external {
        bytes32 topic = TransferSingle.selector;
        if (count != 0) firstHolder + uint160(count - 1); // checked: reverts where `firstHolder + i` would wrap
        assembly ("memory-safe") {
            // TransferSingle data: abi.encode(podId, 1).
            let mint := mload(0x40)
            mstore(mint, podId)
            mstore(add(mint, 0x20), 1)
            mstore(0x40, add(mint, 0x40))
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                log4(mint, 0x40, topic, operator, 0, add(firstHolder, i))
            }
        }
    }

    /// @notice ERC-1155 TransferSingle of licences (from 0: a mint; to 0: a burn).
    /// @param operator The caller.
    /// @param from The previous holder.
    /// @param to The new holder.
    /// @param podId The pod.
    /// @param value How many.
    function transferLicense(address operator, address from, address to, uint256 podId, uint256 value) external {
        emit TransferSingle(operator, from, to, podId, value);
    }

    /// @notice ERC-1155 TransferBatch of licences.
    /// @param operator The caller.
    /// @param from The previous holder.
    /// @param to The new holder.
    /// @param podIds The pods.
    /// @param values How many of each.
    function transferLicenses(address operator, address from, address to, uint256[] calldata podIds, uint256[] calldata values) external {
        emit TransferBatch(operator, from, to, podIds, values);
    }

    /// @notice IPodLicenses.LicenseTransferabilitySet.
    /// @param podId The pod.
    /// @param transferable Whether its licences may be transferred.
    /// @param market The market that set it.
    function setLicenseTransferable(uint256 podId, bool transferable, address market) external {
        emit IPodLicenses.LicenseTransferabilitySet(podId, transferable, market);
    }

    /// @notice IPodMarket.RoyaltyPaid.
    /// @param podId The pod sold.
    /// @param ancestorPodId The ancestor.
    /// @param receiver Its owner.
    /// @param token The payment token.
    /// @param amount The share.
    /// @param depth 1 for the parent, ...
    function payRoyalty(uint256 podId, uint256 ancestorPodId, address receiver, address token, uint256 amount, uint8 depth) external {
        emit IPodMarket.RoyaltyPaid(podId, ancestorPodId, receiver, token, amount, depth);
    }

    /// @notice IPodMarket.PodSold of an original pod at revision `revision`, 2.5% fee to 0xFEE.
    /// @param podId The pod.
    /// @param buyer The buyer.
    /// @param seller The seller.
    /// @param token The payment token.
    /// @param price The price.
    /// @param revision The revision paid for.
    function sellPod(uint256 podId, address buyer, address seller, address token, uint256 price, uint32 revision) external {
        uint256 fee = price / 40;
        emit IPodMarket.PodSold(podId, buyer, seller, token, price, fee, address(0xFEE), 0, price - fee, revision);
    }

    /// @notice IPodMarket.Withdrawn.
    /// @param account The payee.
    /// @param token The token.
    /// @param recipient Where it was sent.
    /// @param amount The amount.
    function withdraw(address account, address token, address recipient, uint256 amount) external {
        emit IPodMarket.Withdrawn(account, token, recipient, amount);
    }

    /// @notice IPodMarket.FeeChangeProposed.
    /// @param currentBps The fee in force.
    /// @param newBps The proposed fee.
    /// @param executableAt When it may be applied.
    function proposeFee(uint16 currentBps, uint16 newBps, uint48 executableAt) external {
        emit IPodMarket.FeeChangeProposed(currentBps, newBps, executableAt);
    }

    /// @notice IPodMarket.FeeChangeCancelled.
    /// @param cancelledBps The fee that was proposed.
    function cancelFee(uint16 cancelledBps) external {
        emit IPodMarket.FeeChangeCancelled(cancelledBps);
    }

    /// @notice IPodMarket.FeeChanged.
    /// @param previousBps Before.
    /// @param newBps After.
    function setFee(uint16 previousBps, uint16 newBps) external {
        emit IPodMarket.FeeChanged(previousBps, newBps);
    }

    /// @notice IPodMarket.TokenAllowed.
    /// @param token The token.
    /// @param allowed Whether it is allowed.
    function allowToken(address token, bool allowed) external {
        emit IPodMarket.TokenAllowed(token, allowed);
    }
}
