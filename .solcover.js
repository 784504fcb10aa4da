// solidity-coverage settings for `npm run coverage` (contracts/ only; figures must stay >= 95% lines and branches).
/* global module -- solidity-coverage loads this file with require(), as CommonJS */
module.exports = {
  // Test doubles and pure interfaces are not product code.
  skipFiles: ["test/", "interfaces/"],
  // Keep coverage runs quiet about the instrumented compile.
  silent: true,
  // The property tests are slower under instrumentation; mocha options apply to the coverage run only.
  mocha: { timeout: 300000 },
};
