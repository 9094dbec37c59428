/* The leaderboard page: window switch, people/teams views, sorting, filters, drill-down to the
   counted items and the weekly chart. Data comes from data/*.js; every string from GitLab or
   teams.csv reaches the page through textContent (dom.js), never as markup. */
(function () {
  "use strict";
  var DATA = window.LEADERBOARD;
  var METRICS = [
    ["commits", "Commits", "commits"], ["mrs_opened", "MRs opened", "MRs opened"],
    ["mrs_merged", "MRs merged", "MRs merged"], ["issues_opened", "Issues opened", "issues opened"],
    ["issues_closed", "Issues closed", "issues closed"]
  ];
  var KINDS = [
    ["commit", "commits", "Commits"], ["mr_opened", "mrs_opened", "Merge requests opened"],
    ["mr_merged", "mrs_merged", "Merge requests merged"], ["issue_opened", "issues_opened", "Issues opened"],
    ["issue_closed", "issues_closed", "Issues closed"]
  ];
  var ITEM_LIMIT = 1000;
  var hashReady = false;
  var state = { window: "30d", view: "people", sortKey: "rank", sortDir: "asc", team: "", query: "" };

  function $(id) { return document.getElementById(id); }

  var dom = window.LeaderboardDom, el = dom.el, records = dom.records, safeHref = dom.safeHref, cmpText = dom.cmpText;

  /* ---------- boards ---------- */
  var USERS = [], TEAMS = [], WEEKLY = [], ITEMS = null, WINDOWS = {};

  function columns(view) {
    var first = view === "people"
      ? [["rank", "Rank", "num"], ["username", "Person", "text"], ["team", "Team", "text"]]
      : [["rank", "Rank", "num"], ["team", "Team", "text"], ["members", "Members", "num"]];
    return first.concat([["score", "Score", "num"]], METRICS.map(function (m) { return [m[0], m[1], "num"]; }));
  }

  function windowRows(view, win) {
    return (view === "people" ? USERS : TEAMS).filter(function (r) { return r.window === win; });
  }

  function visibleRows() {
    var q = state.query.trim().toLowerCase();
    var rows = windowRows(state.view, state.window).filter(function (r) {
      if (state.team && r.team !== state.team) return false;
      if (!q) return true;
      return String(r.team).toLowerCase().indexOf(q) >= 0 || (state.view === "people" && String(r.username).indexOf(q) >= 0);
    });
    var col = columns(state.view).filter(function (c) { return c[0] === state.sortKey; })[0];
    var sign = state.sortDir === "asc" ? 1 : -1;
    return rows.slice().sort(function (a, b) {
      var primary = col[2] === "num" ? a[col[0]] - b[col[0]] : cmpText(a[col[0]], b[col[0]]);
      if (primary) return sign * primary;
      return a.rank - b.rank || cmpText(a.team, b.team) || cmpText(a.username || "", b.username || "");
    });
  }

  function tieCounts(rows) {
    var counts = {};
    rows.forEach(function (r) { counts[r.rank] = (counts[r.rank] || 0) + 1; });
    return counts;
  }

  function sortButton(col) {
    var active = state.sortKey === col[0];
    var arrow = active ? (state.sortDir === "asc" ? " \u25B2" : " \u25BC") : "";
    return el("button", { type: "button", className: "sort", "data-key": col[0], onclick: function () { sortBy(col); } },
      [col[1], el("span", { "aria-hidden": "true", className: "arrow", text: arrow })]);
  }

  function sortBy(col) {
    if (state.sortKey === col[0]) state.sortDir = state.sortDir === "asc" ? "desc" : "asc";
    else { state.sortKey = col[0]; state.sortDir = col[2] === "num" && col[0] !== "rank" ? "desc" : "asc"; }
    renderBoard();
    var again = document.querySelector("#board-" + state.view + " button.sort[data-key='" + col[0] + "']");
    if (again) again.focus();
  }

  function nameButton(text, onclick, label) {
    return el("button", { type: "button", className: "link", "aria-label": label, onclick: onclick, text: text });
  }

  function boardRow(r, ties) {
    var tr = el("tr", { "data-team": r.team });
    var rank = el("td", { className: "num rank" }, [String(r.rank)]);
    if (ties[r.rank] > 1) rank.appendChild(el("span", { className: "tie", text: " (tied)" }));
    tr.appendChild(rank);
    if (state.view === "people") {
      tr.setAttribute("data-username", r.username);
      tr.appendChild(el("th", { scope: "row" }, [nameButton(r.username, function () { showPerson(r); },
        "Show what " + r.username + " did in " + r.team)]));
      tr.appendChild(el("td", {}, [nameButton(r.team, function () { showTeam(r.team); }, "Show team " + r.team)]));
    } else {
      tr.appendChild(el("th", { scope: "row" }, [nameButton(r.team, function () { showTeam(r.team); }, "Show team " + r.team)]));
      tr.appendChild(el("td", { className: "num", text: String(r.members) }));
    }
    tr.appendChild(el("td", { className: "num score", text: String(r.score) }));
    METRICS.forEach(function (m) { tr.appendChild(el("td", { className: "num", text: String(r[m[0]]) })); });
    return tr;
  }

  function renderBoard() {
    var table = $("board-" + state.view), other = $("board-" + (state.view === "people" ? "teams" : "people"));
    other.parentNode.hidden = true;
    table.parentNode.hidden = false;
    var all = windowRows(state.view, state.window), rows = visibleRows(), ties = tieCounts(all);
    var noun = state.view === "people" ? "People" : "Teams";
    table.caption.textContent = noun + ", last " + WINDOWS[state.window].days + " days: " + rows.length + " of " + all.length + " rows";
    var head = el("tr");
    columns(state.view).forEach(function (col) {
      var th = el("th", { scope: "col", "data-key": col[0] }, [sortButton(col)]);
      if (state.sortKey === col[0]) th.setAttribute("aria-sort", state.sortDir === "asc" ? "ascending" : "descending");
      head.appendChild(th);
    });
    table.tHead.textContent = "";
    table.tHead.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (r) { body.appendChild(boardRow(r, ties)); });
    if (!rows.length) body.appendChild(el("tr", { className: "empty" }, [el("td", { colspan: columns(state.view).length, text: all.length ? "Nothing matches the filter." : "No one is on the board for this window." })]));
    table.replaceChild(body, table.tBodies[0]);
    $("status").textContent = "Showing " + rows.length + " of " + all.length + " " + noun.toLowerCase() +
      " for the last " + WINDOWS[state.window].days + " days, sorted by " + state.sortKey + " " + (state.sortDir === "asc" ? "ascending" : "descending") + ".";
    syncControls();
    if (hashReady) writeHash();
  }

  function syncControls() {
    document.querySelectorAll("#controls [data-window]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-window") === state.window)); });
    document.querySelectorAll("#controls [data-view]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === state.view)); });
    var select = $("team-filter");
    var teams = windowRows("teams", state.window).map(function (r) { return r.team; }).sort(cmpText);
    if (state.team && teams.indexOf(state.team) < 0) teams.push(state.team);
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: "All teams" }));
    teams.forEach(function (t) { select.appendChild(el("option", { value: t, text: t })); });
    select.value = state.team;
  }

  /* ---------- the view in the URL, so a link can point at "7 days, teams" ---------- */
  function readHash() {
    location.hash.slice(1).split("&").forEach(function (pair) {
      var kv = pair.split("="), value = decodeURIComponent(kv[1] || "");
      if (kv[0] === "window" && WINDOWS[value]) state.window = value;
      if (kv[0] === "view" && (value === "people" || value === "teams")) state.view = value;
    });
  }

  function writeHash() {
    try { history.replaceState(null, "", "#window=" + state.window + "&view=" + state.view); } catch (e) { /* file:// in some browsers */ }
  }

  /* ---------- drill-down ---------- */
  function itemsOf(filter) {
    var start = WINDOWS[state.window].start, end = DATA.meta.as_of;
    return ITEMS.filter(function (c) { return c.at >= start && c.at < end && filter(c); })
      .sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : cmpText(a.item_id, b.item_id); });
  }

  function itemLine(c, showUser) {
    var href = safeHref(c.web_url);
    var title = c.title || c.item_id;
    var what = href ? el("a", { href: href, rel: "noopener noreferrer", text: title }) : el("span", { text: title });
    var id = c.kind === "commit" ? String(c.item_id).slice(0, 8) : "#" + c.item_id;
    var parts = [el("time", { datetime: c.at, text: c.at.slice(0, 10) }), " ", what, " ", el("span", { className: "muted", text: id + " \u00B7 project " + c.project_id })];
    if (showUser) parts.push(el("span", { className: "muted", text: " \u00B7 " + c.username }));
    return el("li", {}, parts);
  }

  function itemSections(row, items, showUser) {
    var out = [];
    KINDS.forEach(function (k) {
      var list = items.filter(function (c) { return c.kind === k[0]; });
      var counted = row[k[1]];
      var heading = k[2] + ": " + counted + (list.length !== counted ? " (" + list.length + " items found in contributions)" : "");
      var section = el("section", { className: "kind", "data-kind": k[0] }, [el("h3", { text: heading })]);
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
  function withItems(callback) {
    if (ITEMS) { callback(); return; }
    waiting.push(callback);
    if (waiting.length > 1) return;
    var done = function () {
      ITEMS = records(window.LEADERBOARD_CONTRIBUTIONS);
      var queued = waiting;
      waiting = [];
      queued.forEach(function (f) { f(); });
    };
    if (window.LEADERBOARD_CONTRIBUTIONS) { done(); return; }
    var script = el("script", { src: "data/contributions.js" });
    script.addEventListener("load", done);
    script.addEventListener("error", function () {
      waiting = [];
      openDetail("The counted items could not be loaded", [el("p", { text: "data/contributions.js did not load; the same items are in contributions.csv." })]);
    });
    document.body.appendChild(script);
  }

  var opener = null;
  function closeDetail() {
    $("detail").hidden = true;
    if (opener && document.body.contains(opener)) opener.focus();
    else $("board").scrollIntoView();
  }

  function openDetail(title, nodes) {
    var detail = $("detail");
    if (!detail.contains(document.activeElement)) opener = document.activeElement;
    detail.textContent = "";
    var heading = el("h2", { id: "detail-title", tabindex: "-1", text: title });
    var close = el("button", { type: "button", className: "close", onclick: closeDetail, text: "Close" });
    detail.appendChild(el("div", { className: "detail-head" }, [heading, close]));
    nodes.forEach(function (n) { detail.appendChild(n); });
    detail.hidden = false;
    heading.focus();
  }

  function scoreLine(row) {
    var weights = DATA.meta.weights || {}, terms = [];
    METRICS.forEach(function (m) {
      if (row[m[0]] && weights[m[0]] !== undefined) terms.push(row[m[0]] + " " + m[2] + " \u00D7 " + weights[m[0]]);
    });
    var sum = terms.length ? " = " + terms.join(" + ") : "";
    return el("p", { className: "score-line", text: "Score " + row.score + sum + "; rank " + row.rank + " for the last " +
      WINDOWS[state.window].days + " days. Every item counted is listed below, each linking to its GitLab page." });
  }

  function showPerson(row) { withItems(function () { renderPerson(row); }); }
  function showTeam(team) { withItems(function () { renderTeam(team); }); }

  function renderPerson(row) {
    var items = itemsOf(function (c) { return c.username === row.username && c.team === row.team; });
    openDetail(row.username + " in " + row.team + ", last " + WINDOWS[state.window].days + " days",
      [scoreLine(row)].concat(itemSections(row, items, false)));
  }

  function renderTeam(team) {
    var row = windowRows("teams", state.window).filter(function (r) { return r.team === team; })[0];
    if (!row) return;
    var members = windowRows("people", state.window).filter(function (r) { return r.team === team; });
    var list = el("ul", { className: "members" });
    members.forEach(function (m) {
      list.appendChild(el("li", {}, [nameButton(m.username, function () { showPerson(m); }, "Show what " + m.username + " did in " + team), " \u2014 score " + m.score]));
    });
    var chart = el("div", { className: "chart-box" });
    var items = itemsOf(function (c) { return c.team === team; });
    openDetail("Team " + team + ", last " + WINDOWS[state.window].days + " days",
      [scoreLine(row), el("h3", { text: "Members (" + members.length + ")" }), list, chart].concat(itemSections(row, items, true)));
    drawWeekly(chart, team);
  }

  /* ---------- weekly chart ---------- */
  function drawWeekly(container, team) {
    if (!window.LeaderboardChart) return;
    var rows = WEEKLY.filter(function (r) { return r.team === team; }).sort(function (a, b) { return a.week < b.week ? -1 : 1; });
    var series = METRICS.map(function (m) { return { label: m[1], words: m[2], values: rows.map(function (r) { return r[m[0]]; }) }; });
    window.LeaderboardChart.render(container, "Weekly activity of " + team, rows.map(function (r) { return r.week; }), series);
  }

  function setupWeekly() {
    var select = $("weekly-team");
    var teams = [];
    WEEKLY.forEach(function (r) { if (teams.indexOf(r.team) < 0) teams.push(r.team); });
    var top = windowRows("teams", "30d").slice().sort(function (a, b) { return a.rank - b.rank; })[0];
    teams.sort(cmpText).forEach(function (t) { select.appendChild(el("option", { value: t, text: t })); });
    if (!teams.length) return;
    select.value = top && teams.indexOf(top.team) >= 0 ? top.team : teams[0];
    select.addEventListener("change", function () { drawWeekly($("weekly-chart"), select.value); });
    $("weekly-controls").hidden = false;
    drawWeekly($("weekly-chart"), select.value);
  }

  /* ---------- wiring ---------- */
  function setup() {
    if (!DATA) return;
    DATA.meta.windows.forEach(function (w) { WINDOWS[w.name] = w; });
    state.window = DATA.meta.default_window;
    USERS = records(DATA.users);
    TEAMS = records(DATA.teams);
    WEEKLY = records(DATA.weekly);
    readHash();
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !$("detail").hidden) closeDetail(); });
    document.querySelectorAll("#controls [data-window]").forEach(function (b) {
      b.addEventListener("click", function () { state.window = b.getAttribute("data-window"); renderBoard(); });
    });
    document.querySelectorAll("#controls [data-view]").forEach(function (b) {
      b.addEventListener("click", function () {
        state.view = b.getAttribute("data-view");
        if (state.view === "teams" && state.sortKey === "username") state.sortKey = "rank";
        if (state.view === "people" && state.sortKey === "members") state.sortKey = "rank";
        renderBoard();
      });
    });
    $("team-filter").addEventListener("change", function (ev) { state.team = ev.target.value; renderBoard(); });
    $("search").addEventListener("input", function (ev) { state.query = ev.target.value; renderBoard(); });
    $("controls").hidden = false;
    renderBoard();
    hashReady = true;
    setupWeekly();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
