// sentibot dashboard: refresh the overview's rows from the JSON API every few seconds.
// Text goes in through textContent only (never innerHTML), so names stay text.
"use strict";
(function () {
  const table = document.getElementById("channels");
  if (!table) { return; }
  const seconds = Number(table.dataset.poll) || 15;
  const status = document.getElementById("status");
  const SVG = "http://www.w3.org/2000/svg";
  const fmt = {
    num: (v) => (v === null ? "–" : v.toFixed(2)),
    signed: (v) => (v === null ? "–" : (v >= 0 ? "+" : "") + v.toFixed(2)),
    pct: (v) => (v === null ? "–" : Math.round(v * 100) + "%"),
    when: (v) => (v ? v.slice(0, 16).replace("T", " ") : "never"),
  };

  function spark(values) {
    const w = 96, h = 24, step = w / Math.max(1, values.length - 1);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "spark"); svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("width", w); svg.setAttribute("height", h);
    svg.setAttribute("role", "img"); svg.setAttribute("aria-label", "mood over the period");
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        const line = document.createElementNS(SVG, "polyline");
        line.setAttribute("points", run.join(" ")); line.setAttribute("fill", "none");
        line.setAttribute("stroke", "currentColor"); line.setAttribute("stroke-width", "1.5");
        svg.appendChild(line);
      } else if (run.length === 1) {
        const [x, y] = run[0].split(",");
        const dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", "1.5");
        dot.setAttribute("fill", "currentColor"); svg.appendChild(dot);
      }
      run = [];
    };
    values.forEach((v, i) => {
      if (v === null) { flush(); return; }
      run.push(`${(i * step).toFixed(1)},${(h - 2 - v * (h - 4)).toFixed(1)}`);
    });
    flush();
    return svg;
  }

  function cell(field, className) {
    const td = document.createElement("td");
    td.dataset.field = field;
    if (className) { td.className = className; }
    return td;
  }

  function row(e, since) {
    const tr = document.createElement("tr");
    tr.dataset.key = `${e.platform}/${e.channel_id}`;
    const name = cell("name"); const link = document.createElement("a");
    link.href = `${e.url}?since=${encodeURIComponent(since)}`; link.textContent = e.name;
    name.appendChild(link); tr.appendChild(name);
    const text = [["platform", e.platform, ""], ["server_id", e.server_id, ""],
      ["messages", String(e.messages), "num"], ["mean", fmt.num(e.mean), "num"],
      ["change", fmt.signed(e.change), "num"], ["negative", fmt.pct(e.negative), "num neg"],
      ["neutral", fmt.pct(e.neutral), "num"], ["positive", fmt.pct(e.positive), "num pos"]];
    for (const [field, value, cls] of text) {
      const td = cell(field, cls); td.textContent = value; tr.appendChild(td);
    }
    const trend = cell("spark"); trend.appendChild(spark(e.spark)); tr.appendChild(trend);
    const alert = cell("alert", e.alert); alert.textContent = e.alert; tr.appendChild(alert);
    const last = cell("last_report"); last.textContent = fmt.when(e.last_report);
    tr.appendChild(last);
    return tr;
  }

  let previous = "";
  async function refresh() {
    const params = new URLSearchParams(window.location.search);
    const since = params.get("since") || "24h";
    try {
      const answer = await fetch(`/api/channels?${params.toString()}`,
        { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (answer.status === 401) { status.textContent = "Signed out: reload for the sign-in help."; return; }
      if (!answer.ok) { status.textContent = `Update failed (${answer.status}); retrying.`; return; }
      const body = await answer.json();
      const text = JSON.stringify(body.channels);
      if (text !== previous && body.channels.length > 0) {
        const tbody = table.tBodies[0];
        tbody.replaceChildren(...body.channels.map((e) => row(e, since)));
      }
      previous = text;
      const n = body.channels.length;
      status.textContent = `${n} channel${n === 1 ? "" : "s"} · updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      status.textContent = "Update failed (offline?); retrying.";
    }
  }
  window.setInterval(refresh, seconds * 1000);
})();
