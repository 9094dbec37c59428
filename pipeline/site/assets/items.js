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

  function itemLine(c, showUser) {
    var href = safeHref(c.web_url);
    var title = c.title || c.item_id;
    var what = href ? el("a", { href: href, rel: "noopener noreferrer", text: title }) : el("span", { text: title });
    var id = c.kind === "commit" ? String(c.item_id).slice(0, 8) : "#" + c.item_id;
    var parts = [el("time", { datetime: c.at, text: c.at.slice(0, 10) }), " ", what, " ", el("span", { className: "muted", text: id + " \u00B7 " }), projectName(c.project_id)];
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

  /* Distinct (person, MR) pairs: what mrs_approved and mrs_reviewed count (a team sums people). */
  function distinctMrs(list) {
    var seen = {};
    list.forEach(function (c) { seen[c.username + "\u0000" + c.item_id] = true; });
    return Object.keys(seen).length;
  }

  /* One section per metric that counts items (metrics from board.js, in the board's order:
     [{key, kind, heading, distinct_mrs}]); MRs reviewed, which counts other kinds' MRs, is the
     line above them. */
  function itemSections(row, items, showUser, metrics) {
    var reviewed = items.filter(function (c) { return c.kind === "mr_approved" || c.kind === "review_comment"; });
    var whole = metrics.filter(function (m) { return m.key === "mrs_reviewed"; })[0];
    var out = whole ? [el("p", { className: "muted reviewed", text: whole.heading + ": " +
      row.mrs_reviewed + (distinctMrs(reviewed) !== row.mrs_reviewed ? " (" + distinctMrs(reviewed) + " found in contributions)" : "") })] : [];
    metrics.filter(function (m) { return m.kind; }).forEach(function (m) {
      var list = items.filter(function (c) { return c.kind === m.kind; });
      var counted = row[m.key], found = m.distinct_mrs ? distinctMrs(list) : list.length;
      var heading = m.heading + ": " + counted + (found !== counted ? " (" + found + " found in contributions)" : "") +
        (m.distinct_mrs && list.length !== counted ? " (" + list.length + " approvals)" : "");
      var section = el("section", { className: "kind", "data-kind": m.kind }, [el("h3", { text: heading })]);
      if (list.length) {
        var ol = el("ol", { className: "items" });
        list.slice(0, ITEM_LIMIT).forEach(function (c) { ol.appendChild(itemLine(c, showUser)); });
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
