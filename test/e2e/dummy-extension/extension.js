// Intentionally empty: lets the harness load an extension under development without the real one.
exports.activate = function activate() {};
exports.deactivate = function deactivate() {};
