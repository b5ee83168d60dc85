import { isNormalizedColor, type AccentPalette } from '../domain/account-profile';

/**
 * The hosted page's CSS, inlined into one nonce'd <style>. Mobile first: a phone gets the full
 * width with full-width buttons; from 640px the content sits in a centred card. Colours keep
 * text at 4.5:1 or better against its background. The `--accent…` and `--on-accent` variables
 * are the business's colours when its profile has one (accentStyle()), computed to keep that.
 */
export const PAGE_STYLE =
  `
:root {
  color-scheme: light;
  --accent: #4338ca;
  --accent-hover: #3730a3;
  --accent-soft: #eef2ff;
  --accent-text: #4338ca;
  --on-accent: #fff;
  --text: #1f2937;
  --muted: #4b5563;
  --border: #d1d5db;
  --page: #f3f4f6;
  --error: #b91c1c;
  --error-soft: #fef2f2;
  --radius: 0.5rem;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--page);
  color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 1rem;
  line-height: 1.5;
  overflow-wrap: break-word;
}
main { padding: 0.75rem; }
.card {
  background: #fff;
  border: 1px solid #e5e7eb;
  border-radius: 0.75rem;
  overflow: hidden;
}
.card-body { padding: 1.5rem 1.25rem; }
@media (min-width: 640px) {
  main { padding: 3rem 1.5rem; }
  .card { max-width: 36rem; margin: 0 auto; box-shadow: 0 1px 3px rgba(17, 24, 39, 0.08), 0 8px 24px rgba(17, 24, 39, 0.06); }
  .card-body { padding: 2.25rem 2.5rem; }
}

/* Amber with near-black text: unmistakable, and well above 4.5:1. */
.test-banner {
  background: #fcd34d;
  color: #1c1917;
  padding: 0.625rem 1.25rem;
  font-size: 0.9375rem;
  border-bottom: 1px solid #f59e0b;
}
.test-banner strong {
  display: inline-block;
  margin-right: 0.5rem;
  padding: 0 0.5rem;
  border-radius: 0.25rem;
  background: #1c1917;
  color: #fcd34d;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  font-size: 0.8125rem;
  line-height: 1.6;
}

/* The business's name (and logo) from its profile, above the step's title. */
.brand { display: flex; align-items: center; gap: 0.75rem; margin: 0 0 1.25rem; min-width: 0; }
.brand-logo { display: block; flex: none; width: auto; height: 2.5rem; max-width: 10rem; object-fit: contain; }
.brand-name { font-weight: 600; font-size: 1.0625rem; line-height: 1.3; min-width: 0; }
.support { margin: 1.5rem 0 0; padding-top: 1rem; border-top: 1px solid #e5e7eb; color: var(--muted); font-size: 0.9375rem; }

h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 0.75rem; letter-spacing: -0.01em; }
h2 { font-size: 1.0625rem; margin: 1.5rem 0 0.5rem; }
p { margin: 0 0 1rem; }
.lead { font-size: 1.0625rem; }
.hint { color: var(--muted); font-size: 0.9375rem; margin: 0 0 0.75rem; }
a { color: var(--accent-text); }

.asked-for { margin: 0 0 1rem; padding-left: 1.25rem; }
.asked-for li { margin-bottom: 0.5rem; }
.asked-for li::marker { color: var(--accent); }

:focus-visible { outline: 3px solid var(--accent-text); outline-offset: 2px; }

.button {
  display: flex;
  align-items: center;
  justify-content: center;
  width: 100%;
  min-height: 3rem;
  padding: 0.625rem 1.25rem;
  border-radius: var(--radius);
  border: 2px solid var(--accent);
  font: inherit;
  font-weight: 600;
  text-align: center;
  text-decoration: none;
  cursor: pointer;
}
.button.primary { background: var(--accent); color: var(--on-accent); }
.button.primary:hover { background: var(--accent-hover); border-color: var(--accent-hover); }
.button.secondary { background: #fff; color: var(--accent-text); }
.button.secondary:hover { background: var(--accent-soft); }
.button:disabled { cursor: not-allowed; opacity: 0.65; }
.actions { display: flex; flex-direction: column; gap: 0.75rem; margin: 1.5rem 0 0; }

.field { margin: 0 0 1.25rem; }
fieldset { border: 0; margin: 0 0 1.25rem; padding: 0; min-width: 0; }
.field-label { display: block; font-weight: 600; margin-bottom: 0.25rem; padding: 0; }
legend.field-label { margin-bottom: 0.5rem; }
.date-parts { display: flex; gap: 0.75rem; }
.date-part label { display: block; margin-bottom: 0.25rem; }
.date-part-day, .date-part-month { width: 4.5rem; }
.date-part-year { width: 6.5rem; }

.photo-field {
  border: 1px solid var(--border);
  border-radius: var(--radius);
  padding: 1rem;
}
.photo-field .button { margin-top: 0.75rem; }
input[type="file"] { display: block; width: 100%; max-width: 100%; font: inherit; font-size: 0.9375rem; color: var(--muted); }
input[type="file"]::file-selector-button {
  min-height: 2.75rem;
  margin-right: 0.75rem;
  padding: 0.5rem 1rem;
  border: 2px solid var(--accent);
  border-radius: var(--radius);
  background: #fff;
  color: var(--accent-text);
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
input[type="file"]::file-selector-button:hover { background: var(--accent-soft); }
.preview { display: block; max-width: 100%; max-height: 12rem; margin: 0 0 0.75rem; border-radius: 0.375rem; border: 1px solid ` +
  `var(--border); }
.handoff { margin: 0 0 1.5rem; padding: 1rem; border: 1px solid #e5e7eb; border-radius: 0.5rem; }
.handoff h2 { margin-top: 0; }
.handoff-qr { display: block; width: 12rem; height: 12rem; margin: 0.75rem 0; background: #fff; }
.handoff-link { display: flex; gap: 0.5rem; align-items: stretch; margin-bottom: 0.5rem; }
.handoff-link .text-input { flex: 1; min-width: 0; }
/* Buttons are full-width elsewhere; beside the link the button takes only its label's width. */
.handoff-link .button { width: auto; flex: none; }
.handoff-status:empty { display: none; }
.camera { margin-top: 0.75rem; }
.camera-view { position: relative; }
.camera video { display: block; width: 100%; max-height: 60vh; border-radius: 0.375rem; background: #111827; }
/* The frame the checks read (browser/hosted-page/camera.ts): a centred ID-1 card, 85 % wide, or a face's oval. */
.camera-frame { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); pointer-events: none;
  border: 3px solid #fff; box-shadow: 0 0 0 100vmax rgba(17, 24, 39, 0.45); }
.camera-view { overflow: hidden; border-radius: 0.375rem; }
.camera-frame-card { width: 85%; aspect-ratio: 85.6 / 53.98; max-height: 85%; border-radius: 0.75rem; }
.camera-frame-face { height: 80%; aspect-ratio: 3 / 4; border-radius: 50%; }
.camera-instruction { margin: 0.75rem 0 0.25rem; }
.camera-guide { min-height: 1.5rem; margin: 0 0 0.5rem; font-weight: 600; }
.choose-file { margin: 0.75rem 0 0.5rem; }
.upload-status { margin: 0.5rem 0 0; min-height: 1.25rem; color: var(--muted); }
.photo-field[data-upload="sent"] .upload-status { color: var(--text); font-weight: 600; }
.upload-progress { display: block; width: 100%; height: 0.5rem; margin-top: 0.25rem; accent-color: var(--accent); }
.upload-progress[hidden] { display: none; }
.camera-actions { display: flex; flex-direction: column; gap: 0.5rem; }

.text-input {
  display: block;
  width: 100%;
  min-height: 2.75rem;
  padding: 0.5rem 0.75rem;
  border: 1px solid #6b7280;
  border-radius: var(--radius);
  font: inherit;
  color: var(--text);
  background: #fff;
}

.options { display: flex; flex-direction: column; gap: 0.5rem; }
.option {
  display: flex;
  align-items: flex-start;
  gap: 0.75rem;
  padding: 0.625rem 0.75rem;
  border: 1px solid var(--border);
  border-radius: var(--radius);
  background: #fff;
}
.option:has(input:checked) { border-color: var(--accent); background: var(--accent-soft); }
.option input { flex: none; width: 1.25rem; height: 1.25rem; margin: 0.125rem 0 0; accent-color: var(--accent); }
.option label { flex: 1; min-width: 0; cursor: pointer; }
.outcome-description { margin: 0.5rem 0 0; }

.field-error { margin: 0.5rem 0 0; color: var(--error); font-weight: 600; font-size: 0.9375rem; }
.field-error:empty { display: none; }
[aria-invalid="true"] { border-color: var(--error); }
.error {
  margin: 1.25rem 0 0;
  padding: 0.75rem 1rem;
  border-left: 4px solid var(--error);
  border-radius: 0.25rem;
  background: var(--error-soft);
  color: var(--error);
  font-weight: 600;
}
.error:empty { display: none; }
.notice { padding: 0.75rem 1rem; border-radius: var(--radius); background: #fef3c7; color: #1c1917; }
`;

/**
 * The business's colours as CSS custom properties, to follow PAGE_STYLE in its nonce'd <style>;
 * empty unless every value is a `#rrggbb` colour, so nothing else can reach the style sheet.
 */
export function accentStyle(palette: AccentPalette | undefined): string {
  if (!palette) return '';
  const { accent, accentHover, accentSoft, accentText, onAccent } = palette;
  const colors = {
    '--accent': accent,
    '--accent-hover': accentHover,
    '--accent-soft': accentSoft,
    '--accent-text': accentText,
    '--on-accent': onAccent,
  };
  if (!Object.values(colors).every(isNormalizedColor)) return '';
  return `:root { ${Object.entries(colors)
    .map(([name, color]) => `${name}: ${color};`)
    .join(' ')} }\n`;
}
