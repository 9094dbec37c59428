/* The counted items of a drill-down. Each membership's items sit in small data scripts under
   data/items/, split by period (board.js `items` says which files and what time each reaches);
   a drill-down loads only the files of the person or team opened that reach into its window,
   by script tags (so the page works from file://), with data/projects.js for the projects' paths.
   Items are grouped by kind with the mart's count on each heading, each linking to its GitLab
   page (a review comment to its note) and naming its project by path, linked to the project.
   DOM built with textContent and setAttribute only (dom.js). */
(function () {
  "use strict";
  var dom = window.LeaderboardDom, el = dom.el, records = dom.records, safeHref = dom.safeHref, cmpText = dom.cmpText;
  var ITEM_LIMIT = 1000;
  var INDEX = [], DIR = "data/items", PROJECTS = null;
  var LOADED = {}, DECODED = {};

  function setup(index) {
    if (!index) return;
    DIR = index.dir;
    INDEX = records(index).map(function (m) {
      return { team: m.team, username: m.username, files: m.files.map(function (f) { return { name: f[0], newest: f[1] }; }) };
    });
  }

  /* The files of the memberships passing `keep` that hold an item at or after `start`. */
  function filesFor(keep, start) {
    var out = [];
    INDEX.forEach(function (m) {
      if (!keep(m)) return;
      m.files.forEach(function (f) { if (f.newest >= start) out.push({ membership: m, file: f }); });
    });
    return out;
  }

  /* A data script by its src, once; `done(ok)` when it has run or failed. */
  function script(src, done) {
    var entry = LOADED[src];
    if (entry && entry.state !== "loading") { done(entry.state === "done"); return; }
    if (entry) { entry.waiting.push(done); return; }
    entry = LOADED[src] = { state: "loading", waiting: [done] };
    var finish = function (state) {
      entry.state = state;
      var queued = entry.waiting;
      entry.waiting = [];
      queued.forEach(function (f) { f(state === "done"); });
    };
    var node = el("script", { src: src });
    node.addEventListener("load", function () { finish("done"); });
    node.addEventListener("error", function () { delete LOADED[src]; finish("failed"); });
    document.body.appendChild(node);
  }

  /* Loads what a drill-down of the memberships passing `keep` needs from `start` on, then calls
     callback(); failed(src) names the first file that did not load. */
  function load(keep, start, callback, failed) {
    var sources = ["data/projects.js"].concat(filesFor(keep, start).map(function (x) { return DIR + "/" + x.file.name + ".js"; }));
    var pending = sources.length, broken = null;
    sources.forEach(function (src) {
      script(src, function (ok) {
        if (!ok && !broken) broken = src;
        if (--pending) return;
        if (broken) failed(broken);
        else callback();
      });
    });
  }

  /* The item's page from its stored form (site/items.py encode_url): 0 is a commit's page under
     its project, [rest] another page under it; anything else is the URL as GitLab gave it. */
  function itemUrl(stored, row) {
    if (stored === 0 || Array.isArray(stored)) {
      var p = PROJECTS[row.project_id];
      return p.web_url + "/" + (stored === 0 ? "-/commit/" + row.item_id : stored[0]);
    }
    return stored;
  }

  /* Times are stored without a zero fraction; the page compares them with microseconds. */
  function fixed(at) { return at.length === 20 ? at.slice(0, 19) + ".000000Z" : at; }

  function decoded(m, f) {
    if (DECODED[f.name]) return DECODED[f.name];
    if (!PROJECTS) {
      PROJECTS = {};
      records(window.LEADERBOARD_PROJECTS).forEach(function (p) { PROJECTS[p.project_id] = p; });
    }
    var rows = records(window.LEADERBOARD_ITEMS[f.name]).map(function (r) {
      return { team: m.team, username: m.username, kind: r.kind, item_id: r.item_id, project_id: r.project_id,
        title: r.title, web_url: itemUrl(r.web_url, r), at: fixed(r.at) };
    });
    DECODED[f.name] = rows;
    return rows;
  }

  /* Items of the memberships passing `keep` with start <= at < end, newest first. */
  function between(start, end, keep) {
    var out = [];
    filesFor(keep, start).forEach(function (x) {
      decoded(x.membership, x.file).forEach(function (c) { if (c.at >= start && c.at < end) out.push(c); });
    });
    return out.sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : cmpText(a.item_id, b.item_id); });
  }

  function itemLine(c, showUser, marker) {
    var href = safeHref(c.web_url);
    var title = c.title || c.item_id;
    var what = href ? el("a", { href: href, rel: "noopener noreferrer", text: title }) : el("span", { text: title });
    var id = /^[0-9a-f]{40}$/.test(String(c.item_id)) ? String(c.item_id).slice(0, 8) : "#" + c.item_id;
    var parts = [el("time", { datetime: c.at, text: c.at.slice(0, 10) }), " "];
    if (marker) parts.push(el("span", { className: "item-marker", text: marker }), " ");
    parts.push(what, " ", el("span", { className: "muted", text: id + " \u00B7 " }), projectName(c.project_id));
    /* no name for a person not listed, nor for anyone with people hidden */
    if (showUser && c.username !== null) parts.push(el("span", { className: "muted", text: " \u00B7 " + c.username }));
    return el("li", {}, parts);
  }

  /* A project by its path (group/app), linked to its page; its id only when unknown. */
  function projectName(id) {
    var p = PROJECTS && PROJECTS[id];
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

  /* Items without their person (not listed, or people hidden): which of them are one person's
     repeats cannot be told, so a distinct count is not checked against them. */
  function anonymous(list) { return list.some(function (c) { return c.username === null; }); }

  function found(counted, list, metric) {
    if (metric.distinct && anonymous(list)) return "";
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
        (m.distinct && list.length !== (anonymous(list) ? counted : distinctItems(list)) ? " (" + list.length + " in all)" : "");
      var section = el("section", { className: "kind", "data-kind": m.kinds[0] }, [el("h3", { title: m.meaning, text: heading })]);
      if (list.length) {
        var ol = el("ol", { className: "items" });
        list.slice(0, ITEM_LIMIT).forEach(function (c) { ol.appendChild(itemLine(c, showUser, m.marker)); });
        section.appendChild(ol);
        if (list.length > ITEM_LIMIT) section.appendChild(el("p", { className: "muted", text: "Showing the latest " + ITEM_LIMIT + " of " + list.length + "; all are in contributions.parquet (Download the data)." }));
      }
      out.push(section);
    });
    return out;
  }

  setup(window.LEADERBOARD && window.LEADERBOARD.items);
  window.LeaderboardItems = { load: load, between: between, sections: itemSections, files: filesFor };
})();
