/**
 * meshlint language server entry point. The transport comes from the command line:
 * `--node-ipc` (the VS Code client), `--stdio` (any LSP client, and the LSP tests) or `--socket=N`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { MeshlintServer } from './lsp/server';

const connection = createConnection(ProposedFeatures.all);
const server = new MeshlintServer(connection);

// a bug anywhere must not take the server down: log it once and keep serving
process.on('uncaughtException', (e) => server.log('uncaught exception', e));
process.on('unhandledRejection', (e) => server.log('unhandled rejection', e));

server.listen();
