/* The stale warning, checked against the viewer's clock: a page is often read days after the
   run that published it. The server-rendered banner stays as it is when JavaScript is off. */
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }

  function hoursText(hours) { return hours >= 48 ? Math.floor(hours / 24) + " days" : Math.floor(hours) + " hours"; }

  function checkStale() {
    var banner = $("stale");
    if (!banner) return;
    var asOf = Date.parse(banner.getAttribute("data-as-of"));
    var limit = parseFloat(banner.getAttribute("data-stale-hours"));
    var age = (Date.now() - asOf) / 3600000;
    if (isNaN(asOf) || isNaN(limit)) return;
    banner.hidden = !(age > limit);
    $("stale-text").textContent = "These numbers are as of " + new Date(asOf).toISOString().slice(0, 16).replace("T", " ") +
      " UTC, " + hoursText(age) + " ago (the limit is " + limit + " hours); the scheduled run may have failed.";
  }

  checkStale();
  setInterval(checkStale, 600000);
})();
