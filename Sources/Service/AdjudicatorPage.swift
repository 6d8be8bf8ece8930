/// The adjudicators' page served at `GET /`: plain HTML, CSS and a little JavaScript, all inline
/// (no CDN, nothing fetched but this server's `/v1` routes).
///
/// It asks for the token once per browser session (kept in `sessionStorage`, sent as a bearer
/// token), looks up a claim (`/v1/lines/{claim_id}`) or a member (`/v1/members/{id}/timeline`),
/// shows each imaging line's decision with its rationale and the story of `lbp explain`, and
/// draws the member's windows as SVG: eligibility, the 180-day lookback, the index date and the
/// 28-day imaging window, each red-flag window, and the diagnoses in them.
///
/// For automation (the headless-browser test, a bookmark) the page also reads
/// `#token=...&claim=...` or `#member=...` from its URL fragment, which browsers never send to
/// the server; it moves the token to `sessionStorage` and clears the fragment at once. Data is
/// inserted as text nodes only, never as HTML.
enum AdjudicatorPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lbp: imaging for low back pain</title>
<style>
  :root { --deny: #b3261e; --allow: #1b6e3a; --ink: #1d232a; --muted: #5b6570; --line: #d8dde3; --bg: #f6f7f9; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  header { background: #22313f; color: #fff; padding: 12px 24px; display: flex; align-items: baseline; gap: 16px; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  header span { color: #c5d0da; font-size: 13px; }
  main { max-width: 1100px; margin: 0 auto; padding: 20px 24px 48px; }
  form { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 16px; }
  input[type=text], input[type=password] { padding: 7px 10px; border: 1px solid #aab4be; border-radius: 4px; font: inherit; min-width: 260px; }
  button { padding: 7px 14px; border: 0; border-radius: 4px; background: #2f5d8a; color: #fff; font: inherit; cursor: pointer; }
  button.link { background: none; color: #2f5d8a; padding: 0 4px; text-decoration: underline; }
  label { color: var(--muted); }
  #status { color: var(--muted); min-height: 1.4em; margin-bottom: 8px; }
  #status.error { color: var(--deny); }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin-bottom: 14px; }
  .card h2 { font-size: 16px; margin: 0 0 6px; display: flex; gap: 10px; align-items: center; }
  .badge { font-size: 12px; font-weight: 700; letter-spacing: .04em; padding: 2px 8px; border-radius: 3px; color: #fff; }
  .badge.DENY { background: var(--deny); } .badge.ALLOW { background: var(--allow); }
  .reason { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; color: var(--muted); }
  .rationale { margin: 6px 0 10px; }
  dl { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 0 0 8px; font-size: 13px; }
  dt { color: var(--muted); } dd { margin: 0; }
  details { margin-top: 6px; } summary { cursor: pointer; color: #2f5d8a; }
  pre { white-space: pre-wrap; background: #f1f3f5; padding: 10px; border-radius: 4px; font-size: 12.5px; margin: 6px 0 0; }
  #timeline svg { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
  .legend { font-size: 12px; color: var(--muted); margin: 4px 0 12px; }
  .hidden { display: none; }
</style>
</head>
<body>
<header><h1>lbp adjudication</h1><span>Imaging for low back pain: why a line was allowed or denied</span></header>
<main>
  <form id="token-form" class="hidden" autocomplete="off">
    <label for="token">Service token</label>
    <input id="token" type="password" placeholder="the token from lbp serve" required>
    <button type="submit">Use token</button>
    <span class="legend">Asked once per browser session; sent only to this server.</span>
  </form>
  <form id="lookup-form" class="hidden" autocomplete="off">
    <label for="query">Look up</label>
    <input id="query" type="text" placeholder="claim id or member id" required>
    <label><input type="radio" name="kind" value="claim" checked> claim</label>
    <label><input type="radio" name="kind" value="member"> member</label>
    <button type="submit">Show</button>
    <button type="button" class="link" id="forget">forget token</button>
  </form>
  <div id="status" role="status"></div>
  <section id="timeline"></section>
  <section id="lines"></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";
const DAY = 86400000;
let token = sessionStorage.getItem("lbp-token") || "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}
function status(text, isError) { $("status").textContent = text; $("status").className = isError ? "error" : ""; }
function showForms() {
  $("token-form").classList.toggle("hidden", !!token);
  $("lookup-form").classList.toggle("hidden", !token);
}

async function api(path) {
  const response = await fetch(path, { headers: { "Authorization": "Bearer " + token, "Accept": "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) { token = ""; sessionStorage.removeItem("lbp-token"); showForms(); }
  if (!response.ok) throw new Error((body && body.error) || ("the service answered " + response.status));
  return body;
}

function decisionCard(d, explanation, history) {
  const card = el("article", { "class": "card", "data-claim": d.claim_id, "data-line": d.claim_line_number });
  card.append(el("h2", {}, el("span", { "class": "badge " + d.outcome }, d.outcome),
    "Claim " + d.claim_id + " line " + d.claim_line_number, el("span", { "class": "reason" }, d.reason)));
  card.append(el("p", { "class": "rationale" }, d.rationale));
  const dl = el("dl");
  const add = (k, v) => { dl.append(el("dt", {}, k), el("dd", {}, v == null || v === "" ? "-" : v)); };
  add("Procedure", d.hcpcs_code + " (" + d.claim_type + ")"); add("Service date", d.service_date);
  add("Index date", d.index_date); add("Window end", d.window_end);
  add("Red flags", (d.red_flags || []).join(", ")); add("Remittance", d.group_code ? d.group_code + "-" + d.carc + ", " + d.rarc : "");
  add("Member", d.member_id); add("Policy", d.policy_id + " " + d.policy_version);
  card.append(dl);
  if (explanation) card.append(el("details", {}, el("summary", {}, "Explanation (lbp explain)"), el("pre", {}, explanation)));
  if (history && history.length) {
    const list = el("ul");
    for (const h of history) list.append(el("li", {}, "decide run " + h.run_id + " (" + h.decided_at + "): " + h.kind + ", " +
      h.previous.outcome + " " + h.previous.reason + " -> " + (h.new ? h.new.outcome + " " + h.new.reason : "withdrawn")));
    card.append(el("details", {}, el("summary", {}, "Changes (" + history.length + ")"), list));
  }
  return card;
}

function toMs(iso) { return Date.parse(iso + "T00:00:00Z"); }

function drawTimeline(t, focus) {
  const box = $("timeline");
  box.replaceChildren();
  const line = focus || t.imaging_lines.find((l) => l.decision) || t.imaging_lines[0];
  const windows = line ? line.windows : [];
  // The range shown: the focus line's windows (an unbounded start is drawn from the range start),
  // its service date, and the events near them; else everything.
  let dates = [];
  for (const w of windows) { if (w.start) dates.push(toMs(w.start)); if (w.end) dates.push(toMs(w.end)); }
  if (line) dates.push(toMs(line.service_date));
  if (!dates.length) for (const e of t.events) dates.push(toMs(e.date));
  if (!dates.length) { box.append(el("p", { "class": "legend" }, "Nothing to draw for this member.")); return; }
  let lo = Math.min(...dates) - 14 * DAY, hi = Math.max(...dates) + 14 * DAY;
  const W = 1000, left = 190, right = 20, rowH = 26;
  const x = (ms) => left + (Math.max(lo, Math.min(hi, ms)) - lo) / (hi - lo) * (W - left - right);
  const rows = [];
  rows.push({ label: "Eligibility", kind: "spans" });
  const flagRules = windows.filter((w) => !["INDEX_DATE", "PRIOR_LBP", "IMAGING"].includes(w.rule));
  rows.push({ label: "180-day lookback (I-180 ... I-1)", kind: "window", rule: "PRIOR_LBP" });
  rows.push({ label: "Imaging window (I ... I+28)", kind: "window", rule: "IMAGING" });
  rows.push({ label: "Low back pain diagnoses", kind: "events", role: "episode" });
  const names = { RED_FLAG_CANCER: "cancer", RED_FLAG_TRAUMA: "trauma", RED_FLAG_IV_DRUG_ABUSE: "IV drug abuse",
                  RED_FLAG_NEUROLOGIC: "neurologic impairment", RED_FLAG_SPINAL_INFECTION: "spinal infection" };
  for (const f of flagRules) rows.push({ label: "Red flag: " + (names[f.rule] || f.rule.replace("RED_FLAG_", "").replace(/_/g, " ")), kind: "flag", rule: f.rule });
  const H = 40 + rows.length * rowH + 30;
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "timeline of the member's windows" });
  s.append(svg("title", {}, line ? `Windows of claim ${line.claim_id} line ${line.claim_line_number}` : "Member timeline"));
  // Month ticks.
  const start = new Date(lo);
  for (let m = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); m.getTime() <= hi; m.setUTCMonth(m.getUTCMonth() + 1)) {
    if (m.getTime() < lo) continue;
    const xm = x(m.getTime());
    s.append(svg("line", { x1: xm, x2: xm, y1: 24, y2: H - 24, stroke: "#eef0f3" }));
    s.append(svg("text", { x: xm + 2, y: 18, "font-size": 11, fill: "#5b6570" }, m.toISOString().slice(0, 7)));
  }
  rows.forEach((row, i) => {
    const y = 34 + i * rowH;
    s.append(svg("text", { x: 8, y: y + 13, "font-size": 12, fill: "#1d232a" }, row.label));
    if (row.kind === "spans") {
      for (const sp of t.spans) {
        const a = x(toMs(sp.start)), b = x(sp.end ? toMs(sp.end) : hi);
        const r = svg("rect", { x: a, y: y + 3, width: Math.max(1, b - a), height: 14, fill: "#9fb8cf", rx: 2 });
        r.append(svg("title", {}, `${sp.start} to ${sp.end || "open"}, plan ${sp.plan}`));
        s.append(r);
      }
    } else if (row.kind === "window" || row.kind === "flag") {
      const w = windows.find((v) => v.rule === row.rule);
      if (w) {
        const a = x(w.start ? toMs(w.start) : lo), b = x(toMs(w.end) + DAY);
        const color = row.rule === "IMAGING" ? (line.decision && line.decision.outcome === "DENY" ? "#f2b8b5" : "#b7dfc4")
          : row.kind === "flag" ? (w.finding === "found" ? "#f6d58e" : "#eceff2") : (w.finding === "found" ? "#c9dcf0" : "#e4ebf3");
        const r = svg("rect", { x: a, y: y + 3, width: Math.max(1, b - a), height: 14, fill: color, stroke: "#8a96a3", "stroke-width": 0.5 });
        r.append(svg("title", {}, `${row.rule}: ${w.start || "any earlier date"} to ${w.end} (${w.finding})`));
        s.append(r);
      }
      if (row.kind === "flag") {
        for (const e of t.events.filter((e) => e.reason === row.rule)) {
          const c = svg("circle", { cx: x(toMs(e.date)), cy: y + 10, r: 5, fill: "#c77700" });
          c.append(svg("title", {}, `${e.code} on ${e.date} (${e.value_set}, claim ${e.claim_id})`));
          s.append(c);
        }
      }
    } else if (row.kind === "events") {
      for (const e of t.events.filter((e) => e.role === row.role)) {
        const c = svg("circle", { cx: x(toMs(e.date)), cy: y + 10, r: 5, fill: e.position === 1 ? "#2f5d8a" : "#fff", stroke: "#2f5d8a", "stroke-width": 1.5 });
        c.append(svg("title", {}, `${e.code} on ${e.date}, position ${e.position} (claim ${e.claim_id})`));
        s.append(c);
      }
    }
  });
  // Index date and service dates.
  if (line && line.decision && line.decision.index_date) {
    const xi = x(toMs(line.decision.index_date));
    s.append(svg("line", { x1: xi, x2: xi, y1: 28, y2: H - 28, stroke: "#22313f", "stroke-dasharray": "4 3" }));
    s.append(svg("text", { x: xi + 3, y: H - 14, "font-size": 11, fill: "#22313f" }, "I " + line.decision.index_date));
  }
  for (const l of t.imaging_lines) {
    const xd = x(toMs(l.service_date));
    const fill = !l.decision ? "#8a96a3" : l.decision.outcome === "DENY" ? "#b3261e" : "#1b6e3a";
    const p = svg("path", { d: `M${xd - 6},${H - 30} L${xd + 6},${H - 30} L${xd},${H - 40} Z`, fill });
    p.append(svg("title", {}, `${l.hcpcs_code} on ${l.service_date}: ${l.decision ? l.decision.outcome + " " + l.decision.reason : "not decided"}`));
    s.append(p);
  }
  box.append(s);
  box.append(el("p", { "class": "legend" }, "Bars: eligibility, the lookback and each red-flag window of the line shown (yellow: a red flag was found); " +
    "dots: diagnoses (filled: primary); triangles: imaging lines (red: denied, green: allowed); dashed: the index date I."));
}

async function lookup(kind, value) {
  $("lines").replaceChildren(); $("timeline").replaceChildren();
  status("Looking up...");
  try {
    if (kind === "claim") {
      const claim = await api("/v1/lines/" + encodeURIComponent(value));
      for (const l of claim.lines) $("lines").append(decisionCard(l, l.explanation, l.history));
      const member = claim.lines[0].member_id;
      const t = await api("/v1/members/" + encodeURIComponent(member) + "/timeline");
      const focus = t.imaging_lines.find((l) => l.claim_id === claim.claim_id && l.decision);
      drawTimeline(t, focus);
      status(`Claim ${claim.claim_id}: ${claim.lines.length} decided imaging line(s).`);
    } else {
      const t = await api("/v1/members/" + encodeURIComponent(value) + "/timeline");
      for (const l of t.imaging_lines) if (l.decision) $("lines").append(decisionCard(l.decision, null, null));
      drawTimeline(t, null);
      status(`Member ${t.member_id}: ${t.imaging_lines.length} imaging line(s), ${t.events.length} diagnosis event(s), ${t.spans.length} eligibility span(s).`);
    }
  } catch (error) {
    status(error.message, true);
  }
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("lbp-token", token);
  $("token").value = "";
  showForms();
});
$("lookup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  lookup(document.querySelector("input[name=kind]:checked").value, $("query").value.trim());
});
$("forget").addEventListener("click", () => { token = ""; sessionStorage.removeItem("lbp-token"); showForms(); });

// A fragment (#token=...&claim=... or &member=...) is read once and cleared.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("token")) { token = fragment.get("token"); sessionStorage.setItem("lbp-token", token); }
if (location.hash) history.replaceState(null, "", location.pathname);
showForms();
if (token && fragment.get("claim")) { $("query").value = fragment.get("claim"); lookup("claim", fragment.get("claim")); }
else if (token && fragment.get("member")) {
  $("query").value = fragment.get("member");
  document.querySelector("input[name=kind][value=member]").checked = true;
  lookup("member", fragment.get("member"));
}
</script>
</body>
</html>
"""#
}
