// kubernetes-models 5, @kubernetes/client-node 2 and a few of their dependencies (openid-client, oauth4webapi, jose,
// socks-proxy-agent, agent-base) ship ES modules only. The CLI, compiled to CommonJS, loads them with require(), as Node
// does from 22.12; jest runs the suite as CommonJS through its own loader, which cannot, so those packages are resolved
// through their "import" entry here and compiled to CommonJS by the same transform as the tests (see
// transformIgnorePatterns in package.json: the two lists must name the same packages).
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+|is-cidr|cidr-regex|@kubernetes\/client-node|openid-client|oauth4webapi|jose|socks-proxy-agent|agent-base)(\/|$)/;

module.exports = (request, options) =>
  options.defaultResolver(request, ESM_ONLY.test(request) ? { ...options, conditions: ['import', 'default'] } : options);
