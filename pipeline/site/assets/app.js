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
  var hashReady = false;
  var state = { window: "30d", view: "people", sortKey: "rank", sortDir: "asc", team: "", query: "", open: null };

  function $(id) { return document.getElementById(id); }

  var dom = window.LeaderboardDom, el = dom.el, records = dom.records, cmpText = dom.cmpText;

  /* ---------- boards ---------- */
  var USERS = [], TEAMS = [], WEEKLY = [], WINDOWS = {};

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
    rank.appendChild(document.createTextNode(" "));
    rank.appendChild(dom.movement(r.rank, r.prev_rank, WINDOWS[state.window].days));
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
    keepNamesInView(table);
    $("status").textContent = "Showing " + rows.length + " of " + all.length + " " + noun.toLowerCase() +
      " for the last " + WINDOWS[state.window].days + " days, sorted by " + state.sortKey + " " + (state.sortDir === "asc" ? "ascending" : "descending") + ".";
    syncControls();
    drawBars();
    if (hashReady) writeHash();
  }

  /* ---------- the board at a glance: the top visible rows as bars of score by metric ---------- */
  function drawBars() {
    if (!window.LeaderboardBars) return;
    window.LeaderboardBars.board($("bars"), visibleRows(), {
      people: state.view === "people", days: WINDOWS[state.window].days, filtered: Boolean(state.team || state.query.trim()),
      weights: DATA.meta.weights || {},
      metrics: METRICS.map(function (m) { return { key: m[0], label: m[1], words: m[2] }; })
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
    return { window: DATA.meta.default_window, view: "people", sortKey: "rank", sortDir: "asc", team: "", query: "", open: null };
  }

  function readHash() {
    state = window.LeaderboardHash.read(location.hash, defaults(), {
      windows: WINDOWS,
      sortKeys: function (view) { return columns(view).map(function (c) { return c[0]; }); }
    });
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
  function itemsOf(filter) { return window.LeaderboardItems.between(WINDOWS[state.window].start, DATA.meta.as_of, filter); }
  var itemSections = function (row, items, showUser) { return window.LeaderboardItems.sections(row, items, showUser); };

  function withItems(callback) {
    window.LeaderboardItems.load(callback, function () {
      openDetail("The counted items could not be loaded", [el("p", { text: "data/contributions.js did not load; the same items are in contributions.csv." })]);
    });
  }

  var opener = null;
  function hideDetail() { $("detail").hidden = true; }

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
    var weights = DATA.meta.weights || {}, terms = [];
    METRICS.forEach(function (m) {
      if (row[m[0]] && weights[m[0]] !== undefined) terms.push(row[m[0]] + " " + m[2] + " \u00D7 " + weights[m[0]]);
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
    withItems(function () { renderPerson(row); });
  }

  function showTeam(team) {
    state.open = { kind: "team", team: team };
    if (hashReady) writeHash();
    withItems(function () { renderTeam(team); });
  }

  function renderPerson(row) {
    var items = itemsOf(function (c) { return c.username === row.username && c.team === row.team; });
    openDetail(row.username + " in " + row.team + ", last " + WINDOWS[state.window].days + " days",
      [scoreLine(row)].concat(itemSections(row, items, false)));
  }

  function renderTeam(team) {
    var row = windowRows("teams", state.window).filter(function (r) { return r.team === team; })[0];
    if (!row) { focusDetail = true; state.open = null; hideDetail(); writeHash(); return; }
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

  /* ---------- weekly chart (chart.js) ---------- */
  var weeklyMetrics = METRICS.map(function (m) { return { key: m[0], label: m[1], words: m[2] }; });
  function drawWeekly(container, team) {
    if (window.LeaderboardChart) window.LeaderboardChart.weekly(container, team, WEEKLY, weeklyMetrics);
  }

  function setupWeekly() {
    var top = windowRows("teams", "30d").slice().sort(function (a, b) { return a.rank - b.rank; })[0];
    if (window.LeaderboardChart) window.LeaderboardChart.setupWeekly($("weekly-team"), $("weekly-controls"), $("weekly-chart"), WEEKLY, weeklyMetrics, top && top.team);
  }

  /* ---------- wiring ---------- */
  function setup() {
    if (!DATA) return;
    DATA.meta.windows.forEach(function (w) { WINDOWS[w.name] = w; });
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
      window.requestAnimationFrame(function () { pending = false; drawBars(); });
    });
    setupWeekly();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
