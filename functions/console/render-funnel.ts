/**
 * The funnel page as HTML (docs/console.md, "Funnel"): the window's totals with each step's rate, the
 * top error codes, and one row per UTC day. Counts and error codes only: nothing personal, every role.
 */
import { FUNNEL_STAGES, type FunnelStage } from '../domain/funnel';
import { html } from '../hosted-page/render';
import type { Funnel, FunnelCounts } from '../store/funnel-counts';
import { document, scrollRegion, type Operator, type Rendered } from './render';

export interface FunnelView {
  operator: Operator;
  funnel: Funnel;
}

/** How many error codes the page lists, most frequent first. */
export const TOP_ERRORS = 10;

const STAGE_NAMES: Record<FunnelStage, string> = {
  created: 'Created',
  opened: 'Page opened',
  submitted: 'Submitted',
  verified: 'Verified',
};

/** `part` of `whole` as a whole percentage, or a dash when there is no whole. */
export const rate = (part: number, whole: number): string => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '—');

const previous = (stage: FunnelStage) => FUNNEL_STAGES[FUNNEL_STAGES.indexOf(stage) - 1];

const cells = (counts: FunnelCounts) =>
  FUNNEL_STAGES.map((stage) => {
    const count = counts.stages[stage];
    const before = previous(stage);
    return html`<td>${count}${before ? html` <span class="rate">${rate(count, counts.stages[before])}</span>` : ''}</td>`;
  });

export function renderFunnel(view: FunnelView, nonce: string): Rendered {
  const { days, total } = view.funnel;
  const errors = Object.entries(total.errors)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, TOP_ERRORS);
  const columns = FUNNEL_STAGES.map((stage) => html`<th scope="col">${STAGE_NAMES[stage]}</th>`);
  const head = html`<thead><tr><th scope="col">Day (UTC)</th>${columns}</tr></thead>`;
  return document(
    'Funnel',
    nonce,
    html`<h1>Funnel</h1>
<p>Sessions created in the last ${days.length} days (UTC), and how far each got: its verification page opened, submitted, verified.
A session counts on the day it was created, once in each stage it ever reached. Each rate is of the stage before it.</p>
<section aria-labelledby="funnel-total"><h2 id="funnel-total">${days[0]?.day} to ${days.at(-1)?.day}</h2>
<ul class="totals">${FUNNEL_STAGES.map((stage) => {
      const before = previous(stage);
      return html`<li><span>${STAGE_NAMES[stage]}</span> <strong>${total.stages[stage]}</strong>${
        before
          ? html`<span class="rate">${rate(total.stages[stage], total.stages[before])} of ${STAGE_NAMES[before].toLowerCase()}</span>`
          : ''
      }${
        stage === 'verified' ? html` <span class="rate">${rate(total.stages.verified, total.stages.created)} of created</span>` : ''
      }</li>`;
    })}</ul>
</section>
<section aria-labelledby="funnel-errors"><h2 id="funnel-errors">Top errors</h2>
${
  errors.length
    ? scrollRegion(
        'Top errors',
        html`<table class="funnel"><thead><tr><th scope="col">Last error code</th><th scope="col">Sessions</th></tr></thead>
<tbody>${errors.map(
          ([code, count]) => html`<tr class="funnel-error"><th scope="row"><code>${code}</code></th><td>${count}</td></tr>`,
        )}</tbody></table>`,
      )
    : html`<p>No session was given an error.</p>`
}
</section>
<section aria-labelledby="funnel-days"><h2 id="funnel-days">By day</h2>
${scrollRegion(
  'Funnel by day',
  html`<table class="funnel"><caption>Newest first</caption>${head}
<tbody>${[...days]
    .reverse()
    .map(
      (day) => html`<tr class="funnel-day"><th scope="row"><time datetime="${day.day}">${day.day}</time></th>${cells(day)}</tr>`,
    )}</tbody>
<tfoot><tr class="funnel-total"><th scope="row">Total</th>${cells(total)}</tr></tfoot></table>`,
)}
</section>`,
    view.operator,
  );
}
