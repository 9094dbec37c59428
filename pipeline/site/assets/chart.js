/* Weekly activity chart: an SVG line chart readable without colour (dash patterns, marker
   shapes, a legend, per-point titles) plus the same numbers as a table. DOM built with
   textContent only: nothing from the data is ever parsed as markup. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var DASHES = ["", "7 4", "2 3", "10 3 2 3", "4 2"];
  var SHAPES = ["circle", "square", "triangle", "diamond", "cross"];
  var W = 760, H = 300, L = 44, R = 150, T = 16, B = 44;

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function marker(shape, x, y, cls) {
    var s = 4.5;
    var d = {
      circle: "M" + (x - s) + " " + y + "a" + s + " " + s + " 0 1 0 " + 2 * s + " 0a" + s + " " + s + " 0 1 0 " + -2 * s + " 0",
      square: "M" + (x - s) + " " + (y - s) + "h" + 2 * s + "v" + 2 * s + "h" + -2 * s + "z",
      triangle: "M" + x + " " + (y - s - 1) + "L" + (x + s + 1) + " " + (y + s) + "L" + (x - s - 1) + " " + (y + s) + "z",
      diamond: "M" + x + " " + (y - s - 1) + "L" + (x + s + 1) + " " + y + "L" + x + " " + (y + s + 1) + "L" + (x - s - 1) + " " + y + "z",
      cross: "M" + (x - s) + " " + (y - s) + "L" + (x + s) + " " + (y + s) + "M" + (x + s) + " " + (y - s) + "L" + (x - s) + " " + (y + s)
    }[shape];
    return svg("path", { d: d, "class": "marker " + shape + " " + cls });
  }

  function niceStep(max) {
    var raw = Math.max(1, max) / 4;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * mag >= raw) return Math.max(1, steps[i] * mag);
    return 10 * mag;
  }

  function axes(root, weeks, top, x, y) {
    var step = niceStep(top);
    for (var v = 0; v <= top; v += step) {
      root.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "grid" }));
      root.appendChild(svg("text", { x: L - 6, y: y(v) + 4, "class": "tick", "text-anchor": "end" }, String(v)));
    }
    weeks.forEach(function (week, i) {
      if (i % 4 !== 1 && i !== weeks.length - 1) return;
      root.appendChild(svg("text", { x: x(i), y: H - B + 16, "class": "tick", "text-anchor": "middle" }, week.slice(5)));
    });
    root.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 6, "class": "axis-title", "text-anchor": "middle" },
      "Week starting (Monday, UTC)"));
  }

  function legend(root, series) {
    series.forEach(function (s, i) {
      var y = T + 14 + i * 24, x = W - R + 16, cls = "s" + i;
      root.appendChild(svg("line", { x1: x, x2: x + 28, y1: y, y2: y, "class": "series " + cls, "stroke-dasharray": DASHES[i] }));
      root.appendChild(marker(SHAPES[i], x + 14, y, cls));
      root.appendChild(svg("text", { x: x + 36, y: y + 4, "class": "legend" }, s.label));
    });
  }

  function lines(root, weeks, series, x, y) {
    series.forEach(function (s, i) {
      var cls = "s" + i;
      var points = s.values.map(function (v, j) { return x(j) + "," + y(v); }).join(" ");
      root.appendChild(svg("polyline", { points: points, "class": "series " + cls, "stroke-dasharray": DASHES[i], fill: "none" }));
      s.values.forEach(function (v, j) {
        var m = marker(SHAPES[i], x(j), y(v), cls);
        m.appendChild(svg("title", {}, "Week of " + weeks[j] + ": " + v + " " + s.words));
        root.appendChild(m);
      });
    });
  }

  function dataTable(title, weeks, series) {
    var details = document.createElement("details");
    var summary = document.createElement("summary");
    summary.textContent = "The chart's numbers as a table";
    details.appendChild(summary);
    var table = document.createElement("table");
    table.className = "board chart-table";
    var caption = table.createCaption();
    caption.textContent = title;
    var head = table.createTHead().insertRow();
    ["Week"].concat(series.map(function (s) { return s.label; })).forEach(function (label) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    });
    var body = table.createTBody();
    weeks.forEach(function (week, j) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = week;
      row.appendChild(th);
      series.forEach(function (s) {
        var td = row.insertCell();
        td.className = "num";
        td.textContent = String(s.values[j]);
      });
    });
    var wrap = document.createElement("div");
    wrap.className = "chart-table-wrap";
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", title + ": the numbers");
    wrap.appendChild(table);
    details.appendChild(wrap);
    return details;
  }

  /* Render into container: weeks = ["2026-03-02", ...], series = [{label, words, values}]. */
  function render(container, title, weeks, series) {
    container.textContent = "";
    var top = 1;
    series.forEach(function (s) { s.values.forEach(function (v) { top = Math.max(top, v); }); });
    top = Math.ceil(top / niceStep(top)) * niceStep(top);
    var x = function (i) { return L + (weeks.length < 2 ? 0 : i * (W - R - L) / (weeks.length - 1)); };
    var y = function (v) { return T + (H - T - B) * (1 - v / top); };
    var id = "chart-" + Math.random().toString(36).slice(2);
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": id + "-t " + id + "-d", "class": "chart" });
    root.appendChild(svg("title", { id: id + "-t" }, title));
    var totals = series.map(function (s) {
      return s.values.reduce(function (a, b) { return a + b; }, 0) + " " + s.words;
    });
    root.appendChild(svg("desc", { id: id + "-d" }, weeks.length + " weeks from " + weeks[0] + ": " + totals.join(", ") + "."));
    axes(root, weeks, top, x, y);
    lines(root, weeks, series, x, y);
    legend(root, series);
    var heading = document.createElement("p");
    heading.className = "chart-title";
    heading.textContent = title;
    container.appendChild(heading);
    container.appendChild(root);
    container.appendChild(dataTable(title, weeks, series));
  }

  /* One team's rows of weekly_team_activity as the chart; metrics: [{key, label, words}]. */
  function weekly(container, team, weeklyRows, metrics) {
    var rows = weeklyRows.filter(function (r) { return r.team === team; }).sort(function (a, b) { return a.week < b.week ? -1 : 1; });
    var series = metrics.map(function (m) { return { label: m.label, words: m.words, values: rows.map(function (r) { return r[m.key]; }) }; });
    render(container, "Weekly activity of " + team, rows.map(function (r) { return r.week; }), series);
  }

  /* The page's weekly section: a team picker (the top team first shown) and its chart. */
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

  window.LeaderboardChart = { render: render, weekly: weekly, setupWeekly: setupWeekly };
})();
