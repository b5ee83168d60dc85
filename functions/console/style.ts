/**
 * The console's CSS, inlined into one nonce'd <style>. Mobile first: on a phone, tables scroll
 * inside their own box and forms stack; from 720px filters sit in a row and cards side by side.
 * Text keeps 4.5:1 or better against its background; focus is always visible.
 */
export const CONSOLE_STYLE =
  `
:root { color-scheme: light; --text: #1f2937; --muted: #4b5563; --border: #d1d5db; --page: #f3f4f6; --accent: #4338ca; --danger: #b91c1c; }
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--text); font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, ` +
  `sans-serif; overflow-wrap: anywhere; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 0.5rem 1rem; }
.skip:focus { left: 0.5rem; z-index: 1; }
.top { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; padding: 0.75rem 1rem; background: #111827; color: #f9fafb; }
.top a, .top .link-button { color: #c7d2fe; }
.brand { font-weight: 700; }
.scope { font-family: ui-monospace, monospace; font-size: 0.875rem; }
.mode { font-family: system-ui, sans-serif; font-weight: 600; border-radius: 0.25rem; padding: 0 0.375rem; margin-left: 0.25rem; }
.mode-test { background: #fcd34d; color: #1c1917; }
.mode-live { background: #34d399; color: #052e16; }
.top nav { display: flex; gap: 1rem; }
.sign-out { margin-left: auto; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
.who { font-size: 0.875rem; color: #e5e7eb; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.5rem; }
h4 { font-size: 1rem; margin: 0.75rem 0 0.25rem; text-transform: capitalize; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.875em; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 0.5rem; padding: 1rem; margin: 0 0 1rem; }
.grid { display: grid; gap: 0 1rem; }
button { font: inherit; cursor: pointer; border-radius: 0.375rem; border: 1px solid var(--accent); background: var(--accent); color: ` +
  `#fff; padding: 0.5rem 1rem; min-height: 2.75rem; }
button.danger { background: var(--danger); border-color: var(--danger); }
.link-button { background: none; border: none; padding: 0; min-height: 0; text-decoration: underline; }
.filters { display: grid; gap: 0.75rem; margin: 0 0 1rem; }
.filters label { display: grid; gap: 0.25rem; font-size: 0.9375rem; font-weight: 600; }
input, select, textarea {
  font: inherit; padding: 0.5rem; border: 1px solid var(--border); border-radius: 0.375rem; min-height: 2.75rem;
  background: #fff; color: var(--text); width: 100%;
}
input[type=checkbox] { width: auto; min-height: 0; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid #e5e7eb; border-radius: 0.5rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: 0.5rem 0.75rem; color: var(--muted); font-size: 0.875rem; }
th, td { text-align: left; padding: 0.5rem 0.75rem; border-top: 1px solid #e5e7eb; white-space: nowrap; }
.status { display: inline-block; border-radius: 999px; padding: 0 0.5rem; font-size: 0.8125rem; font-weight: 600; background: #e5e7eb; ` +
  `color: #111827; }
.status-verified { background: #d1fae5; color: #065f46; }
.status-requires_input, .status-unverified { background: #fef3c7; color: #78350f; }
.status-canceled { background: #e5e7eb; color: #374151; }
.status-processing { background: #dbeafe; color: #1e3a8a; }
.status-redacted { background: #fee2e2; color: #7f1d1d; }
dl { margin: 0; }
.field { display: grid; grid-template-columns: minmax(7rem, 12rem) 1fr; gap: 0.5rem; padding: 0.25rem 0; border-top: 1px solid #f3f4f6; }
dt { color: var(--muted); text-transform: capitalize; }
dd { margin: 0; }
.masked { color: var(--muted); font-style: italic; }
.redacted { color: #7f1d1d; font-family: ui-monospace, monospace; }
.note, .meta { color: var(--muted); font-size: 0.9375rem; }
.notice { background: #eef2ff; border: 1px solid #c7d2fe; padding: 0.5rem 0.75rem; border-radius: 0.375rem; }
.history { margin: 0; padding-left: 1.25rem; }
.images { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.images figure { margin: 0; }
.images img { display: block; max-width: 100%; width: 20rem; height: auto; border: 1px solid var(--border); border-radius: 0.375rem; }
figcaption { font-size: 0.8125rem; color: var(--muted); }
.action { border-top: 1px solid #e5e7eb; padding-top: 0.75rem; margin-top: 0.75rem; }
.action label:not(.confirm) { display: grid; gap: 0.25rem; margin: 0 0 0.75rem; font-weight: 600; }
.confirm { display: flex; gap: 0.5rem; align-items: center; margin: 0 0 0.75rem; }
.inline { margin: 0 0 1rem; }
.pages { display: flex; gap: 1rem; margin: 1rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.find { margin: 0 0 1rem; }
.find label { font-weight: 600; }
.find-row { display: flex; gap: 0.5rem; margin-top: 0.25rem; }
.find-row input { flex: 1; min-width: 0; }
.find .note { margin: 0.25rem 0 0; }
.funnel td, .funnel th { text-align: right; }
.funnel th[scope=row], .funnel thead th:first-child { text-align: left; }
.rate { color: var(--muted); font-size: 0.875rem; }
.totals { display: grid; gap: 0.5rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); margin: 0 0 1rem; padding: 0; ` +
  `list-style: none; }
.totals li { background: #fff; border: 1px solid #e5e7eb; border-radius: 0.5rem; padding: 0.75rem; }
.totals strong { display: block; font-size: 1.5rem; }
@media (max-width: 719.98px) {
  /* The sessions list on a phone: one card per session, each value under its column's name. */
  .stack-wrap { background: none; border: none; overflow: visible; }
  .stacked, .stacked tbody, .stacked tr, .stacked td { display: block; }
  .stacked thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .stacked tr { background: #fff; border: 1px solid #e5e7eb; border-radius: 0.5rem; margin: 0 0 0.75rem; padding: 0.5rem 0; }
  .stacked td { border: none; white-space: normal; padding: 0.125rem 0.75rem; display: grid; grid-template-columns: 6.5rem 1fr; ` +
  `gap: 0.5rem; }
  .stacked td::before { content: attr(data-label); color: var(--muted); font-size: 0.875rem; }
}
@media (min-width: 720px) {
  main { padding: 1.5rem 2rem; }
  .filters { grid-template-columns: repeat(5, minmax(0, 1fr)) auto; align-items: end; }
  .grid { grid-template-columns: 1fr 1fr; }
}
`;
