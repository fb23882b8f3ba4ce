// kubernetes-models 5 and a few of its dependencies ship ES modules only ("import" in their exports map). Jest
// runs the suite as CommonJS, so those packages are resolved through their "import" entry here and compiled to
// CommonJS by the same transform as the tests (see transformIgnorePatterns in package.json).
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+|is-cidr|cidr-regex|@kubernetes\/client-node|openid-client|oauth4webapi|jose|socks-proxy-agent|agent-base)(\/|$)/;

module.exports = (request, options) =>
  options.defaultResolver(request, ESM_ONLY.test(request) ? { ...options, conditions: ['import', 'default'] } : options);
