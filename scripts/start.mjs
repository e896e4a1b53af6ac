// `npm start`: check the bundled blog-system example and print every finding, hints included.
// Findings are the expected output here, so exit 1 ("findings") is success; 2 (usage/I-O) is not.
import { spawnSync } from 'node:child_process';
const r = spawnSync(process.execPath, ['bin/meshlint.js', 'check', 'examples/blog-system', '--severity', 'hint', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status === 1 ? 0 : r.status ?? 2);
