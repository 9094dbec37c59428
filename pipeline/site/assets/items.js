/* The counted items of a drill-down: data/contributions.js loaded on first use (it can be
   large), filtered to a window, grouped by kind with the mart's count on each heading, each item
   linking to its GitLab page (a review comment to its note) and naming its project by path, linked to the project. DOM built
   with textContent and setAttribute only (dom.js). */
(function () {
  "use strict";
  var dom = window.LeaderboardDom, el = dom.el, records = dom.records, safeHref = dom.safeHref, cmpText = dom.cmpText;
  var ITEM_LIMIT = 1000;
  var ITEMS = null, PROJECTS = {};

  /* Items with start <= at < end passing filter, newest first. */
  function between(start, end, filter) {
    return ITEMS.filter(function (c) { return c.at >= start && c.at < end && filter(c); })
      .sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : cmpText(a.item_id, b.item_id); });
  }

  function itemLine(c, showUser, marker) {
    var href = safeHref(c.web_url);
    var title = c.title || c.item_id;
    var what = href ? el("a", { href: href, rel: "noopener noreferrer", text: title }) : el("span", { text: title });
    var id = /^[0-9a-f]{40}$/.test(String(c.item_id)) ? String(c.item_id).slice(0, 8) : "#" + c.item_id;
    var parts = [el("time", { datetime: c.at, text: c.at.slice(0, 10) }), " "];
    if (marker) parts.push(el("span", { className: "item-marker", text: marker }), " ");
    parts.push(what, " ", el("span", { className: "muted", text: id + " \u00B7 " }), projectName(c.project_id));
    if (showUser) parts.push(el("span", { className: "muted", text: " \u00B7 " + c.username }));
    return el("li", {}, parts);
  }

  /* A project by its path (group/app), linked to its page; its id only when unknown. */
  function projectName(id) {
    var p = PROJECTS[id];
    if (!p) return el("span", { className: "muted project", text: "project " + id });
    var href = safeHref(p.web_url);
    return href ? el("a", { href: href, rel: "noopener noreferrer", className: "project", text: p.path_with_namespace })
      : el("span", { className: "project", text: p.path_with_namespace });
  }

  /* Distinct (person, item) pairs: what a metric counting distinct items counts (a team sums
     people): an MR approved twice is one approved MR. */
  function distinctItems(list) {
    var seen = {};
    list.forEach(function (c) { seen[c.username + "\u0000" + c.item_id] = true; });
    return Object.keys(seen).length;
  }

  function found(counted, list, metric) {
    var n = metric.distinct ? distinctItems(list) : list.length;
    return n !== counted ? " (" + n + " found in contributions)" : "";
  }

  /* The metrics as board.js gives them ([{key, label, meaning, kinds, distinct, marker}], the
     board's order): one section per metric of one kind, its items under its label; a metric over
     several kinds (MRs reviewed, of approvals and comments) is a line above them. */
  function itemSections(row, items, showUser, metrics) {
    var of = function (m) { return items.filter(function (c) { return m.kinds.indexOf(c.kind) >= 0; }); };
    var out = metrics.filter(function (m) { return m.kinds.length > 1; }).map(function (m) {
      return el("p", { className: "muted reviewed", title: m.meaning, text: m.label + ": " + row[m.key] + found(row[m.key], of(m), m) });
    });
    metrics.filter(function (m) { return m.kinds.length === 1; }).forEach(function (m) {
      var list = of(m), counted = row[m.key];
      var heading = m.label + ": " + counted + found(counted, list, m) +
        (m.distinct && list.length !== distinctItems(list) ? " (" + list.length + " in all)" : "");
      var section = el("section", { className: "kind", "data-kind": m.kinds[0] }, [el("h3", { title: m.meaning, text: heading })]);
      if (list.length) {
        var ol = el("ol", { className: "items" });
        list.slice(0, ITEM_LIMIT).forEach(function (c) { ol.appendChild(itemLine(c, showUser, m.marker)); });
        section.appendChild(ol);
        if (list.length > ITEM_LIMIT) section.appendChild(el("p", { className: "muted", text: "Showing the latest " + ITEM_LIMIT + " of " + list.length + "; all are in contributions.csv." }));
      }
      out.push(section);
    });
    return out;
  }

  /* contributions.js can be large: it loads on the first drill-down, not with the board. */
  var waiting = [];
  function load(callback, failed) {
    if (ITEMS) { callback(); return; }
    waiting.push(callback);
    if (waiting.length > 1) return;
    var done = function () {
      ITEMS = records(window.LEADERBOARD_CONTRIBUTIONS);
      if (window.LEADERBOARD_CONTRIBUTIONS.projects) {
        records(window.LEADERBOARD_CONTRIBUTIONS.projects).forEach(function (p) { PROJECTS[p.project_id] = p; });
      }
      var queued = waiting;
      waiting = [];
      queued.forEach(function (f) { f(); });
    };
    if (window.LEADERBOARD_CONTRIBUTIONS) { done(); return; }
    var script = el("script", { src: "data/contributions.js" });
    script.addEventListener("load", done);
    script.addEventListener("error", function () { waiting = []; failed(); });
    document.body.appendChild(script);
  }

  window.LeaderboardItems = { load: load, between: between, sections: itemSections };
})();
