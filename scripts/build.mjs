// Bundles the language server, the CLI and the VS Code client with esbuild.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'server/out/server.js' }),
  build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'server/out/cli.js' }),
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] }),
  // the mesh graph page's script (dagre included): inlined by `meshlint graph --format html` and the webview
  build({ bundle: true, platform: 'browser', format: 'iife', target: 'es2020', minify: true, legalComments: 'none', logLevel: 'warning', entryPoints: ['client/src/graph/view.mts'], outfile: 'server/out/graph-view.js' }),
]);
