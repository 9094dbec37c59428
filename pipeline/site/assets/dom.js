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

  /* Movement since the period before (rank vs prev_rank, null = not on that board): an arrow
     for the eye and words for screen readers, as the server-rendered table has them. */
  function movement(rank, prev, days) {
    var before = "previous " + days + " days", kind, shown, said;
    if (prev === null || prev === undefined) { kind = "new"; shown = "new"; said = "new: not on the board in the " + before; }
    else if (prev === rank) { kind = "same"; shown = "="; said = "same rank as in the " + before; }
    else {
      var places = Math.abs(prev - rank), noun = places === 1 ? "place" : "places";
      kind = prev > rank ? "up" : "down";
      shown = (prev > rank ? "\u2191" : "\u2193") + places;
      said = kind + " " + places + " " + noun + " from rank " + prev + " in the " + before;
    }
    return el("span", { className: "move " + kind }, [el("span", { "aria-hidden": "true", text: shown }), el("span", { className: "visually-hidden", text: said })]);
  }

  window.LeaderboardDom = { el: el, records: records, safeHref: safeHref, cmpText: cmpText, movement: movement };
})();
