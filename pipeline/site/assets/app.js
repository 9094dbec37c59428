/* The leaderboard page: window switch, people/teams views, sorting, filters, drill-down to the
   counted items and the weekly chart. Data comes from data/*.js; every string from GitLab or
   teams.csv reaches the page through textContent (dom.js), never as markup. */
(function () {
  "use strict";
  var DATA = window.LEADERBOARD;
  /* LEADERBOARD_PEOPLE=hide: teams only, no people view or person drill-down (board.js has no
     people then); else how many people are listed, and per team how many are not. */
  var PEOPLE = (DATA && DATA.meta.people) || { mode: "show" };
  var HIDE = PEOPLE.mode === "hide";
  /* The metrics and each board's columns come with the data (site/tables.py), never from a
     list of this file's own: [{key, label, words, meaning, kinds, distinct, marker, weight}]. */
  var METRICS = [];
  var hashReady = false;
  var state = { window: "30d", view: "people", sortKey: "rank", sortDir: "asc", team: "", query: "", open: null };

  function $(id) { return document.getElementById(id); }

  var dom = window.LeaderboardDom, el = dom.el, records = dom.records, cmpText = dom.cmpText;

  /* ---------- boards ---------- */
  var USERS = [], TEAMS = [], WEEKLY = [], WINDOWS = {};

  /* [{key, label, type: rank|name|team|num, note}] */
  function columns(view) { return DATA.meta.columns[view]; }
  function numeric(col) { return col.type === "num" || col.type === "rank"; }

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
    var col = columns(state.view).filter(function (c) { return c.key === state.sortKey; })[0];
    var sign = state.sortDir === "asc" ? 1 : -1;
    return rows.slice().sort(function (a, b) {
      var primary = numeric(col) ? a[col.key] - b[col.key] : cmpText(a[col.key], b[col.key]);
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
    var active = state.sortKey === col.key;
    var arrow = active ? (state.sortDir === "asc" ? " \u25B2" : " \u25BC") : "";
    var parts = [col.label];
    if (col.note) parts.push(" ", el("span", { className: "weight", text: col.note }));
    parts.push(el("span", { "aria-hidden": "true", className: "arrow", text: arrow }));
    return el("button", { type: "button", className: "sort", "data-key": col.key, onclick: function () { sortBy(col); } }, parts);
  }

  function sortBy(col) {
    if (state.sortKey === col.key) state.sortDir = state.sortDir === "asc" ? "desc" : "asc";
    else { state.sortKey = col.key; state.sortDir = col.type === "num" ? "desc" : "asc"; }
    renderBoard();
    var again = document.querySelector("#board-" + state.view + " button.sort[data-key='" + col.key + "']");
    if (again) again.focus();
  }

  function nameButton(text, onclick, label) {
    return el("button", { type: "button", className: "link", "aria-label": label, onclick: onclick, text: text });
  }

  /* One row's cells, column by column from the same list as the header. */
  function boardCell(col, r, ties) {
    if (col.type === "rank") {
      var rank = el("td", { className: "num rank" }, [String(r.rank)]);
      if (ties[r.rank] > 1) rank.appendChild(el("span", { className: "tie", text: " (tied)" }));
      rank.appendChild(document.createTextNode(" "));
      rank.appendChild(dom.movement(r.rank, r.prev_rank, WINDOWS[state.window].days));
      return rank;
    }
    if (col.type === "name" && state.view === "people") {
      return el("th", { scope: "row", "data-team": r.team }, [nameButton(r.username, function () { showPerson(r); },
        "Show what " + r.username + " did in " + r.team)]);
    }
    if (col.type === "name") {
      return el("th", { scope: "row", "data-team": r.team }, [nameButton(r.team, function () { showTeam(r.team); }, "Show team " + r.team)]);
    }
    if (col.type === "team") return el("td", { className: "team" }, [nameButton(r.team, function () { showTeam(r.team); }, "Show team " + r.team)]);
    if (col.type === "num") return el("td", { className: col.key === "score" ? "num score" : "num", text: String(r[col.key]) });
    return el("td", { text: String(r[col.key]) });
  }

  function boardRow(r, ties) {
    var tr = el("tr", { "data-team": r.team });
    if (state.view === "people") tr.setAttribute("data-username", r.username);
    columns(state.view).forEach(function (col) { tr.appendChild(boardCell(col, r, ties)); });
    return tr;
  }

  /* "16 of 16 rows: 15 people, 1 of them in two teams": a row is a membership, not a person. */
  function countText(rows, all) {
    if (state.view !== "people") return rows.length + " of " + all.length + " teams";
    var teamsOf = {};
    rows.forEach(function (r) { teamsOf[r.username] = (teamsOf[r.username] || 0) + 1; });
    var people = Object.keys(teamsOf), several = people.filter(function (u) { return teamsOf[u] > 1; }).length;
    var text = rows.length + " of " + all.length + " rows: " + people.length + (people.length === 1 ? " person" : " people");
    if (several) text += ", " + several + " of them in more than one team (a row per team)";
    return text;
  }
  function renderBoard() {
    var table = $("board-" + state.view), other = $("board-" + (state.view === "people" ? "teams" : "people"));
    if (other) other.parentNode.hidden = true;
    table.parentNode.hidden = false;
    var all = windowRows(state.view, state.window), rows = visibleRows(), ties = tieCounts(all);
    var noun = state.view === "people" ? "People" : "Teams";
    table.caption.textContent = noun + ", last " + WINDOWS[state.window].days + " days: " + rows.length + " of " + all.length + " rows";
    var head = el("tr");
    columns(state.view).forEach(function (col) {
      var th = el("th", { scope: "col", "data-key": col.key }, [sortButton(col)]);
      th.className = (numeric(col) ? "num" : "") + (col.note === "not scored" ? " unscored" : "");
      if (state.sortKey === col.key) th.setAttribute("aria-sort", state.sortDir === "asc" ? "ascending" : "descending");
      head.appendChild(th);
    });
    table.tHead.textContent = "";
    table.tHead.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (r) { body.appendChild(boardRow(r, ties)); });
    if (!rows.length) body.appendChild(el("tr", { className: "empty" }, [el("td", { colspan: columns(state.view).length, text: all.length ? "Nothing matches the filter." : "No one is on the board for this window." })]));
    table.replaceChild(body, table.tBodies[0]);
    keepNamesInView(table);
    var sorted = columns(state.view).filter(function (c) { return c.key === state.sortKey; })[0];
    $("status").textContent = "Showing " + countText(rows, all) + " for the last " + WINDOWS[state.window].days +
      " days, sorted by " + sorted.label + " " + (state.sortDir === "asc" ? "ascending" : "descending") + ".";
    syncControls();
    drawBars();
    if (hashReady) writeHash();
  }

  /* ---------- the board at a glance: the top visible rows as bars of score by metric ---------- */
  function drawBars() {
    if (!window.LeaderboardBars) return;
    window.LeaderboardBars.board($("bars"), visibleRows(), {
      people: state.view === "people", days: WINDOWS[state.window].days, filtered: Boolean(state.team || state.query.trim()),
      metrics: METRICS
    });
  }

  /* On narrow screens the rank and name columns stick (style.css); the name sticks right after
     the rank column, whose width depends on its text ("2 (tied) \u219312"). */
  function keepNamesInView(table) {
    var first = table.tHead.rows[0] && table.tHead.rows[0].cells[0];
    if (first) table.style.setProperty("--rank-width", first.getBoundingClientRect().width + "px");
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
  /* What a bare URL shows; a key missing from the hash means its default, not the last value. */
  function defaults() {
    return { window: DATA.meta.default_window, view: HIDE ? "teams" : "people", sortKey: "rank", sortDir: "asc", team: "", query: "", open: null };
  }

  function readHash() {
    state = window.LeaderboardHash.read(location.hash, defaults(), {
      windows: WINDOWS,
      sortKeys: function (view) { return columns(view).map(function (c) { return c.key; }); }
    });
    if (HIDE) {  /* a link made on a board with people shown opens its teams view */
      if (state.view !== "teams") { state.view = "teams"; if (state.sortKey === "username") state.sortKey = "rank"; }
      if (state.open && state.open.kind === "person") state.open = null;
    }
    $("search").value = state.query;
  }

  function writeHash() {
    var hash = window.LeaderboardHash.write(state);
    if (location.hash === hash) return;
    try { history.replaceState(null, "", hash); } catch (e) { /* file:// in some browsers */ }
  }

  /* After a window change or a link: the drill-down in the state, or none. `quiet` keeps the
     focus where it is (on the window button just pressed) instead of moving it to the detail. */
  var focusDetail = true;
  function reopen(quiet) {
    var open = state.open;
    if (!open) { if (!$("detail").hidden) hideDetail(); return; }
    var row = windowRows("people", state.window).filter(function (r) { return r.team === open.team && r.username === open.username; })[0];
    if (open.kind === "team" || row) focusDetail = !quiet;  /* openDetail uses it once, then resets it */
    if (open.kind === "team") { showTeam(open.team); return; }
    if (row) showPerson(row);
    else { state.open = null; hideDetail(); writeHash(); }
  }

  /* ---------- drill-down ---------- */
  /* The items of the memberships passing `keep` in the chosen window (items.js loads only the
     files of those memberships that reach into it). */
  function itemsOf(keep) { return window.LeaderboardItems.between(WINDOWS[state.window].start, DATA.meta.as_of, keep); }
  var itemSections = function (row, items, showUser) { return window.LeaderboardItems.sections(row, items, showUser, METRICS); };

  /* Loads the items a drill-down needs, then renders it, unless another drill-down was opened
     (or this one closed) meanwhile: the files of two drill-downs may arrive in any order. */
  var opened = 0;
  function withItems(keep, render) {
    var ticket = ++opened;
    window.LeaderboardItems.load(keep, WINDOWS[state.window].start, function () {
      if (ticket === opened && state.open) render();
    }, function (src) {
      if (ticket !== opened) return;
      openDetail("The counted items could not be loaded", [el("p", { text: src + " did not load; the same items are in contributions.parquet (Download the data)." })]);
    });
  }

  function ofPerson(row) { return function (m) { return m.username === row.username && m.team === row.team; }; }
  function ofTeam(team) { return function (m) { return m.team === team; }; }

  var opener = null;
  function hideDetail() { $("detail").hidden = true; opened++; }

  function closeDetail() {
    hideDetail();
    state.open = null;
    writeHash();
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
    if (focusDetail) heading.focus();
    focusDetail = true;
  }

  function scoreLine(row) {
    var terms = [];
    METRICS.forEach(function (m) {
      if (row[m.key] && m.weight !== undefined && m.weight !== null) terms.push(row[m.key] + " " + m.words + " \u00D7 " + m.weight);
    });
    var sum = terms.length ? " = " + terms.join(" + ") : "";
    var days = WINDOWS[state.window].days;
    var before = row.prev_rank === null || row.prev_rank === undefined ? "not on the board" : "rank " + row.prev_rank;
    return el("p", { className: "score-line", text: "Score " + row.score + sum + "; rank " + row.rank + " for the last " +
      days + " days (" + before + " in the previous " + days + "). Every item counted is listed below, each linking to its GitLab page." });
  }

  function showPerson(row) {
    state.open = { kind: "person", team: row.team, username: row.username };
    if (hashReady) writeHash();
    withItems(ofPerson(row), function () { renderPerson(row); });
  }

  function showTeam(team) {
    state.open = { kind: "team", team: team };
    if (hashReady) writeHash();
    withItems(ofTeam(team), function () { renderTeam(team); });
  }

  function renderPerson(row) {
    var items = itemsOf(ofPerson(row));
    openDetail(row.username + " in " + row.team + ", last " + WINDOWS[state.window].days + " days",
      [scoreLine(row)].concat(itemSections(row, items, false)));
  }

  function renderTeam(team) {
    var row = windowRows("teams", state.window).filter(function (r) { return r.team === team; })[0];
    if (!row) { focusDetail = true; state.open = null; hideDetail(); writeHash(); return; }
    var chart = el("div", { className: "chart-box" });
    var items = itemsOf(ofTeam(team));
    openDetail("Team " + team + ", last " + WINDOWS[state.window].days + " days",
      [scoreLine(row)].concat(memberNodes(team, row), [chart], itemSections(row, items, !HIDE)));
    drawWeekly(chart, team);
  }

  /* How many of a team's members are not listed (teams.csv listed=no) in the chosen window. */
  function unlistedIn(team) {
    var found = records(PEOPLE.unlisted_by_team || { columns: [], rows: [] }).filter(function (r) { return r.window === state.window && r.team === team; })[0];
    return found ? found.people : 0;
  }

  /* The team's listed members, each opening their drill-down, and how many are not listed; with
     people hidden only how many members the team has. */
  function memberNodes(team, row) {
    if (HIDE) {
      return [el("h3", { text: "Members (" + row.members + ")" }), el("p", { className: "muted people-hidden",
        text: "People are not shown on this board (LEADERBOARD_PEOPLE=hide): the items below are the team's, without who made them." })];
    }
    var members = windowRows("people", state.window).filter(function (r) { return r.team === team; });
    var list = el("ul", { className: "members" });
    members.forEach(function (m) {
      list.appendChild(el("li", {}, [nameButton(m.username, function () { showPerson(m); }, "Show what " + m.username + " did in " + team), " \u2014 score " + m.score]));
    });
    var out = [el("h3", { text: "Members (" + members.length + ")" }), list];
    var unlisted = unlistedIn(team);
    if (unlisted) {
      out.push(el("p", { className: "muted unlisted", text: "and " + unlisted + (unlisted === 1 ? " person" : " people") +
        " not listed: counted in the team's totals and items, named nowhere." }));
    }
    return out;
  }

  /* ---------- weekly chart (chart.js) ---------- */
  function drawWeekly(container, team) {
    if (window.LeaderboardChart) window.LeaderboardChart.weekly(container, team, WEEKLY, METRICS);
  }

  function setupWeekly() {
    var top = windowRows("teams", "30d").slice().sort(function (a, b) { return a.rank - b.rank; })[0];
    if (window.LeaderboardChart) window.LeaderboardChart.setupWeekly($("weekly-team"), $("weekly-controls"), $("weekly-chart"), WEEKLY, METRICS, top && top.team);
  }

  /* The charts are drawn at the size of their box, so their text stays the page's size. */
  function redrawCharts() { if (window.LeaderboardChart) window.LeaderboardChart.redraw(); }

  /* ---------- wiring ---------- */
  function setup() {
    if (!DATA) return;
    DATA.meta.windows.forEach(function (w) { WINDOWS[w.name] = w; });
    METRICS = DATA.meta.metrics;
    state = defaults();
    USERS = records(DATA.users);
    TEAMS = records(DATA.teams);
    WEEKLY = records(DATA.weekly);
    readHash();
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !$("detail").hidden) closeDetail(); });
    document.querySelectorAll("#controls [data-window]").forEach(function (b) {
      b.addEventListener("click", function () { state.window = b.getAttribute("data-window"); renderBoard(); reopen(true); });
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
    $("bars").hidden = false;
    renderBoard();
    hashReady = true;
    writeHash();
    reopen();
    window.addEventListener("hashchange", function () { readHash(); renderBoard(); reopen(); });
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; drawBars(); redrawCharts(); });
    });
    setupWeekly();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
