import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import { ChainError } from "./errors";
import { describeRevert, type ContractInterfaces } from "./revert";

/**
 * A contract method as typechain binds it: callable to send, `.staticCall` to simulate. Taking the
 * method and its arguments once (instead of a simulate closure and a send closure) makes the
 * simulation and the transaction the same call by construction.
 */
export interface SendableMethod<Args extends unknown[]> {
  (...args: Args): Promise<ContractTransactionResponse>;
  staticCall(...args: Args): Promise<unknown>;
}

/** The interface of the contract a typechain method belongs to (ethers keeps it on the method). */
function interfaceOf(method: object): Interface | undefined {
  return (method as { _contract?: { interface?: Interface } })._contract?.interface;
}

export interface ChainCallOptions {
  /** What the call does, in words ("list pod 3"); leads the error message. */
  action?: string;
  /** ABIs to decode a revert with (default: every Lure contract). */
  interfaces?: ContractInterfaces;
}

/**
 * Simulates a call (`staticCall`) and throws a ChainError "refused" naming the contract's error if
 * it would revert, before anything is signed; used alone when a step must be known to pass before
 * slower work (an upload) that precedes the transaction itself.
 */
export async function simulate<Args extends unknown[]>(method: SendableMethod<Args>, args: Args, options: ChainCallOptions = {}): Promise<void> {
  try {
    await method.staticCall(...args);
  } catch (error) {
    throw new ChainError("refused", describeRevert(error, options.interfaces, interfaceOf(method)), { action: options.action });
  }
}

/**
 * The one way Lure sends a transaction: simulate it, so a revert is reported (as
 * `Contract: Error(arg=value)`) before anything is signed or broadcast; send it; wait for the
 * receipt. A revert at any step becomes a ChainError: "refused" (nothing sent) or "failed"
 * (mined and reverted, with its hash).
 */
export async function transact<Args extends unknown[]>(
  method: SendableMethod<Args>,
  args: Args,
  options: ChainCallOptions = {},
): Promise<ContractTransactionReceipt> {
  await simulate(method, args, options);
  let response: ContractTransactionResponse;
  try {
    response = await method(...args);
  } catch (error) {
    // Gas estimation runs again at send time, against a state that may have moved since the simulation.
    throw new ChainError("refused", describeRevert(error, options.interfaces, interfaceOf(method)), { action: options.action });
  }
  try {
    const receipt = await response.wait();
    if (!receipt) throw new Error(`no receipt for ${response.hash}`);
    return receipt;
  } catch (error) {
    throw new ChainError("failed", describeRevert(error, options.interfaces, interfaceOf(method)), { action: options.action, hash: response.hash });
  }
}

/** Reads a view; a revert (a custom error such as PodNotFound) becomes a one-line ChainError "read". */
export async function read<T>(call: () => Promise<T>, options: ChainCallOptions = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ChainError("read", describeRevert(error, options.interfaces), { action: options.action });
  }
}
