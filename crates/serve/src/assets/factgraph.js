// The query page: YASGUI set up for this endpoint. Everything it loads comes
// from this server; the editor's completions come from the project's
// prefixes and the graph's own classes and properties, never from
// prefix.cc or Linked Open Vocabularies.
(function () {
  "use strict";
  const root = document.getElementById("yasgui");
  const config = JSON.parse(root.dataset.config);
  const endpoint = new URL(config.endpoint, window.location.href).toString();
  const prefixes = config.prefixes;

  /** The first column of a SELECT on this endpoint, for completions. */
  function firstColumn(query) {
    const url = endpoint + "?query=" + encodeURIComponent(query);
    return fetch(url, { headers: { Accept: "application/sparql-results+json" } })
      .then((response) => (response.ok ? response.json() : { results: { bindings: [] } }))
      .then((json) => json.results.bindings.map((row) => Object.values(row)[0].value));
  }

  const Yasqe = Yasgui.Yasqe;
  Yasqe.forkAutocompleter("prefixes", {
    name: "projectPrefixes",
    persistenceId: null,
    get: () => Promise.resolve(Object.entries(prefixes).map(([p, iri]) => p + ": <" + iri + ">").sort()),
  }, false);
  Yasqe.forkAutocompleter("class", {
    name: "graphClasses", bulk: true, persistenceId: null,
    get: () => firstColumn("SELECT DISTINCT ?c WHERE { ?s a ?c } ORDER BY ?c"),
  }, false);
  Yasqe.forkAutocompleter("property", {
    name: "graphProperties", bulk: true, persistenceId: null,
    get: () => firstColumn("SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p"),
  }, false);

  const prefixLines = Object.entries(prefixes).map(([p, iri]) => "PREFIX " + p + ": <" + iri + ">").join("\n");
  const yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }], keys: [] },
    persistenceId: "factgraph-query-page",
    yasqe: {
      value: prefixLines + "\n\nSELECT ?subject ?property ?value WHERE {\n  ?subject ?property ?value\n}\nLIMIT 20\n",
      autocompleters: ["projectPrefixes", "variables", "graphClasses", "graphProperties"],
      prefixCcApi: null,
      collapsePrefixesOnLoad: true,
      createShortLink: undefined,
    },
    yasr: { prefixes: prefixes },
  });
  // Every tab asks this server, whatever an earlier visit stored.
  for (const id of Object.keys(yasgui._tabs)) {
    yasgui.getTab(id).setEndpoint(endpoint);
  }

  /** Where an IRI's page is on this server. */
  function localPath(iri) {
    if (config.baseIri && config.basePath && iri.startsWith(config.baseIri)) {
      const local = iri.slice(config.baseIri.length);
      if (local && !/[?#]/.test(local)) return config.basePath + local;
    }
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  // IRIs in the results lead to their pages here, in the same window.
  function linkIris(container) {
    for (const link of container.querySelectorAll("a.iri:not([data-iri])")) {
      const iri = link.getAttribute("href");
      if (!/^https?:/.test(iri)) continue;
      link.dataset.iri = iri;
      link.title = iri;
      link.href = localPath(iri);
      link.target = "_self";
    }
  }
  new MutationObserver(() => linkIris(root)).observe(root, { childList: true, subtree: true });

  /** The project prefixes a query uses but does not declare. */
  function missingPrefixes(text) {
    const declared = new Set(Array.from(text.matchAll(/PREFIX\s+([\w-]*):/gi), (m) => m[1]));
    const used = {};
    for (const [p, iri] of Object.entries(prefixes)) {
      if (!declared.has(p) && new RegExp("(^|[\\s(/^|,;.\\[!])" + p + ":").test(text.replace(/<[^>]*>/g, ""))) used[p] = iri;
    }
    return used;
  }

  for (const button of document.querySelectorAll("button.question")) {
    button.addEventListener("click", () => {
      const tab = yasgui.getTab();
      tab.setQuery(button.dataset.query);
      const yasqe = tab.getYasqe();
      const missing = missingPrefixes(button.dataset.query);
      if (Object.keys(missing).length) yasqe.addPrefixes(missing);
      tab.query();
    });
  }
  // `/?question=NAME` runs a named question on arrival: a link to an answer.
  const asked = new URLSearchParams(window.location.search).get("question");
  const button = asked && Array.from(document.querySelectorAll("button.question")).find((b) => b.dataset.name === asked);
  if (button) button.click();
  window.factgraphYasgui = yasgui;
})();
