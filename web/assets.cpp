// SPDX-License-Identifier: MIT
#include "web/assets.hpp"

namespace eventmgr::web {
namespace {

constexpr std::string_view k_style = R"css(
:root { --fg: #1d2733; --muted: #5b6775; --line: #d5dbe2; --bg: #f6f8fa; --accent: #1f5fbf;
        --ok: #1d7a3a; --bad: #b3261e; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1rem; padding: .6rem 1rem; background: #16324f; color: #fff; }
header .brand { font-weight: 600; margin-right: .5rem; }
header nav { display: flex; flex-wrap: wrap; gap: .2rem .9rem; flex: 1; }
header nav a { color: #d8e6f5; text-decoration: none; padding: .15rem 0; }
header nav a.current { color: #fff; border-bottom: 2px solid #fff; }
header .who { display: flex; gap: .5rem; align-items: center; font-size: .9rem; }
header .who form { margin: 0; }
header .who button { background: transparent; color: #fff; border: 1px solid #8fb0d3; padding: .15rem .5rem; }
main { padding: 1rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; }
.scroll { overflow-x: auto; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; white-space: nowrap; }
th a { color: inherit; text-decoration: none; }
td.cmd, code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: .88rem; }
td.cmd { word-break: break-all; }
pre { background: var(--bg); border: 1px solid var(--line); padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .muted { color: var(--muted); }
.notice { padding: .6rem .8rem; border-radius: 4px; margin: .6rem 0; border: 1px solid; }
.notice.ok { background: #e9f6ec; border-color: #a6d8b2; color: var(--ok); }
.notice.error { background: #fdeceb; border-color: #f1b2ad; color: var(--bad); white-space: pre-wrap; }
.notice.note { background: #fff6e0; border-color: #f0d48a; color: var(--warn); }
form.filters, .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .5rem 0; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
input, select, textarea, button { font: inherit; }
input[type=text], input[type=number], input[type=password], input[type=search], select, textarea {
  padding: .35rem .45rem; border: 1px solid #aab4bf; border-radius: 4px; max-width: 100%; }
textarea { width: 100%; min-height: 4.5rem; font-family: ui-monospace, monospace; }
button, .button { padding: .38rem .8rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent);
  color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .5; cursor: not-allowed; }
.field { margin: .7rem 0; }
.field > label { display: block; font-weight: 600; margin-bottom: .2rem; }
.field .hint { font-size: .85rem; color: var(--muted); }
.field .problem { color: var(--bad); font-size: .9rem; white-space: pre-wrap; }
.presets { display: flex; flex-wrap: wrap; gap: .3rem .9rem; }
.params { display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .3rem; }
.params button { background: var(--bg); color: var(--fg); border: 1px solid var(--line); padding: .1rem .4rem; font-family: ui-monospace, monospace; font-size: .85rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.pager { margin: .8rem 0; display: flex; gap: 1rem; }
svg.chart { width: 100%; max-width: 760px; height: auto; border: 1px solid var(--line); background: #fff; }
svg.chart .okbar { fill: #3d9a57; } svg.chart .badbar { fill: #d0453b; }
svg.chart .axis { stroke: #8a96a3; stroke-width: 1; } svg.chart text { font-size: 10px; fill: #5b6775; }
.legend span { margin-right: 1rem; } .legend .okkey { color: #3d9a57; } .legend .badkey { color: #d0453b; }
body.login main { max-width: 420px; margin: 8vh auto; }
body.login form { display: flex; flex-direction: column; gap: .6rem; }
.hint { color: var(--muted); font-size: .9rem; }
.live { font-size: .85rem; color: var(--muted); }
@media (max-width: 700px) {
  main { padding: .6rem; }
  th, td { padding: .3rem .35rem; font-size: .88rem; }
  .wide { display: none; }
}
)css";

constexpr std::string_view k_script = R"js(
// Small comforts only: every page works without this script.
(function () {
  'use strict';
  // Runs page: refresh the first page's rows while it is open.
  var live = document.querySelector('[data-live]');
  if (live) {
    var note = document.getElementById('live-note');
    if (note) { note.textContent = 'Live: new runs appear here as they finish.'; }
    var refresh = function () {
      fetch(live.getAttribute('data-live'), { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          if (text !== null && text !== live.getAttribute('data-last')) {
            live.setAttribute('data-last', text);
            var body = new DOMParser().parseFromString('<table><tbody>' + text + '</tbody></table>', 'text/html');
            var rows = body.querySelector('tbody');
            live.replaceChildren.apply(live, Array.prototype.slice.call(rows.children));
          }
        })
        .catch(function () {});
    };
    setInterval(refresh, 1500);
  }
  // Handlers and Dead letters pages: one box selects every row.
  var all = document.getElementById('select-all');
  if (all) {
    all.hidden = false;
    all.addEventListener('change', function () {
      document.querySelectorAll('input[name=id]').forEach(function (box) { box.checked = all.checked; });
    });
  }
  // Handler form: a parameter button inserts <name> at the cursor of the command box.
  var command = document.getElementById('command');
  document.querySelectorAll('button[data-insert]').forEach(function (button) {
    button.addEventListener('click', function (e) {
      e.preventDefault();
      if (!command) { return; }
      var text = button.getAttribute('data-insert');
      var start = command.selectionStart || command.value.length, end = command.selectionEnd || start;
      command.value = command.value.slice(0, start) + text + command.value.slice(end);
      command.focus();
      command.selectionStart = command.selectionEnd = start + text.length;
    });
  });
  // Handler form: changing the event reloads the form with that event's parameters.
  var event = document.getElementById('event');
  if (event && event.form && event.form.getAttribute('data-reload')) {
    event.addEventListener('change', function () {
      var form = event.form, params = new URLSearchParams();
      ['event', 'priority', 'priority_custom', 'user', 'command', 'timeout', 'stdin', 'description'].forEach(function (n) {
        var el = form.elements[n];
        if (el && el.value !== undefined && !(el instanceof RadioNodeList)) { params.set(n, el.value); }
        if (el instanceof RadioNodeList) { params.set(n, el.value); }
      });
      window.location.search = params.toString();
    });
  }
})();
)js";

} // namespace

std::optional<Asset> find_asset(std::string_view path) {
  if (path == "/static/style.css") {
    return Asset{"text/css; charset=utf-8", k_style};
  }
  if (path == "/static/app.js") {
    return Asset{"text/javascript; charset=utf-8", k_script};
  }
  return std::nullopt;
}

} // namespace eventmgr::web
