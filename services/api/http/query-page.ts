/**
 * The offline query page served at `/query` in dev: a query box, a variables box and the JSON answer.
 * GraphiQL (at /graphql) loads its assets from a CDN, which machines without internet cannot
 * reach; this page needs nothing but the API and links to GraphiQL.
 */
export function queryPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lure GraphQL</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr; height: 100vh; }
  section { display: flex; flex-direction: column; padding: 8px; gap: 6px; min-height: 0; }
  textarea, pre { font: 13px ui-monospace, monospace; flex: 1; margin: 0; padding: 6px; border: 1px solid #ccc; overflow: auto; }
  #variables { flex: 0 0 5em; }
  header { display: flex; gap: 12px; align-items: center; }
</style>
</head>
<body>
<section>
  <header><strong>Lure GraphQL</strong><button id="run">Run (Ctrl+Enter)</button><a href="/graphql">GraphiQL (needs internet for its assets)</a><a href="/">Web app</a></header>
  <textarea id="query" spellcheck="false">{
  _meta { block { number hash timestamp } chainId hasIndexingErrors }
  pods(first: 10, orderBy: createdBlock, orderDirection: desc) {
    items { id name owner visibility versionCount listing { token price } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}</textarea>
  <textarea id="variables" spellcheck="false" placeholder="variables (JSON)"></textarea>
</section>
<section><pre id="result"></pre></section>
<script>
  const run = async () => {
    const result = document.getElementById("result");
    let variables;
    try {
      const text = document.getElementById("variables").value.trim();
      variables = text ? JSON.parse(text) : undefined;
    } catch (error) {
      result.textContent = "variables are not valid JSON: " + error.message;
      return;
    }
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: document.getElementById("query").value, variables }),
    });
    result.textContent = JSON.stringify(await response.json(), null, 2);
  };
  document.getElementById("run").onclick = run;
  document.addEventListener("keydown", (event) => { if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(); });
</script>
</body>
</html>
`;
}
