// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// An ERC-721 whose Transfer event shares the ERC-20 topic but has 4 topics;
/// payment verification must ignore it.
contract TestCollectible is ERC721 {
    constructor() ERC721("Test Collectible", "TCOL") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}
