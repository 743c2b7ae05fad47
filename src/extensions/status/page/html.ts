/**
 * The status page's document. Its links are relative, so the page also works behind a proxy
 * that serves it under a path prefix.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dify-opik-collector · status</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="status.css">
</head>
<body>
<header>
  <h1>dify-opik-collector</h1>
  <span id="overall" class="badge idle" data-state="loading">loading…</span>
  <span id="uptime" class="muted"></span>
  <span id="updated" class="muted"></span>
</header>
<div id="banner" class="banner" hidden></div>
<main>
  <section>
    <h2>Pipelines</h2>
    <p class="muted">Each box: health, spans per second (last 10 s) with the last minute drawn, and totals.</p>
    <div id="pipelines"></div>
  </section>
  <section>
    <h2>Exporters</h2>
    <div id="exporters"></div>
  </section>
  <section>
    <h2>Recent traces sent to Opik</h2>
    <div id="traces"></div>
  </section>
</main>
<footer class="muted">Updates every second without reloading. The same data as JSON: <a href="api/status">api/status</a>.</footer>
<script src="status.js"></script>
</body>
</html>
`;
