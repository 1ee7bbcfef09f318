// accountplane console: progressive enhancements only. Every page works
// without this script; it adds confirmations, live updates of the Regions
// table and of account creation, and submit-on-change for the switcher.
(function () {
  "use strict";

  // Forms with data-confirm ask first.
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    var msg = f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });

  // The account switcher submits when its choice changes; its button is
  // then only needed without JavaScript.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
    var btn = sel.form.querySelector("button");
    if (btn) { btn.classList.add("visually-hidden"); }
  });

  // A container with data-poll is fetched again every two seconds and
  // replaced, until the new one no longer asks to be polled (the Regions
  // table while a Region is ENABLING or DISABLING).
  function poll(el) {
    var url = el.getAttribute("data-poll");
    if (!url) { return; }
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
        .then(function (html) {
          var tmp = document.createElement("div");
          tmp.innerHTML = html.trim();
          var fresh = tmp.firstElementChild;
          // Anything but the same container (the session ended, say)
          // stops the updates; a reload shows why.
          if (!fresh || fresh.id !== el.id) { return; }
          var focusedRegion = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-region]");
          el.replaceWith(fresh);
          if (focusedRegion) {
            var same = fresh.querySelector('tr[data-region="' + focusedRegion.getAttribute("data-region") + '"] button');
            if (same) { same.focus(); }
          }
          poll(fresh);
        })
        .catch(function () { poll(el); });
    }, 2000);
  }
  document.querySelectorAll("[data-poll]").forEach(poll);

  // A section with data-reload reloads the page after that many
  // milliseconds (account creation in progress), unless the user is
  // typing in a form.
  var reload = document.querySelector("[data-reload]");
  if (reload) {
    var wait = parseInt(reload.getAttribute("data-reload"), 10) || 3000;
    var timer = function () {
      var a = document.activeElement;
      if (a && (a.tagName === "INPUT" || a.tagName === "TEXTAREA" || a.tagName === "SELECT")) {
        window.setTimeout(timer, wait);
        return;
      }
      window.location.reload();
    };
    window.setTimeout(timer, wait);
  }
})();
