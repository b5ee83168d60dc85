/**
 * The system's Chromium (Debian's `chromium` package) through playwright-core, as the browser
 * tests and the screenshot scripts (bin/*-screenshots.ts) launch it: headless, and quiet — no
 * QUIC, sync, component updates or other background requests, so every request a page makes is
 * one the page itself asked for. `--no-sandbox`: the tests run as root in a container.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
