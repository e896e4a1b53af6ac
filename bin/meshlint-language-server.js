#!/usr/bin/env node
// The meshlint language server over stdio, for editors other than VS Code (Neovim, Helix, Emacs...).
if (!process.argv.some((a) => a === '--stdio' || a.startsWith('--node-ipc') || a.startsWith('--socket'))) process.argv.push('--stdio');
require('../server/out/server.js');
