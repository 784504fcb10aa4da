import type { AppConfig } from "../app-config";
import { chainIdHex, rpcErrorCode, UNRECOGNIZED_CHAIN, type Eip1193Provider } from "./eip1193";

/**
 * Moves the wallet to the app's chain: `wallet_switchEthereumChain`, and when the wallet does not
 * know the chain (4902, or an error saying so), `wallet_addEthereumChain` with the configuration's
 * name, RPC URL and native currency, which also switches to it.
 */
export async function switchToChain(provider: Eip1193Provider, config: AppConfig): Promise<void> {
  const chainId = chainIdHex(config.chainId);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    const unknownChain = rpcErrorCode(error) === UNRECOGNIZED_CHAIN || /unrecognized chain|unknown chain/i.test(String((error as { message?: unknown })?.message));
    if (!unknownChain) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId,
          chainName: config.chainName,
          rpcUrls: [config.rpcUrl],
          nativeCurrency: { name: config.nativeSymbol, symbol: config.nativeSymbol, decimals: 18 },
        },
      ],
    });
  }
}
