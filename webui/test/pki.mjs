// A throwaway CA, a server certificate for 127.0.0.1 and client
// certificates (common name = reviewer name), made with the openssl CLI.
import {execFile} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);
const openssl = (...args) => run('openssl', args);

async function issue(dir, name, cn, ext) {
  const key = join(dir, `${name}.key`), csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`), extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                '-keyout', key, '-subj', `/CN=${cn}`, '-out', csr);
  await openssl('x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'),
                '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '2',
                '-extfile', extFile, '-out', cert);
  return {cert, key};
}

// `clients`: common names of the client certificates to make.
export async function makePki(dir, clients) {
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                '-nodes', '-keyout', join(dir, 'ca.key'), '-subj', '/CN=clearmatch test CA',
                '-days', '2', '-out', join(dir, 'ca.pem'));
  const pki = {ca: join(dir, 'ca.pem'),
               server: await issue(dir, 'server', 'localhost',
                   'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')};
  for (const cn of clients) {
    pki[cn] = await issue(dir, cn, cn, 'extendedKeyUsage=clientAuth\n');
  }
  return pki;
}
