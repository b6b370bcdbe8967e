// RonR web UI: keyboard, live queue updates, SLA countdowns and the reply character count.
// Written for this project; no framework. The page works without it (plain links and forms).
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var help = document.getElementById("help");

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function toggleHelp(show) { if (help) { help.hidden = show === undefined ? !help.hidden : !show; } }
  function post(action, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    fields.csrf = csrf;
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }
  document.querySelectorAll("[data-help]").forEach(function (b) { b.addEventListener("click", function () { toggleHelp(); }); });
  if (help) { help.addEventListener("click", function (e) { if (e.target === help) { toggleHelp(false); } }); }

  // SLA countdowns follow the server's clock (the page says what time the server thought it was).
  var table = document.getElementById("queue");
  var main = document.querySelector("main");
  var stamp = main && main.dataset.now ? Date.parse(main.dataset.now) : NaN;
  var skew = isNaN(stamp) ? 0 : stamp - Date.now();
  function label(seconds) {
    var s = Math.abs(Math.trunc(seconds)), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    var text = d ? d + "d " + h + "h" : h ? h + "h " + String(m).padStart(2, "0") + "m" : m + "m";
    return text + (seconds >= 0 ? " left" : " overdue");
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll(".sla[data-due]").forEach(function (el) {
      var left = (Date.parse(el.dataset.due) - now) / 1000;
      var state = left < 0 ? "breached" : now >= Date.parse(el.dataset.risk) ? "at_risk" : "ok";
      el.textContent = label(left);
      el.classList.remove("ok", "at_risk", "breached");
      el.classList.add(state);
    });
  }
  setInterval(tick, 30000);

  // The queue list: j/k selection, open, and actions on the selected row.
  var rows = [], sel = 0, key = "ronr-sel:" + location.pathname + location.search;
  function collect() { rows = Array.prototype.slice.call(document.querySelectorAll("#rows tr.row")); }
  function select(i, scroll) {
    if (!rows.length) { return; }
    sel = Math.max(0, Math.min(i, rows.length - 1));
    rows.forEach(function (r, n) { r.classList.toggle("sel", n === sel); r.setAttribute("aria-selected", n === sel ? "true" : "false"); });
    if (scroll) { rows[sel].scrollIntoView({ block: "nearest" }); }
    try { sessionStorage.setItem(key, String(sel)); } catch (e) { /* private mode */ }
  }
  function current() { return rows[sel]; }
  function open(hash) { var r = current(); if (r) { location.href = r.dataset.href + (hash || ""); } }

  if (table) {
    collect();
    var saved = 0;
    try { saved = parseInt(sessionStorage.getItem(key) || "0", 10) || 0; } catch (e) { saved = 0; }
    select(saved, false);
    table.addEventListener("click", function (e) {
      var row = e.target.closest("tr.row");
      if (!row || e.target.closest("a")) { return; }
      select(rows.indexOf(row)); open();
    });
    var canAct = table.dataset.canAct === "1";
    var back = location.pathname + location.search;
    document.addEventListener("keydown", function (e) {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (e.key === "Enter" && e.target.closest && e.target.closest("a, button")) { return; }  // Enter on a link or button is theirs
      var r = current();
      switch (e.key) {
        case "j": select(sel + 1, true); break;
        case "k": select(sel - 1, true); break;
        case "Enter": case "o": open(); break;
        case "a": if (r && canAct) { post("/items/" + r.dataset.id + "/approve", { version: r.dataset.version, back: back }); } break;
        case "c": if (r && canAct) { post("/items/" + r.dataset.id + "/claim", { version: r.dataset.version, back: back, from: "queue" }); } break;
        case "e": open("#edit"); break;
        case "r": open("#reject"); break;
        case "s": open("#snooze"); break;
        case "?": toggleHelp(); break;
        case "Escape": toggleHelp(false); break;
        default: return;
      }
      e.preventDefault();
    });

    // Live: ask for the newest pending id and the latest queue action; fetch the rows again only when
    // one moved (new items, or a colleague approved, rejected, snoozed or claimed something).
    var body = document.getElementById("rows");
    var every = parseInt(table.dataset.poll || "10000", 10);
    var newest = parseInt(body.dataset.newest || "0", 10), changed = body.dataset.changed;
    var note = document.getElementById("live-note");
    function refresh() {
      fetch("/queue/live", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (r.redirected || r.status === 401) {  // the session ended: say so rather than show a stale queue
            if (note) { note.textContent = "You are signed out, so this queue no longer updates. Reload to sign in again."; note.hidden = false; note.classList.add("error"); }
            return null;
          }
          return r.ok ? r.json() : null;
        })
        .then(function (data) {
          if (!data || (data.newest <= newest && String(data.changed) === changed)) { return null; }
          var q = table.dataset.query;
          return fetch("/queue?" + (q ? q + "&" : "") + "page=" + table.dataset.page + "&partial=1", { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.text() : null; })
            .then(function (html) {
              if (!html) { return; }
              var keep = current() ? current().dataset.id : null;
              var holder = document.createElement("table");
              holder.innerHTML = html;  // server-rendered, escaped by the template engine
              var fresh = holder.querySelector("tbody");
              if (!fresh) { return; }
              body.replaceWith(fresh);
              body = fresh;
              collect();
              var added = rows.filter(function (row) { return parseInt(row.dataset.id, 10) > newest; }).length;
              newest = parseInt(fresh.dataset.newest || "0", 10);
              changed = fresh.dataset.changed;
              document.getElementById("total").textContent = fresh.dataset.total;
              var again = rows.findIndex(function (row) { return row.dataset.id === keep; });
              select(again >= 0 ? again : sel, false);
              tick();
              if (note && added) { note.textContent = added + " new item" + (added === 1 ? "" : "s") + " arrived."; note.hidden = false; }
            });
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }
    setInterval(refresh, every);
  }

  // One item: live character count, keys for each action.
  var item = document.getElementById("item");
  if (item) {
    var reply = document.getElementById("reply"), count = document.getElementById("count");
    var approveButton = document.getElementById("approve"), saveButton = document.getElementById("save-draft");
    // The count comes from the server (the same function approving checks): X weighs emoji, CJK and links.
    var asked = 0, timer = null;
    function show(n, limit) {
      count.textContent = n + " / " + limit + (n > limit ? " — " + (n - limit) + " over the limit" : "");
      count.classList.toggle("over", n > limit);
      if (approveButton) { approveButton.disabled = n > limit || n === 0; }
      if (saveButton) { saveButton.disabled = n > limit || n === 0; }
    }
    function ask() {
      var mine = ++asked, body = new URLSearchParams({ csrf: csrf, text: reply.value });
      fetch(reply.dataset.count, { method: "POST", credentials: "same-origin", body: body })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === asked) { show(data.length, data.limit); } })
        .catch(function () { /* offline for a moment: approving still checks the length */ });
    }
    function recount() {
      if (!reply || !count) { return; }
      if (!reply.value.trim()) { show(0, parseInt(reply.dataset.limit, 10)); }
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    }
    if (reply && count) { reply.addEventListener("input", recount); }
    // Nothing typed is lost: a refused approval, an ended session or a stray click brings the page back
    // with the words as they were (kept per item and version in this tab only).
    var kept = "ronr-edit:" + item.dataset.id + ":" + item.dataset.version;
    if (reply) {
      var earlier = null;
      try { earlier = sessionStorage.getItem(kept); } catch (e) { earlier = null; }
      if (earlier !== null && earlier !== reply.value) {
        reply.value = earlier;
        recount();
        var told = document.createElement("span");
        told.className = "tag draft"; told.id = "restored"; told.textContent = "your unsent edit, restored";
        count.after(told);
      }
      reply.addEventListener("input", function () { try { sessionStorage.setItem(kept, reply.value); } catch (e) { /* private mode */ } });
    }
    function focus(id) { var el = document.getElementById(id); if (el) { el.focus(); if (el.setSelectionRange && el.value) { el.setSelectionRange(el.value.length, el.value.length); } } }
    var act = item.dataset.canAct === "1";
    var jump = { "#edit": "reply", "#reject": "reason", "#snooze": "until" }[location.hash];
    if (jump && act) { focus(jump); }
    function submit(id) { var f = document.getElementById(id); if (f && f.reportValidity()) { f.requestSubmit(); } }
    document.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
        if (e.target.id === "reply") { if (!approveButton.disabled) { submit("approve-form"); } e.preventDefault(); }
        else if (e.target.id === "reason") { submit("reject-form"); e.preventDefault(); }
        return;
      }
      if (e.key === "Enter" && e.target.id === "until") { submit("snooze-form"); e.preventDefault(); return; }
      if (e.key === "Escape") { if (help && !help.hidden) { toggleHelp(false); } else if (typing(e.target)) { e.target.blur(); } return; }
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) { return; }
      switch (e.key) {
        case "a": if (act && approveButton && !approveButton.disabled) { submit("approve-form"); } break;
        case "e": if (act) { focus("reply"); } break;
        case "r": if (act) { focus("reason"); } break;
        case "s": if (act) { focus("until"); } break;
        case "c": if (act) { var b = document.getElementById("claim-button"); if (b) { b.click(); } } break;
        case "u": location.href = document.querySelector("[data-back]").getAttribute("href"); break;
        case "?": toggleHelp(); break;
        default: return;
      }
      e.preventDefault();
    });
  }
  if (!table && !item) {
    document.addEventListener("keydown", function (e) {
      if (typing(e.target)) { return; }
      if (e.key === "?") { toggleHelp(); } else if (e.key === "Escape") { toggleHelp(false); }
    });
  }
})();
