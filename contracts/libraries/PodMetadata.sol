// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {SwarmRef} from "./SwarmRef.sol";

/**
 * @title PodMetadata
 * @notice Renders a pod's ERC-721 metadata JSON, with an SVG image drawn on chain, as
 * `data:application/json;base64,...`.
 * @dev A private pod's metadata leaves out its Swarm reference: wallets and NFT marketplaces show
 * metadata to anyone. The reference is still public chain data (events, `pod()`); a private pod's
 * content is protected by its encryption, not by hiding the reference.
 */
library PodMetadata {
    using Strings for uint256;

    /// @notice What the metadata shows.
    struct Data {
        uint256 podId;
        string name;
        uint256 versionCount;
        bool isPublic;
        uint256 parentPodId;
        uint256 parentVersion;
        uint256 royaltyBps;
        uint256 forkRoyaltyBps;
        bytes32 latestRef;
    }

    /**
     * @notice The metadata JSON of a pod as a base64 data URI.
     * @param d The pod's data.
     * @return The `data:application/json;base64,...` URI.
     */
    function tokenURI(Data memory d) internal pure returns (string memory) {
        string memory id = d.podId.toString();
        string memory link = d.isPublic
            ? string.concat('"external_url":"bzz://', SwarmRef.toHex(d.latestRef), '",')
            : "";
        string memory json = string.concat(
            '{"name":"',
            Strings.escapeJSON(d.name),
            '","description":"Lure compute pod #',
            id,
            d.isPublic ? ', stored on Swarm."' : ', private: its content is encrypted for licensees."',
            ",",
            link,
            '"image":"data:image/svg+xml;base64,',
            Base64.encode(bytes(image(d))),
            '","attributes":',
            attributes(d),
            "}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }

    /**
     * @notice The `attributes` array of the metadata.
     * @param d The pod's data.
     * @return The JSON array.
     */
    function attributes(Data memory d) internal pure returns (string memory) {
        string memory lineage = d.parentPodId == 0
            ? '{"trait_type":"Lineage","value":"Original"}'
            : string.concat(
                '{"trait_type":"Lineage","value":"Fork"},{"trait_type":"Parent pod","display_type":"number","value":',
                d.parentPodId.toString(),
                '},{"trait_type":"Parent version","display_type":"number","value":',
                d.parentVersion.toString(),
                '},{"trait_type":"Royalty (bps)","display_type":"number","value":',
                d.royaltyBps.toString(),
                "}"
            );
        return
            string.concat(
                '[{"trait_type":"Versions","display_type":"number","value":',
                d.versionCount.toString(),
                '},{"trait_type":"Visibility","value":"',
                d.isPublic ? "Public" : "Private",
                '"},',
                lineage,
                ',{"trait_type":"Fork royalty (bps)","display_type":"number","value":',
                d.forkRoyaltyBps.toString(),
                "}]"
            );
    }

    /**
     * @notice The SVG image: the pod's number, name, version count, visibility and parent.
     * @param d The pod's data.
     * @return The SVG document.
     */
    function image(Data memory d) internal pure returns (string memory) {
        string memory parent = d.parentPodId == 0
            ? "original"
            : string.concat("fork of #", d.parentPodId.toString(), " v", d.parentVersion.toString());
        return
            string.concat(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400"><rect width="400" height="400" fill="',
                d.isPublic ? "#14532d" : "#3b0764",
                '"/><g font-family="monospace" fill="#ffffff"><text x="24" y="60" font-size="28">Lure pod #',
                d.podId.toString(),
                '</text><text x="24" y="120" font-size="20">',
                xmlEscape(d.name),
                '</text><text x="24" y="300" font-size="16">v',
                d.versionCount.toString(),
                d.isPublic ? " | public" : " | private",
                '</text><text x="24" y="340" font-size="16">',
                parent,
                "</text></g></svg>"
            );
    }

    /**
     * @notice Escapes `&`, `<`, `>`, `"` and `'` for XML text, and turns control characters into spaces.
     * @param input The text.
     * @return The escaped text.
     */
    function xmlEscape(string memory input) internal pure returns (string memory) {
        bytes memory source = bytes(input);
        bytes memory out = new bytes(source.length * 6); // "&quot;" is the longest replacement
        uint256 length;
        for (uint256 i = 0; i < source.length; ++i) {
            bytes1 c = source[i];
            bytes memory replacement;
            if (c == "&") replacement = "&amp;";
            else if (c == "<") replacement = "&lt;";
            else if (c == ">") replacement = "&gt;";
            else if (c == '"') replacement = "&quot;";
            else if (c == "'") replacement = "&#39;";
            else if (uint8(c) < 0x20 || c == 0x7f) replacement = " ";
            if (replacement.length == 0) {
                out[length++] = c;
            } else {
                for (uint256 j = 0; j < replacement.length; ++j) out[length++] = replacement[j];
            }
        }
        assembly ("memory-safe") {
            mstore(out, length)
        }
        return string(out);
    }
}
