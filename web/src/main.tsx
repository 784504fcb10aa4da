import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { WalletButton } from "./actions";
import { Show } from "./components/common";
import { useLoad } from "./hooks";
import { appConfig } from "./app-config";
import { AccountPage } from "./pages/account";
import { GroupPage, GroupsPage } from "./pages/groups";
import { PodPage } from "./pages/pod";
import { PodsPage } from "./pages/pods";
import { RunPage, RunsPage } from "./pages/runs";
import { StatusPage } from "./pages/status";
import { navigate, useRoute, type Route } from "./router";
import "./styles.css";

const NAV = [
  ["pods", "Pods"],
  ["runs", "Runs"],
  ["groups", "Groups"],
  ["status", "Status"],
] as const;

function Page({ route }: { route: Route }) {
  const [config] = useLoad(() => appConfig(), []);
  const [section, id] = route.path;
  return (
    <Show loaded={config}>
      {(config) => {
        switch (section ?? "pods") {
          case "pods":
            return id ? <PodPage id={id} config={config} /> : <PodsPage route={route} config={config} />;
          case "runs":
            return id ? <RunPage id={id} config={config} /> : <RunsPage config={config} />;
          case "groups":
            return id ? <GroupPage id={id} config={config} /> : <GroupsPage config={config} />;
          case "accounts":
            return id ? <AccountPage address={id} config={config} /> : <AccountLookup />;
          case "status":
            return <StatusPage config={config} />;
          default:
            return (
              <>
                <h1 tabIndex={-1}>Not found</h1>
                <p>
                  There is no page <code>#{route.path.join("/")}</code>. <a href="#/pods">Browse the pods</a>.
                </p>
              </>
            );
        }
      }}
    </Show>
  );
}

function AccountLookup({ compact = false }: { compact?: boolean }) {
  const [error, setError] = useState("");
  const submit = (event: Event) => {
    event.preventDefault();
    const field = new FormData(event.currentTarget as HTMLFormElement).get("address");
    const value = typeof field === "string" ? field.trim() : "";
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
      setError(`"${value}" is not an address (0x and 40 hex digits)`);
      return;
    }
    setError("");
    navigate(`/accounts/${value}`);
  };
  return (
    <form class={compact ? "lookup compact" : "lookup"} onSubmit={submit} role="search" aria-label="Find an account">
      {!compact && <h1 tabIndex={-1}>Accounts</h1>}
      <label for={compact ? "lookup-header" : "lookup-page"}>Account</label>
      <input id={compact ? "lookup-header" : "lookup-page"} name="address" placeholder="0x…" autoComplete="off" spellcheck={false} aria-invalid={error ? "true" : undefined} />
      <button type="submit">Go</button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const section = route.path[0] ?? "pods";
  const pathKey = route.path.join("/");
  // A new page moves the focus to its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setInterval(() => {
      const heading = main.current?.querySelector<HTMLElement>("h1");
      if (heading) {
        heading.focus();
        clearInterval(timer);
      }
    }, 30);
    const stop = setTimeout(() => clearInterval(timer), 3000);
    document.title = `Lure · ${section}`;
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [pathKey]);
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/pods">
          Lure
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <a href={`#/${path}`} aria-current={section === path ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <AccountLookup compact />
        <div class="wallet">
          <WalletButton />
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <footer class="muted">
        Read from the GraphQL API (<a href="/query">query page</a>). Without a wallet this is a read-only explorer.
      </footer>
    </>
  );
}

render(<App />, document.getElementById("app")!);
