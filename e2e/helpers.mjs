// Shared helpers for Accord's browser tests (node --test + playwright-core).
//
// The browser is Debian's /usr/bin/chromium (apt-get install chromium). Never run
// `npx playwright install`: it downloads a browser of its own, which fails here.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(E2E_DIR, '..');
export const ARTIFACTS_DIR = join(E2E_DIR, 'artifacts');
export const CHROMIUM_PATH = process.env.ACCORD_CHROMIUM || '/usr/bin/chromium';

// Flags this closed network needs: without the background-networking ones Chromium
// keeps trying (and failing) to reach Google's hosts.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SERVER_START_TIMEOUT_MS = 60_000;
const SERVER_STOP_TIMEOUT_MS = 5_000;
const MAX_KEPT_OUTPUT = 256 * 1024;

// Children still alive when this test process exits are killed, so a failed or
// timed-out test never leaves a server behind.
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Absolute path of the server binary from $ACCORD_BIN; throws a readable error if unusable. */
export function accordBin() {
  const bin = process.env.ACCORD_BIN;
  if (!bin) {
    throw new Error(
      'ACCORD_BIN is not set. Build the server (cargo build -p accord) and run the browser tests with ' +
        'ACCORD_BIN=target/debug/accord node --test e2e/  (scripts/test.sh does this for you).',
    );
  }
  const abs = isAbsolute(bin) ? bin : resolve(REPO_ROOT, bin);
  try {
    if (!statSync(abs).isFile()) throw new Error('not a file');
    accessSync(abs, constants.X_OK);
  } catch (err) {
    throw new Error(`ACCORD_BIN=${bin} (${abs}) is not an executable file: ${err.message}`);
  }
  return abs;
}

/** Removes ANSI colour codes (tracing may colour its log lines). */
function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/**
 * Starts `$ACCORD_BIN serve [--demo] --database sqlite://<fresh tmp dir>/accord.db --bind 127.0.0.1:0`
 * and waits (60 s at most) until it prints a line containing `http://127.0.0.1:<port>`
 * (the server prints "Accord is listening on http://127.0.0.1:PORT/").
 *
 * @returns {Promise<{url: string, port: number, dataDir: string, output: () => string,
 *   stop: () => Promise<void>}>}  url has no trailing slash, e.g. http://127.0.0.1:41234
 */
export async function startServer({
  demo = false,
  extraArgs = [],
  env = {},
  timeoutMs = SERVER_START_TIMEOUT_MS,
  dataDir: reuseDir = null,
} = {}) {
  const bin = accordBin();
  // `dataDir` restarts a server on the database an earlier one left (stopped with keepData).
  const dataDir = reuseDir ?? mkdtempSync(join(tmpdir(), 'accord-e2e-'));
  const args = ['serve'];
  if (demo) args.push('--demo');
  args.push('--database', `sqlite://${dataDir}/accord.db`, '--bind', '127.0.0.1:0', ...extraArgs);
  const cmdline = [bin, ...args].join(' ');

  const child = spawn(bin, args, {
    cwd: dataDir,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);

  let output = '';
  const keep = (chunk) => {
    output += stripAnsi(chunk.toString('utf8'));
    if (output.length > MAX_KEPT_OUTPUT) output = output.slice(-MAX_KEPT_OUTPUT);
  };

  let exited = null;
  const exitPromise = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      liveChildren.delete(child);
      resolveExit(exited);
    });
  });

  const port = await waitForReady().catch((err) => {
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    throw err;
  });

  function waitForReady() {
    return new Promise((resolveReady, rejectReady) => {
      let settled = false;
      const finish = (fn, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn(value);
      };
      const fail = (why) => {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
        finish(
          rejectReady,
          new Error(`accord server ${why}\ncommand: ${cmdline}\n----- server output -----\n${output || '(none)'}\n-------------------------`),
        );
      };
      const timer = setTimeout(
        () => fail(`did not print its http://127.0.0.1:<port> line within ${Math.round(timeoutMs / 1000)} s`),
        timeoutMs,
      );

      // The contract is stdout; a listening line logged to stderr is accepted too.
      let pending = '';
      const onData = (chunk) => {
        keep(chunk);
        pending += stripAnsi(chunk.toString('utf8'));
        const m = pending.match(/http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) finish(resolveReady, Number(m[1]));
        if (pending.length > 4096) pending = pending.slice(-1024);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', (err) => fail(`could not be started: ${err.message}`));
      child.on('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    });
  }

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    url,
    port,
    dataDir,
    output: () => output,
    async stop({ saveLogAs, keepData = false } = {}) {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        child.kill('SIGTERM');
        const timeout = new Promise((r) => setTimeout(() => r('timeout'), SERVER_STOP_TIMEOUT_MS));
        if ((await Promise.race([exitPromise, timeout])) === 'timeout') {
          child.kill('SIGKILL');
          await exitPromise;
        }
      }
      if (saveLogAs) saveArtifact(`${saveLogAs}.log`, output);
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The libfaketime library (apt-get install faketime), for servers that must live in the future. */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/**
 * The environment that shifts a server's clock by `offset` (libfaketime syntax, e.g. '+30d'):
 * time passes for it as it would after that many days of downtime.
 */
export function shiftedClock(offset) {
  try {
    accessSync(LIBFAKETIME, constants.R_OK);
  } catch {
    throw new Error(`${LIBFAKETIME} not found: apt-get install -y faketime (scripts/test.sh setup)`);
  }
  return { LD_PRELOAD: LIBFAKETIME, FAKETIME: offset, DONT_FAKE_MONOTONIC: '1' };
}

/**
 * Launches headless Debian Chromium with a fresh, throwaway profile.
 * Returns a playwright BrowserContext; closing it removes the profile directory.
 */
export async function launchBrowser({ viewport = { width: 1280, height: 900 }, locale = 'en-US' } = {}) {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM_PATH} not found: apt-get install -y chromium chromium-driver (scripts/test.sh setup)`);
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'accord-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      locale,
    });
  } catch (err) {
    rmSync(profileDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  // Remove the profile once Chromium has really gone (it writes to it until then).
  const close = context.close.bind(context);
  context.close = async (...args) => {
    try {
      await close(...args);
    } finally {
      try {
        rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // a leftover temp dir is not worth failing a test for
      }
    }
  };
  return context;
}

/** Saves a full-page PNG as e2e/artifacts/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${safeName(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Writes text into e2e/artifacts/<name> and returns its path. */
export function saveArtifact(name, text) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, safeName(name));
  writeFileSync(path, text);
  return path;
}

/** Best effort: screenshot + HTML of the page, for a failed step. Never throws. */
export async function saveFailureArtifacts(page, name) {
  if (!page || page.isClosed()) return;
  try {
    await screenshot(page, `FAILED-${name}`);
  } catch {
    // the page may be gone
  }
  try {
    saveArtifact(`FAILED-${name}.html`, `<!-- ${page.url()} -->\n${await page.content()}`);
  } catch {
    // the page may be gone
  }
}

function safeName(name) {
  return String(name).replace(/[^A-Za-z0-9._-]+/g, '_');
}
