import { formatUnits } from "ethers";

/** A market operation refused before anything was sent: not listed, not for sale, nothing to withdraw… */
export class MarketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MarketError";
  }
}

/** The price is above what the buyer said they would pay; nothing was sent. */
export class PriceAboveMaximumError extends MarketError {
  constructor(
    readonly podId: bigint,
    readonly price: bigint,
    readonly maxPrice: bigint,
    readonly decimals: number,
  ) {
    super(`the price of pod ${podId} is ${formatUnits(price, decimals)}, above the maximum ${formatUnits(maxPrice, decimals)}`);
    this.name = "PriceAboveMaximumError";
  }
}

/**
 * The pod's content changed between the quote and the purchase (the seller added a version or
 * changed its visibility); nothing was sent. Quote again to see what is for sale now.
 */
export class ContentChangedError extends MarketError {
  constructor(
    readonly podId: bigint,
    readonly quotedRevision: bigint,
    readonly currentRevision: bigint,
  ) {
    super(
      `pod ${podId} changed since the quote: you were quoted revision ${quotedRevision}, it is now at revision ${currentRevision} (a version was added or its visibility changed); nothing was bought, check the pod and buy again`,
    );
    this.name = "ContentChangedError";
  }
}

/** A governance call from an account without the market's GOVERNOR_ROLE; nothing was sent. */
export class NotGovernorError extends MarketError {
  constructor(
    readonly action: string,
    readonly account: string,
  ) {
    super(`${action} needs the market's GOVERNOR_ROLE, which ${account} does not hold; sign with the governor account`);
    this.name = "NotGovernorError";
  }
}
