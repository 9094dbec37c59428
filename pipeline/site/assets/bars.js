/* The board at a glance: the top rows of the chosen window and view as horizontal bars of
   score, each split into what every metric earned (count x weight). Readable without colour:
   each metric has its own fill pattern, a legend with the same swatches, the points written in
   each segment wide enough to hold them, and a title per segment; the SVG's description says it
   all in words. DOM built with textContent and setAttribute only. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var ROW = 44, BAR = 18, TOP = 4, RIGHT = 56;

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

  /* One pattern per metric, drawn over the metric's colour: none, stripes, dots, bars, checks,
     columns, back stripes, plus signs (the last three for review credit). */
  function patterns() {
    var defs = svg("defs");
    var marks = [
      [],
      [["path", { d: "M-2 2L2 -2M0 8L8 0M6 10L10 6" }]],
      [["circle", { cx: 4, cy: 4, r: 1.6 }]],
      [["path", { d: "M0 2H8M0 6H8" }]],
      [["path", { d: "M0 0L8 8M8 0L0 8" }]],
      [["path", { d: "M2 0V8M6 0V8" }]],
      [["path", { d: "M-2 6L2 10M0 0L8 8M6 -2L10 2" }]],
      [["path", { d: "M4 1V7M1 4H7" }]]
    ];
    marks.forEach(function (shapes, i) {
      var p = svg("pattern", { id: "bar-pattern-" + i, patternUnits: "userSpaceOnUse", width: 8, height: 8 });
      shapes.forEach(function (s) { p.appendChild(svg(s[0], Object.assign({ "class": "pattern-mark" }, s[1]))); });
      defs.appendChild(p);
    });
    var holder = svg("svg", { width: 0, height: 0, "aria-hidden": "true", focusable: "false", "class": "defs" });
    holder.appendChild(defs);
    return holder;
  }

  function swatch(i) {
    var box = svg("svg", { width: 26, height: 14, "aria-hidden": "true", focusable: "false", "class": "swatch" });
    box.appendChild(svg("rect", { x: 0, y: 0, width: 26, height: 14, "class": "seg s" + i }));
    box.appendChild(svg("rect", { x: 0, y: 0, width: 26, height: 14, fill: "url(#bar-pattern-" + i + ")" }));
    return box;
  }

  function pts(n) { return n === 1 ? "1 pt" : n + " pts"; }

  /* The metrics that earn points, each with what one item is worth; metrics weighted 0 earn
     nothing, so they are named once below the legend, not given a swatch of their own. */
  function legend(metrics, unscored) {
    var box = html("div", "bar-key", undefined);
    var list = html("ul", "bar-legend");
    metrics.forEach(function (m) {
      var item = html("li", "", "");
      item.appendChild(swatch(m.pattern));
      item.appendChild(document.createTextNode(" " + m.label + ": " + pts(m.weight) + " each"));
      list.appendChild(item);
    });
    box.appendChild(list);
    if (unscored.length) {
      box.appendChild(html("p", "muted unscored-note", "Not scored, so not drawn: " +
        unscored.map(function (m) { return m.words; }).join(", ") + " (their counts are in the table)."));
    }
    return box;
  }

  function describe(row, metrics) {
    var parts = [];
    metrics.forEach(function (m, i) { if (row.points[i]) parts.push(pts(row.points[i]) + " from " + row.counts[i] + " " + m.words); });
    return row.name + ": score " + pts(row.score) + (parts.length ? " (" + parts.join(", ") + ")" : "");
  }

  function bar(root, row, index, metrics, x0, scale, width) {
    var y = TOP + index * ROW, x = x0;
    var group = svg("g", { "class": "bar-row" });
    var fits = Math.max(8, Math.floor(width / 7.5)), name = row.name.length > fits ? row.name.slice(0, fits - 1) + "\u2026" : row.name;
    var label = svg("text", { x: x0, y: y + 12, "class": "bar-name" }, name);
    label.appendChild(svg("title", {}, row.name));
    group.appendChild(label);
    row.points.forEach(function (points, i) {
      if (!points) return;
      var w = points * scale, top = y + 18, p = metrics[i].pattern;
      var seg = svg("g", { "class": "segment", "data-metric": metrics[i].key });
      seg.appendChild(svg("rect", { x: x, y: top, width: w, height: BAR, "class": "seg s" + p }));
      seg.appendChild(svg("rect", { x: x, y: top, width: w, height: BAR, fill: "url(#bar-pattern-" + p + ")", "class": "overlay" }));
      seg.appendChild(svg("title", {}, row.name + ": " + row.counts[i] + " " + metrics[i].words + " \u00D7 " +
        metrics[i].weight + " = " + pts(points)));
      /* the segment says points, with the unit, so "9" is never read as nine merges */
      var label = pts(points), need = label.length * 7.5 + 8;
      if (w >= need + 4) {
        seg.appendChild(svg("rect", { x: x + w / 2 - need / 2, y: top + 1, width: need, height: BAR - 2, rx: 3, "class": "seg-label-bg" }));
        seg.appendChild(svg("text", { x: x + w / 2, y: top + BAR / 2 + 4, "text-anchor": "middle", "class": "seg-label" }, label));
      }
      group.appendChild(seg);
      x += w;
    });
    group.appendChild(svg("text", { x: x + 6, y: y + 18 + BAR / 2 + 5, "class": "bar-score" }, pts(row.score)));
    root.appendChild(group);
  }

  /* rows: [{name, score, counts: [n per metric], points: [n x weight per metric]}], best first;
     metrics: [{key, label, words, weight}]. */
  function render(container, title, rows, metrics, width, unscored) {
    container.textContent = "";
    var heading = html("h3", "chart-title", title);
    heading.id = "bars-title";
    container.appendChild(heading);
    container.appendChild(patterns());
    container.appendChild(legend(metrics, unscored || []));
    var top = 0;
    rows.forEach(function (r) { top = Math.max(top, r.score); });
    if (!rows.length || !top) {
      container.appendChild(html("p", "muted", rows.length ? "No one scored in this window yet." : "No one to show."));
      return;
    }
    var W = Math.max(260, Math.floor(width)), H = TOP + rows.length * ROW + 4;
    var scale = (W - RIGHT - 20) / top;
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": "bars-title bars-desc", "class": "bars" });
    root.appendChild(svg("desc", { id: "bars-desc" }, rows.map(function (r) { return describe(r, metrics); }).join("; ") + "."));
    rows.forEach(function (r, i) { bar(root, r, i, metrics, 0, scale, W); });
    container.appendChild(root);
  }

  /* The board's rows (any order) -> the top TOP_ROWS by rank as bars; opts: {people, days,
     filtered, metrics: [{key, label, words, weight}]} (board.js's metrics; weight null: 1). */
  var TOP_ROWS = 10;
  function board(container, boardRows, opts) {
    var cmp = window.LeaderboardDom.cmpText;
    var rows = boardRows.slice().sort(function (a, b) {
      return a.rank - b.rank || cmp(a.team, b.team) || cmp(a.username || "", b.username || "");
    }).slice(0, TOP_ROWS);
    var all = opts.metrics.map(function (m, i) {
      var weight = m.weight === undefined || m.weight === null ? 1 : m.weight;
      return { key: m.key, label: m.label, words: m.words, weight: weight, pattern: i };
    });
    var metrics = all.filter(function (m) { return m.weight; });
    var bars = rows.map(function (r) {
      return {
        name: opts.people ? r.username + " \u00B7 " + r.team : r.team,
        score: r.score,
        counts: metrics.map(function (m) { return r[m.key]; }),
        points: metrics.map(function (m) { return r[m.key] * m.weight; })
      };
    });
    var title = "Top " + bars.length + " " + (opts.people ? "people" : "teams") + " by score, last " + opts.days + " days" +
      (opts.filtered ? " (filtered)" : "") + ": the points each metric adds (count \u00D7 points each)";
    render(container, title, bars, metrics, container.clientWidth, all.filter(function (m) { return !m.weight; }));
  }

  window.LeaderboardBars = { render: render, board: board };
})();
