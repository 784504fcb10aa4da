/**
 * Events Lure's contracts inherit from OpenZeppelin rather than declare in their interfaces
 * (ERC-721, AccessControl, Pausable, Ownable). typechain's interface factories do not list them, so
 * they are declared here, as JSON fragments typed `as const` like typechain's, for the handlers'
 * argument types. Each module adds them to its ABI: they are decoded so every event lands in the
 * `events` table, and Transfer drives pod ownership.
 */
export const OPENZEPPELIN_EVENTS = [
  event("Transfer", [address("from", true), address("to", true), uint256("tokenId", true)]),
  event("Approval", [address("owner", true), address("approved", true), uint256("tokenId", true)]),
  event("ApprovalForAll", [address("owner", true), address("operator", true), { name: "approved", type: "bool", indexed: false }]),
  event("RoleGranted", [bytes32("role", true), address("account", true), address("sender", true)]),
  event("RoleRevoked", [bytes32("role", true), address("account", true), address("sender", true)]),
  event("RoleAdminChanged", [bytes32("role", true), bytes32("previousAdminRole", true), bytes32("newAdminRole", true)]),
  event("Paused", [address("account", false)]),
  event("Unpaused", [address("account", false)]),
  event("OwnershipTransferred", [address("previousOwner", true), address("newOwner", true)]),
] as const;

function event<const Name extends string, const Inputs extends readonly { name: string; type: string; indexed: boolean }[]>(name: Name, inputs: Inputs) {
  return { type: "event", anonymous: false, name, inputs } as const;
}

function address<const Name extends string, const Indexed extends boolean>(name: Name, indexed: Indexed) {
  return { name, type: "address", indexed } as const;
}

function uint256<const Name extends string, const Indexed extends boolean>(name: Name, indexed: Indexed) {
  return { name, type: "uint256", indexed } as const;
}

function bytes32<const Name extends string, const Indexed extends boolean>(name: Name, indexed: Indexed) {
  return { name, type: "bytes32", indexed } as const;
}
