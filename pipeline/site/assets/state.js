/* The board's view in the URL hash, so a link shared in chat opens the same view and a reload
   keeps it: #window=7d&view=teams&team=Platform&q=fr&sort=commits-desc&open=team&in=Platform
   Pure functions: app.js says which values are valid and applies what comes back. */
(function () {
  "use strict";

  function parse(hash) {
    var out = {};
    String(hash || "").replace(/^#/, "").split("&").forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf("="), key = at < 0 ? pair : pair.slice(0, at);
      try { out[key] = decodeURIComponent(at < 0 ? "" : pair.slice(at + 1)); } catch (e) { /* a broken escape is ignored */ }
    });
    return out;
  }

  /* An open drill-down: open=person&in=<team>&who=<username>, or open=team&in=<team>. */
  function readOpen(h) {
    if (h.open === "person" && h["in"] !== undefined && h.who !== undefined) return { kind: "person", team: h["in"], username: h.who };
    if (h.open === "team" && h["in"] !== undefined) return { kind: "team", team: h["in"] };
    return null;
  }

  function writeOpen(open) {
    var parts = ["open=" + open.kind, "in=" + encodeURIComponent(open.team)];
    if (open.kind === "person") parts.push("who=" + encodeURIComponent(open.username));
    return parts;
  }

  /* valid: {windows: {name: true}, sortKeys(view) -> [keys]}; unknown values keep the defaults. */
  function read(hash, state, valid) {
    var h = parse(hash), next = {};
    Object.keys(state).forEach(function (k) { next[k] = state[k]; });
    if (valid.windows[h.window]) next.window = h.window;
    if (h.view === "people" || h.view === "teams") next.view = h.view;
    if (typeof h.team === "string") next.team = h.team;
    if (typeof h.q === "string") next.query = h.q;
    var sort = /^(.+)-(asc|desc)$/.exec(h.sort || "");
    if (sort && valid.sortKeys(next.view).indexOf(sort[1]) >= 0) { next.sortKey = sort[1]; next.sortDir = sort[2]; }
    next.open = readOpen(h);
    return next;
  }

  function write(state) {
    var parts = ["window=" + encodeURIComponent(state.window), "view=" + state.view];
    if (state.team) parts.push("team=" + encodeURIComponent(state.team));
    if (state.query) parts.push("q=" + encodeURIComponent(state.query));
    if (state.sortKey !== "rank" || state.sortDir !== "asc") parts.push("sort=" + encodeURIComponent(state.sortKey) + "-" + state.sortDir);
    if (state.open) parts = parts.concat(writeOpen(state.open));
    return "#" + parts.join("&");
  }

  window.LeaderboardHash = { read: read, write: write, parse: parse };
})();
