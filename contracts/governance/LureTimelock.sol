// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Compiled only so that Hardhat writes an artifact of OpenZeppelin's TimelockController, which
// scripts/deploy.ts deploys on real networks to hold the market's GOVERNOR_ROLE.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
