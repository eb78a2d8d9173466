// A real clearmatchd for the browser tests: a bank CSV made from test
// images with `clearmatch hash`, the web listener on loopback, matches
// recorded by real Checks through `clearmatch check`.
import {execFile, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';

const run = promisify(execFile);
export const kRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const kBuild = resolve(kRoot, process.env.CLEARMATCH_BUILD_DIR ?? 'build');
export const kTestdata = join(kRoot, 'tests/testdata');
const kCli = join(kBuild, 'cli/clearmatch');
const kDaemon = join(kBuild, 'daemon/clearmatchd');

export async function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => ok(port));
    });
  });
}

// `clearmatch hash --json FILE`: its JSON lines.
export async function hash(file) {
  const {stdout} = await run(kCli, ['hash', '--json', file], {maxBuffer: 1 << 24});
  return stdout.trim().split('\n').map((l) => JSON.parse(l));
}

// A bank CSV (rows hash_type,hash,entry_id,bank,category; no header).
export function writeBank(path, rows) {
  writeFileSync(path, rows.map((r) => [r.type, r.hash, r.id, r.bank, r.category].join(','))
                          .join('\n') + '\n');
}

// An HTTP(S) request from node (client certificates: `tls` {ca, cert, key}
// of file names): {status, body}.
export function request(url, {method = 'GET', headers = {}, body, tls} = {}) {
  const options = {method, headers};
  if (tls) {
    options.ca = readFileSync(tls.ca);
    if (tls.cert) options.cert = readFileSync(tls.cert);
    if (tls.key) options.key = readFileSync(tls.key);
  }
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((ok, fail) => {
    const req = lib.request(url, options, (res) => {
      let text = '';
      res.on('data', (d) => text += d);
      res.on('end', () => ok({status: res.statusCode, headers: res.headers, body: text}));
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function waitForWeb(url, tls, child, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`clearmatchd exited ${child.exitCode}`);
    try {
      await request(`${url}/api/v1/session`, {tls});
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`clearmatchd's web listener did not answer within ${ms} ms`);
}

function tlsConfig(tls) {
  if (!tls) return '';
  const roles = Object.entries(tls.roles).map(([cn, r]) =>
      `  roles { common_name: "${cn}" ${r.map((x) => `roles: "${x}"`).join(' ')} }`);
  return [`tls {`, `  cert_file: "${tls.pki.server.cert}"`, `  key_file: "${tls.pki.server.key}"`,
          `  client_ca_file: "${tls.pki.ca}"`, ...roles, '}'].join('\n');
}

// Starts clearmatchd on `bankCsv` with the web listener; `localReviewer`
// names the plaintext loopback reviewer (none: read-only page); `tls`
// ({pki: makePki's, roles: {cn: [role...]}, probe: a client {cert, key}
// to wait with}) serves gRPC and the page with mTLS instead.
export async function startDaemon({bankCsv, localReviewer = '', contentUrlTemplate = '', tls}) {
  const dir = mkdtempSync(join(tmpdir(), 'clearmatch-browser-'));
  const grpcPort = await freePort();
  const webPort = await freePort();
  const config = [
    `listen: "127.0.0.1:${grpcPort}"`, `data_dir: "${join(dir, 'data')}"`,
    'metrics_listen: "off"', `bank_csvs { path: "${bankCsv}" }`,
    `web_listen: "127.0.0.1:${webPort}"`,
    localReviewer ? `web_local_reviewer: "${localReviewer}"` : '',
    contentUrlTemplate ? `content_url_template: "${contentUrlTemplate}"` : '',
    tlsConfig(tls),
  ].join('\n');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'clearmatchd.textproto'), config);
  const log = [];
  const child = spawn(kDaemon, ['--config', join(dir, 'clearmatchd.textproto')],
                      {stdio: ['ignore', 'pipe', 'pipe']});
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  const daemon = {
    dir, webUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${webPort}`,
    socket: `unix:${join(dir, 'data', 'clearmatchd.sock')}`,
    log: () => log.join(''),
    // `clearmatch check --json PATH` run in `cwd` (the path is the content
    // id), on the daemon's unix socket as its own user.
    async check(path, cwd = dir) {
      const {stdout} = await run(kCli, ['check', '--addr', daemon.socket, '--json', path],
                                 {cwd, maxBuffer: 1 << 24});
      return JSON.parse(stdout.trim().split('\n')[0]);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, {recursive: true, force: true});
    },
  };
  try {
    await waitForWeb(daemon.webUrl, tls && {ca: tls.pki.ca, ...tls.probe}, child, 20000);
  } catch (e) {
    await daemon.stop();
    throw new Error(`${e.message}\n${log.join('')}`);
  }
  return daemon;
}
