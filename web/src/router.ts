import { useEffect, useState } from "preact/hooks";

/**
 * Hash routing (`#/pods/1?listed=true`): the API serves one index.html, and a link or a reload
 * lands on the same page. `params` are the query string's, which the list pages keep their filters in.
 */
export interface Route {
  path: string[];
  params: URLSearchParams;
}

function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [pathPart, query = ""] = hash.split("?", 2);
  return { path: pathPart.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** `#/pods?listed=true` from a path and parameters (empty ones left out). */
export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, "");
}
