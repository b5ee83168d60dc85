/**
 * The processing and result pages' script, inlined into their one nonce'd <script>: after
 * `data-seconds` seconds (3 if absent) it follows the link marked `data-follow` (the page again
 * while the checks run, or the business's return_url once there is a verdict). Without JavaScript
 * the same link is there to press. It replaces the history entry, so Back does not step through
 * every look.
 */
export {};

const link = document.querySelector<HTMLAnchorElement>('[data-follow]');
if (link) {
  const seconds = Number(link.getAttribute('data-seconds')) || 3;
  const href = link.getAttribute('href');
  if (href) setTimeout(() => location.replace(href), seconds * 1000);
}
