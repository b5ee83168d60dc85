/**
 * The processing and result pages' script, inlined into their one nonce'd <script>: after
 * `data-seconds` seconds it follows the link marked `data-follow` (the page again while the checks
 * run, or the business's return_url once there is a verdict). Without JavaScript the same link is
 * there to press. It replaces the history entry, so Back does not step through every look.
 */
export const FOLLOW_SCRIPT = String.raw`
(function () {
  'use strict';
  var link = document.querySelector('[data-follow]');
  if (!link) return;
  var seconds = Number(link.getAttribute('data-seconds')) || 3;
  setTimeout(function () { location.replace(link.getAttribute('href')); }, seconds * 1000);
})();
`;
