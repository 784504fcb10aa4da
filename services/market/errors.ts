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
