// Starts what a browser test needs: a local SMTP sink (Debian python3-aiosmtpd, Maildir),
// the spsti server with its demonstration data, and Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');

export const DEMO_PASSWORD = 'demo-spsti-2026';

const axeSource = createRequire(import.meta.url)('axe-core').source;

/// Fails on any serious or critical WCAG 2.1 A/AA violation axe-core finds on the page.
export async function assertAccessible(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), [], `accessibility on ${page.url()}`);
}

/// Logs in through the login page (the SIRET only for employers who use their e-mail).
export async function login(page, user, password = DEMO_PASSWORD, siret = '') {
  await page.goto('/login');
  await page.getByLabel('Identifiant (ou e-mail pour les employeurs)').fill(user);
  if (siret) await page.getByLabel('SIRET (employeurs uniquement)').fill(siret);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function waitFor(check, what, timeoutMs = 30000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function portOpen(port) {
  return new Promise((ok) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); ok(true); });
    socket.on('error', () => ok(false));
  });
}

/// `log`: the server's log filter (SPSTI_LOG), `warn` unless a test reads the log.
export async function startEnvironment({ log = 'warn' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'spsti-browser-'));
  const maildir = join(dir, 'mail');
  const smtpPort = await freePort();
  const smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'inherit' });
  await waitFor(() => portOpen(smtpPort), 'the SMTP sink');

  const port = await freePort();
  const binary = process.env.SPSTI_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/spsti');
  const env = { ...process.env, SPSTI_DATA_DIR: join(dir, 'data'), SPSTI_SMTP_HOST: '127.0.0.1', SPSTI_SMTP_PORT: String(smtpPort), SPSTI_LOG: log };
  delete env.DATABASE_URL;
  const server = spawn(binary, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  // The server's log is kept (and still shown) so that a test can check what it contains.
  let serverLog = '';
  server.stderr.on('data', (chunk) => { serverLog += chunk; process.stderr.write(chunk); });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${baseUrl}/healthz`)).ok, 'the spsti server');

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    baseUrl,
    maildir,
    browser,
    serverLog: () => serverLog,
    async newPage() {
      // axe-core is injected by the test: CSP is bypassed in the test browser only.
      const context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true, locale: 'fr-FR' });
      return context.newPage();
    },
    async stop() {
      await browser.close();
      server.kill('SIGTERM');
      smtp.kill('SIGTERM');
    },
  };
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret, `offset` steps from now. */
export function totp(secret, offset = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + offset;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const at = hmac[hmac.length - 1] & 0xf;
  const value = (hmac.readUInt32BE(at) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, '0');
}

function decodeBody(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const joined = body.replace(/=\r?\n/g, '');
    return Buffer.from(joined.replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return body;
}

/** Waits for a message to `to` in the Maildir and returns its decoded body. */
export async function waitForMail(maildir, to, timeoutMs = 15000) {
  let found = null;
  await waitFor(() => {
    const folder = join(maildir, 'new');
    if (!existsSync(folder)) return false;
    for (const file of readdirSync(folder)) {
      const raw = readFileSync(join(folder, file), 'utf8');
      if (raw.includes(to)) {
        found = decodeBody(raw);
        return true;
      }
    }
    return false;
  }, `an e-mail to ${to}`, timeoutMs);
  return found;
}
