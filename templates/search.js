// Search without a server: progressive enhancement of the search page with the static Pagefind index.
// Without JavaScript, or opened from a file, the page says so and every story stays reachable by links.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = script.getAttribute("data-root");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var input = document.getElementById("q");
  if (!status || !list || !input) return;
  if (location.protocol !== "http:" && location.protocol !== "https:") {
    status.textContent = script.getAttribute("data-file");
    return;
  }
  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  status.textContent = "";
  if (!query.trim()) return;

  // The excerpt is HTML from Pagefind: keep only its text and <mark> highlights.
  function excerpt(html) {
    var box = document.createElement("template");
    box.innerHTML = html;
    var out = document.createElement("p");
    box.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function show(results) {
    list.replaceChildren();
    results.forEach(function (data) {
      var item = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      item.appendChild(excerpt(data.excerpt || ""));
      list.appendChild(item);
    });
    status.textContent = results.length ? "" : script.getAttribute("data-none");
  }

  // One index in pagefind/, or (a large site) one per month (or quarter of a month, or day), newest first,
  // which are searched together.
  var shards = (script.getAttribute("data-shards") || "").split(" ").filter(Boolean);
  function folder(name) { return new URL(root + "pagefind/" + (name ? name + "/" : ""), location.href).href; }
  var baseUrl = new URL(root, location.href).pathname;
  import(folder(shards[0]) + "pagefind.js").then(function (pagefind) {
    return pagefind.options({ baseUrl: baseUrl }).then(function () {
      return Promise.all(shards.slice(1).map(function (name) {
        return pagefind.mergeIndex(folder(name), { baseUrl: baseUrl });
      }));
    }).then(function () {
      return pagefind.search(query);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    });
  }).then(show).catch(function () {
    status.textContent = script.getAttribute("data-none");
  });
})();
