/* Weekly activity as small multiples: one small line chart per metric, each drawn at the pixel
   size of its box (redrawn on resize), so its text is the page's own size at every width and no
   chart holds more than one line. A title per point and the same numbers as a table, so nothing
   depends on colour or on seeing the lines. DOM built with textContent only: nothing from the
   data is ever parsed as markup. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var H = 150, L = 38, R = 14, T = 12, B = 28, MIN_W = 200;
  var drawn = [];

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function html(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceTop(max) {
    if (max <= 4) return Math.max(1, max);
    var mag = Math.pow(10, Math.floor(Math.log10(max)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * mag >= max) return steps[i] * mag;
    return 10 * mag;
  }

  /* One metric's weeks as a line, at `width` pixels (its viewBox is its size: no scaling). */
  function lineChart(s, weeks, width, id) {
    var W = Math.max(MIN_W, Math.floor(width));
    var top = niceTop(Math.max.apply(null, s.values.concat([0])));
    var x = function (i) { return L + (weeks.length < 2 ? 0 : i * (W - L - R) / (weeks.length - 1)); };
    var y = function (v) { return T + (H - T - B) * (1 - v / top); };
    var peak = s.values.indexOf(Math.max.apply(null, s.values.concat([0])));
    var total = s.values.reduce(function (a, b) { return a + b; }, 0);
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "class": "chart", "aria-labelledby": id });
    root.appendChild(svg("title", { id: id }, s.label + " per week: " + total + " " + s.words + " in " + weeks.length +
      " weeks" + (total ? ", most (" + s.values[peak] + ") in the week of " + weeks[peak] : "")));
    (top % 2 ? [0, top] : [0, top / 2, top]).forEach(function (v) {
      root.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y(v) + 4, "class": "tick", "text-anchor": "end" }, String(v)));
    });
    [0, Math.floor((weeks.length - 1) / 2), weeks.length - 1].forEach(function (i, n) {
      if (i < 0 || (n && i === 0)) return;
      var anchor = n === 0 ? "start" : n === 2 ? "end" : "middle";
      root.appendChild(svg("text", { x: x(i), y: H - 8, "class": "tick", "text-anchor": anchor }, weeks[i].slice(5)));
    });
    var points = s.values.map(function (v, j) { return x(j) + "," + y(v); }).join(" ");
    root.appendChild(svg("polyline", { points: points, "class": "series s" + s.pattern, fill: "none" }));
    s.values.forEach(function (v, j) {
      var dot = svg("circle", { cx: x(j), cy: y(v), r: 3, "class": "marker s" + s.pattern });
      dot.appendChild(svg("title", {}, "Week of " + weeks[j] + ": " + v + " " + s.words));
      root.appendChild(dot);
    });
    return root;
  }

  function dataTable(title, weeks, series) {
    var details = html("details");
    details.appendChild(html("summary", "", "The charts' numbers as a table"));
    var table = html("table", "board chart-table");
    table.createCaption().textContent = title;
    var head = table.createTHead().insertRow();
    ["Week"].concat(series.map(function (s) { return s.label; })).forEach(function (label) {
      var th = html("th", "", label);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    weeks.forEach(function (week, j) {
      var row = body.insertRow();
      var th = html("th", "", week);
      th.scope = "row";
      row.appendChild(th);
      series.forEach(function (s) {
        var td = row.insertCell();
        td.className = "num";
        td.textContent = String(s.values[j]);
      });
    });
    var wrap = html("div", "chart-table-wrap");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", title + ": the numbers");
    wrap.appendChild(table);
    details.appendChild(wrap);
    return details;
  }

  /* weeks = ["2026-03-02", ...], series = [{key, label, words, weight, pattern, values}]: one
     panel per series, in a grid that puts as many side by side as the width allows. */
  function render(container, title, weeks, series) {
    container.textContent = "";
    container.appendChild(html("p", "chart-title", title));
    container.appendChild(html("p", "muted chart-note", "One chart per metric, each on its own scale."));
    var grid = html("div", "multiples");
    container.appendChild(grid);
    var id = "chart-" + Math.random().toString(36).slice(2);
    series.forEach(function (s, i) {
      var figure = html("figure", "multiple");
      figure.setAttribute("data-metric", s.key);
      var caption = html("figcaption", "", s.label);
      if (s.weight === 0) caption.appendChild(html("span", "weight", " not scored"));
      figure.appendChild(caption);
      grid.appendChild(figure);
      figure.appendChild(lineChart(s, weeks, figure.clientWidth, id + "-" + i));
    });
    container.appendChild(dataTable(title, weeks, series));
  }

  /* One team's rows of weekly_team_activity; metrics: board.js's [{key, label, words, weight}]. */
  function weekly(container, team, weeklyRows, metrics) {
    var rows = weeklyRows.filter(function (r) { return r.team === team; }).sort(function (a, b) { return a.week < b.week ? -1 : 1; });
    var series = metrics.map(function (m, i) {
      return { key: m.key, label: m.label, words: m.words, weight: m.weight, pattern: i, values: rows.map(function (r) { return r[m.key]; }) };
    });
    render(container, "Weekly activity of " + team, rows.map(function (r) { return r.week; }), series);
    drawn = drawn.filter(function (d) { return d.container !== container && document.body.contains(d.container); });
    drawn.push({ container: container, team: team, rows: weeklyRows, metrics: metrics });
  }

  /* After a resize: every chart still on the page, drawn again at its new width. */
  function redraw() {
    drawn.slice().forEach(function (d) {
      if (document.body.contains(d.container)) weekly(d.container, d.team, d.rows, d.metrics);
    });
  }

  /* The page's weekly section: a team picker (the top team first shown) and its charts. */
  function setupWeekly(select, controls, container, weeklyRows, metrics, topTeam) {
    var teams = [];
    weeklyRows.forEach(function (r) { if (teams.indexOf(r.team) < 0) teams.push(r.team); });
    teams.sort(window.LeaderboardDom.cmpText).forEach(function (t) {
      var option = document.createElement("option");
      option.value = t;
      option.textContent = t;
      select.appendChild(option);
    });
    if (!teams.length) return;
    select.value = topTeam && teams.indexOf(topTeam) >= 0 ? topTeam : teams[0];
    select.addEventListener("change", function () { weekly(container, select.value, weeklyRows, metrics); });
    controls.hidden = false;
    weekly(container, select.value, weeklyRows, metrics);
  }

  window.LeaderboardChart = { render: render, weekly: weekly, setupWeekly: setupWeekly, redraw: redraw };
})();
