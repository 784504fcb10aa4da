import type { ComponentChildren } from "preact";
import type { AppConfig } from "../app-config";
import { formatAmount, NATIVE_TOKEN, shortAddress, shortHash } from "../format";
import type { Loaded } from "../hooks";

/** An address, shortened, linking to its account page; the full value in the title. */
export function Address({ address, link = true }: { address: string | null | undefined; link?: boolean }) {
  if (!address) return <span>—</span>;
  const text = <code class="address">{shortAddress(address)}</code>;
  return link ? (
    <a href={`#/accounts/${address}`} title={address} data-address={address}>
      {text}
    </a>
  ) : (
    <span title={address} data-address={address}>
      {text}
    </span>
  );
}

/** A payment token: the native coin by its symbol, an ERC-20 by its (shortened) address. */
export function Token({ config, token }: { config: AppConfig; token: string }) {
  if (token === NATIVE_TOKEN) return <span data-token={token}>{config.nativeSymbol}</span>;
  return <Address address={token} link={false} />;
}

/** A hash or Swarm reference, shortened, full value in the title. */
export function Hash({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  return (
    <code class="hash" title={value} data-hash={value}>
      {shortHash(value)}
    </code>
  );
}

/** An amount with its token's symbol and decimals; the raw units in the title. */
export function Amount({ config, token, value }: { config: AppConfig; token: string | null | undefined; value: string | null | undefined }) {
  if (value === null || value === undefined || !token) return <span>—</span>;
  return (
    <span class="amount" title={`${value} units of ${token}`} data-amount={value}>
      {formatAmount(config, token, value)}
    </span>
  );
}

export function PodLink({ id, name }: { id: string; name?: string | null }) {
  return (
    <a href={`#/pods/${id}`} data-pod-id={id}>
      {name ?? `pod ${id}`}
    </a>
  );
}

/** Shows "Loading…", the error, or the content. */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  if (loaded.state === "loading")
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  if (loaded.state === "error")
    return (
      <p class="error" role="alert">
        {loaded.error.message}
      </p>
    );
  return <>{children(loaded.value)}</>;
}

/** A table that scrolls sideways inside itself on a narrow screen, never the page. */
export function Table({ caption, head, children, id }: { caption: string; head: string[]; children: ComponentChildren; id?: string }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((cell) => (
              <th scope="col" key={cell}>
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Empty({ columns, text }: { columns: number; text: string }) {
  return (
    <tr>
      <td colSpan={columns} class="muted">
        {text}
      </td>
    </tr>
  );
}

export function Status({ status }: { status: string }) {
  return (
    <span class={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {status.toLowerCase()}
    </span>
  );
}

/** A definition list of label → value. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
