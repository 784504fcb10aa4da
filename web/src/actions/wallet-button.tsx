import { connectWallet, disconnectWallet, switchChain, useWallet, wrongChain } from "../wallet/store";
import { shortAddress } from "../wallet/format";

/** Header control: the wallets discovered (EIP-6963), connect, the account and its chain, switch chain, disconnect. */
export function WalletButton() {
  const state = useWallet();
  const { wallets, wallet, account, config, connecting, error } = state;
  const alert = error ? (
    <span class="wallet-error-inline" role="alert">
      {error}
    </span>
  ) : null;
  if (!wallet || !account) {
    if (wallets.length === 0) {
      return (
        <span class="wallet-status wallet-none" data-wallet="none" title="Install a browser wallet (EIP-6963) to buy, run and send messages">
          No wallet: read-only
        </span>
      );
    }
    return (
      <span class="wallet-status" data-wallet="disconnected">
        {wallets.map((candidate) => (
          <button key={candidate.info.uuid} type="button" class="wallet-button wallet-connect" disabled={connecting} onClick={() => void connectWallet(candidate)}>
            {candidate.info.icon && <img src={candidate.info.icon} alt="" width={16} height={16} />}
            {connecting ? "Connecting…" : wallets.length === 1 ? "Connect wallet" : `Connect ${candidate.info.name}`}
          </button>
        ))}
        {alert}
      </span>
    );
  }
  const wrong = wrongChain(state);
  return (
    <span class="wallet-status" data-wallet="connected" data-account={account} data-chain={state.chainId}>
      <a href={`#/accounts/${account}`} class="wallet-account" title={`${account} in ${wallet.info.name}`}>
        {shortAddress(account)}
      </a>
      {wrong && config ? (
        <button type="button" class="wallet-button wallet-switch" onClick={() => void switchChain()} title={`Your wallet is on chain ${state.chainId}`}>
          Wrong chain: switch to {config.chainName}
        </button>
      ) : (
        <span class="wallet-chain">{config?.chainName ?? `chain ${state.chainId}`}</span>
      )}
      <button type="button" class="wallet-button wallet-disconnect" onClick={disconnectWallet}>
        Disconnect
      </button>
      {alert}
    </span>
  );
}
