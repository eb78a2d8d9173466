// Copies webui/static/* beside the compiled scripts (tsconfig's outDir, or
// the directory given as the first argument).
import {copyFileSync, mkdirSync, readdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'dist');
mkdirSync(out, {recursive: true});
for (const name of readdirSync(join(root, 'static'))) {
  copyFileSync(join(root, 'static', name), join(out, name));
}
