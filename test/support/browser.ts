import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core: nothing downloads a browser (.ci/run installs the
 * package with apt-get when missing). CHROMIUM_PATH points elsewhere if needed.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Where the browser tests write their screenshots (git-ignored). */
export const screenshotDir = new URL('../../test-screenshots/', import.meta.url).pathname;
