/* DOM helpers for the page: elements are built with textContent and setAttribute only, so no
   string from the data is ever parsed as HTML; links are made only from http(s) URLs. */
(function () {
  "use strict";

  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (key) {
      var value = props[key];
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, String(value));
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function records(table) {
    return table.rows.map(function (row) {
      var out = {};
      table.columns.forEach(function (name, i) { out[name] = row[i]; });
      return out;
    });
  }

  function safeHref(url) {
    if (typeof url !== "string") return null;
    try {
      var parsed = new URL(url, "https://invalid.example/");
      return (parsed.protocol === "https:" || parsed.protocol === "http:") && /^https?:/i.test(url.trim()) ? url.trim() : null;
    } catch (e) { return null; }
  }

  function cmpText(a, b) {
    var x = String(a).toLowerCase(), y = String(b).toLowerCase();
    if (x !== y) return x < y ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  window.LeaderboardDom = { el: el, records: records, safeHref: safeHref, cmpText: cmpText };
})();
