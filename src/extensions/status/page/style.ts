/** The status page's style sheet: plain CSS, no framework. The state colours are solid fills. */
export const PAGE_STYLE = `:root {
  --ok: #1a7f37;
  --warn: #bf8700;
  --bad: #cf222e;
  --idle: #6e7781;
  --line: #d0d7de;
  --panel: #f6f8fa;
  --text: #1f2328;
  --muted: #59636e;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
}
body { margin: 0; padding: 0 24px 24px; background: #fff; }
header { display: flex; align-items: center; gap: 14px; padding: 16px 0; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.muted { color: var(--muted); font-size: 13px; }
.banner { margin: 12px 0; padding: 10px 14px; background: var(--bad); color: #fff; border-radius: 6px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.ok { background: var(--ok); }
.badge.warn { background: var(--warn); }
.badge.bad { background: var(--bad); }
.badge.idle { background: var(--idle); }
.lane { display: flex; align-items: stretch; gap: 0; margin: 8px 0 16px; overflow-x: auto; }
.lane-title { font-weight: 600; font-size: 13px; margin: 12px 0 0; }
.column { display: flex; flex-direction: column; justify-content: center; gap: 8px; }
.arrow { display: flex; align-items: center; padding: 0 8px; color: var(--muted); font-size: 22px; }
.node { width: 190px; border: 1px solid var(--line); border-left: 6px solid var(--idle); border-radius: 6px; padding: 8px 10px; background: var(--panel); }
.node.ok { border-left-color: var(--ok); }
.node.warn { border-left-color: var(--warn); }
.node.bad { border-left-color: var(--bad); }
.node .kind { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.node .name { font-weight: 600; margin: 2px 0 4px; overflow-wrap: anywhere; }
.node .rate { font-size: 13px; margin-top: 4px; }
.node .rate b { font-size: 15px; }
.node .trouble { font-size: 12px; color: var(--bad); }
.node .reason { font-size: 12px; color: var(--muted); margin-top: 4px; overflow-wrap: anywhere; }
.spark { display: block; margin-top: 4px; }
.spark polyline { fill: none; stroke: var(--ok); stroke-width: 1.5; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { min-width: 320px; max-width: 640px; flex: 1; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.card h3 { margin: 0 0 8px; font-size: 15px; display: flex; gap: 8px; align-items: center; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; font-size: 13px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.bar { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; margin-top: 3px; max-width: 260px; }
.bar > div { height: 100%; background: var(--ok); }
.bar.warn > div { background: var(--warn); }
.errors { margin: 8px 0 0; padding-left: 18px; font-size: 13px; }
.errors li { margin: 3px 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 13px; width: 100%; max-width: 980px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
a { color: #0969da; }
footer { margin-top: 28px; }
`;
