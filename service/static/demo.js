// The demo page: POST the text to /v1/analyze, then mark every span of the answer in the text.
// Offsets are code points (Python str indexes), so the text is handled as an array of code points.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  function spansOf(a) {
    var out = [];
    (a.quantities || []).forEach(function (q) {
      out.push({ start: q.start, end: q.end, cls: "q", title: q.kind + ": " + q.value + " " + (q.unit || "") });
    });
    (a.entities || []).forEach(function (e) {
      (e.mentions || []).forEach(function (m) {
        out.push({ start: m.start, end: m.end, cls: e.type === "DATE" ? "d" : "e",
                   title: e.type + ": " + e.name + (e.value ? " = " + e.value : "") });
      });
    });
    (a.stances || []).forEach(function (s) {
      out.push({ start: s.evidence.start, end: s.evidence.end, cls: "s",
                 title: s.source + " → " + s.target + ": " + s.label + " (" + s.action + ")" });
    });
    return out;
  }

  // Cut the text at every span boundary; each piece carries the classes of the spans covering it.
  function render(text, spans) {
    var chars = Array.from(text);
    var cuts = {0: true};
    cuts[chars.length] = true;
    spans.forEach(function (s) { cuts[s.start] = true; cuts[s.end] = true; });
    var points = Object.keys(cuts).map(Number).sort(function (x, y) { return x - y; });
    var frag = document.createDocumentFragment();
    for (var i = 0; i + 1 < points.length; i++) {
      var a = points[i], b = points[i + 1];
      var piece = chars.slice(a, b).join("");
      var cover = spans.filter(function (s) { return s.start <= a && b <= s.end; });
      if (!cover.length) { frag.appendChild(document.createTextNode(piece)); continue; }
      var el = document.createElement("span");
      el.className = cover.map(function (s) { return s.cls; }).join(" ");
      el.title = cover.map(function (s) { return s.title; }).join("\n");
      el.textContent = piece;
      frag.appendChild(el);
    }
    var box = $("highlighted");
    box.textContent = "";
    box.appendChild(frag);
  }

  function renderStances(a) {
    var box = $("stances");
    box.textContent = "";
    var rows = (a.stances || []).map(function (s) {
      return [s.source, s.target, s.label, s.action, s.evidence.text];
    }).concat((a.article_stances || []).map(function (s) {
      return ["(author)", s.target, s.label, "score " + s.score, ""];
    }));
    if (!rows.length) { return; }
    var t = document.createElement("table");
    var head = t.insertRow();
    ["source", "target", "label", "action", "evidence"].forEach(function (h) {
      var th = document.createElement("th"); th.textContent = h; head.appendChild(th);
    });
    rows.forEach(function (r) {
      var tr = t.insertRow();
      r.forEach(function (c) { tr.insertCell().textContent = c; });
    });
    box.appendChild(t);
  }

  $("form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("text").value;
    var body = { text: text };
    if ($("published").value) { body.published = $("published").value; }
    var targets = $("targets").value.split(/[,，]/).map(function (s) { return s.trim(); }).filter(Boolean);
    if (targets.length) { body.targets = targets; }
    $("status").textContent = "…";
    fetch("/v1/analyze", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
      .then(function (res) {
        $("json").textContent = JSON.stringify(res.json, null, 2);
        if (!res.ok) { $("status").textContent = res.json.title + ": " + res.json.detail; return; }
        $("status").textContent = "";
        render(text, spansOf(res.json));
        renderStances(res.json);
      })
      .catch(function (err) { $("status").textContent = String(err); });
  });
})();
