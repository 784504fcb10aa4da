import { ZeroAddress, getAddress } from "ethers";
import { invalid } from "./errors";
import { formatAmount, tokenInfo, type TokenInfo } from "./format";
import type { WalletSession } from "./store";
import { txStep, type ActionPlan } from "./transaction";

/**
 * Earnings waiting to be withdrawn: pull-payment credits in PodMarket (sales, royalties), RunMarket
 * (pod proceeds, runner fees, refunds, returned bonds) and MessageBus (inbox earnings), per token,
 * as services/market/balances.ts, runs.ts and messages.ts read and withdraw them.
 */
export type CreditSource = "PodMarket" | "RunMarket" | "MessageBus";

export interface Credit {
  source: CreditSource;
  token: TokenInfo;
  amount: bigint;
}

const WHAT: Record<CreditSource, string> = {
  PodMarket: "sales and royalties",
  RunMarket: "runs: pod proceeds, runner fees, refunds",
  MessageBus: "messages to your inbox",
};

export function creditDescription(source: CreditSource): string {
  return WHAT[source];
}

/** The ERC-20s the account has dealt in, from GraphQL (`account.balances`), best effort: the native coin is always read. */
async function knownTokens(session: WalletSession): Promise<string[]> {
  const tokens = new Set<string>([ZeroAddress]);
  try {
    const response = await fetch(session.config.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query ($address: Address!) { account(address: $address) { balances { token } } }", variables: { address: session.account } }),
    });
    const body = (await response.json()) as { data?: { account?: { balances?: { token?: string }[] } | null } };
    for (const balance of body.data?.account?.balances ?? []) {
      if (typeof balance.token === "string" && /^0x[0-9a-fA-F]{40}$/.test(balance.token)) tokens.add(getAddress(balance.token));
    }
  } catch {
    // GraphQL unavailable: the native coin is still read from the chain
  }
  return [...tokens];
}

/** Every non-zero credit of the connected account, read from the three contracts through the wallet. */
export async function readCredits(session: WalletSession): Promise<Credit[]> {
  const { market, runMarket, messages } = session.contracts;
  const credits: Credit[] = [];
  for (const address of await knownTokens(session)) {
    const token = await tokenInfo(session.config, address, session.signer);
    const [sales, runs, inbox] = await Promise.all([market.creditOf(session.account, address), runMarket.creditOf(session.account, address), messages.creditOf(session.account, address)]);
    if (sales > 0n) credits.push({ source: "PodMarket", token, amount: sales });
    if (runs > 0n) credits.push({ source: "RunMarket", token, amount: runs });
    if (inbox > 0n) credits.push({ source: "MessageBus", token, amount: inbox });
  }
  return credits;
}

/** The plan of withdrawing one whole credit to the account itself. */
export function planWithdraw(session: WalletSession, credit: Credit): ActionPlan {
  if (credit.amount === 0n) throw invalid(`nothing to withdraw: no ${credit.token.symbol} credit in ${credit.source}`);
  const contract = { PodMarket: session.contracts.market, RunMarket: session.contracts.runMarket, MessageBus: session.contracts.messages }[credit.source];
  const title = `Withdraw ${formatAmount(credit.amount, credit.token)} from ${credit.source}`;
  return {
    title,
    costs: [
      { label: "You receive", amount: formatAmount(credit.amount, credit.token) },
      { label: "You pay", amount: `gas only, in ${session.config.nativeSymbol}` },
    ],
    notes: [`Your whole ${credit.token.symbol} credit in ${credit.source} (${WHAT[credit.source]}) is paid to ${session.account}.`],
    steps: [txStep(title, contract.withdraw, [credit.token.address])],
  };
}
