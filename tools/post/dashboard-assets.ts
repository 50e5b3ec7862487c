/**
 * The dashboard's page, style and script, served by the post itself: nothing is fetched
 * from the Internet, and the Content-Security-Policy (dashboard-server.ts) allows scripts
 * and styles from the post only, no inline code. The script builds the page with DOM
 * calls and `textContent`, never HTML from data.
 */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Picket command post</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header><h1>Picket command post</h1><span id="epoch">epoch –</span><span id="link">connecting…</span></header>
<main>
<section id="plan-section"><h2>Plan</h2><svg id="plan" viewBox="0 0 100 60" role="img" aria-label="devices on the plan"></svg>
<p class="legend"><span class="dot sensor"></span>sensor <span class="dot alarm"></span>alarm <span class="dot responder"></span>responder <span class="dot relay"></span>relay <span class="dot gateway"></span>gateway <span class="ring"></span>lost</p></section>
<section id="alerts-section"><h2>Alerts</h2><ol id="alerts"></ol></section>
<section id="devices-section"><h2>Devices</h2><table id="devices"><thead><tr><th>id</th><th>name</th><th>role</th><th>last heard</th><th>state</th></tr></thead><tbody></tbody></table>
<form id="revoke"><h3>Revoke a device</h3><select id="revoke-device"></select><input id="passphrase" type="password" placeholder="domain passphrase" autocomplete="off"><button type="submit">Revoke</button><p id="revoke-result"></p></form></section>
<section id="rollout-section"><h2>Firmware rollout</h2><p id="rollout-staged">no image staged (post serve --rollout … --offer …)</p><p id="rollout-running"></p><button id="rollout-start" type="button" hidden>Start rollout</button><button id="rollout-stop" type="button" hidden>Stop rollout</button></section>
<section id="actions-section"><h2>Operator actions</h2><ol id="actions"></ol></section>
</main>
</body>
</html>
`;

export const APP_CSS = `body{font:14px system-ui,sans-serif;margin:0;background:#f4f4f1;color:#222}
header{display:flex;gap:1.5em;align-items:baseline;background:#263238;color:#fff;padding:.5em 1em}
header h1{font-size:1.2em;margin:0}
main{display:grid;grid-template-columns:1.3fr 1fr;gap:1em;padding:1em}
section{background:#fff;border-radius:6px;padding:.5em 1em;box-shadow:0 1px 2px #0002}
h2{font-size:1em;margin:.3em 0}
#plan{width:100%;height:auto;background:#eef3ee}
#plan text{font-size:2.2px}
#plan circle.device{stroke:#333;stroke-width:.25}
#plan circle.alerting{stroke:#d00;stroke-width:1;animation:blink 1s infinite}
#plan circle.lost{stroke:#f80;stroke-width:.9;stroke-dasharray:1 .5}
@keyframes blink{50%{stroke-opacity:.2}}
.sensor{fill:#1e88e5;background:#1e88e5}.alarm{fill:#8e24aa;background:#8e24aa}.responder{fill:#43a047;background:#43a047}.relay{fill:#9e9e9e;background:#9e9e9e}.gateway{fill:#f9a825;background:#f9a825}.post{fill:#000;background:#000}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%}
.ring{display:inline-block;width:.7em;height:.7em;border-radius:50%;border:2px dashed #f80}
ol{padding-left:1.2em;max-height:22em;overflow:auto}
li{margin:.3em 0}
li.alert{border-left:4px solid #d00;padding-left:.4em}
.receipts{color:#555;font-size:.9em}
button{margin-left:.4em}
tr.lost td{color:#c60;font-weight:bold}
.state-confirmed{color:#080;font-weight:bold}
.state-failed,.state-partly-dropped{color:#c00}
`;

export const APP_JS = `"use strict";
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const state = { devices: new Map(), alerts: [], receipts: new Map(), actions: new Map(), epoch: 0, alerting: new Set(), rollout: { staged: null, running: null } };

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}
function svg(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}
function name(id) { const d = state.devices.get(id); return d ? d.name : "#" + id; }
function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : "never"; }

async function api(path, body) {
  const response = await fetch(path, body === undefined ? { headers: { "x-picket-token": token } } :
    { method: "POST", headers: { "x-picket-token": token, "content-type": "application/json" }, body: JSON.stringify(body) });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function drawPlan() {
  const plan = document.getElementById("plan");
  plan.replaceChildren();
  const placed = [...state.devices.values()].filter((d) => d.x !== null && d.y !== null);
  if (placed.length === 0) return;
  const xs = placed.map((d) => d.x), ys = placed.map((d) => d.y);
  const minX = Math.min(...xs) - 10, minY = Math.min(...ys) - 10;
  const width = Math.max(...xs) - minX + 30, height = Math.max(...ys) - minY + 10;
  plan.setAttribute("viewBox", [minX, minY, width, height].join(" "));
  const r = Math.max(width, height) / 70;
  for (const d of placed) {
    const classes = ["device", d.role];
    if (state.alerting.has(d.id)) classes.push("alerting");
    if (d.lost) classes.push("lost");
    const circle = svg("circle", { cx: d.x, cy: d.y, r, class: classes.join(" "), "data-device": d.name });
    circle.append(svg("title", {}));
    circle.firstChild.textContent = d.name + " (" + d.role + ")";
    plan.append(circle);
    const label = svg("text", { x: d.x + r * 1.3, y: d.y + r / 2 });
    label.style.fontSize = (r * 1.6) + "px";
    label.textContent = d.name;
    plan.append(label);
  }
}

function drawDevices() {
  const body = document.querySelector("#devices tbody");
  body.replaceChildren();
  const select = document.getElementById("revoke-device");
  select.replaceChildren();
  for (const d of state.devices.values()) {
    const status = d.revoked ? "revoked" : d.lost ? "LOST" : d.lastHeard ? "ok" : "–";
    const row = el("tr", { class: d.lost ? "lost" : "", "data-device": d.name }, el("td", {}, String(d.id)), el("td", {}, d.name), el("td", {}, d.role), el("td", {}, time(d.lastHeard)), el("td", { class: "status" }, status));
    body.append(row);
    if (!d.revoked && d.role !== "post") select.append(el("option", { value: String(d.id) }, d.name));
  }
}

function receiptText(alert) {
  const list = state.receipts.get(alert.source + "/" + alert.incident) || new Map();
  const parts = [];
  for (const [device, flags] of list) parts.push(name(device) + ": " + flags.join("+"));
  return parts.length ? parts.join(", ") : "no receipts yet";
}

function drawAlerts() {
  const list = document.getElementById("alerts");
  list.replaceChildren();
  for (const alert of state.alerts) {
    const ack = el("button", { "data-action": "acknowledge" }, "Acknowledge");
    ack.addEventListener("click", () => act({ kind: "acknowledge", alert: alert.id }));
    const silence = el("button", { "data-action": "silence" }, "Silence");
    silence.addEventListener("click", () => act({ kind: "silence", alert: alert.id }));
    list.append(el("li", { class: "alert", "data-alert": String(alert.id), "data-event": alert.event },
      el("b", {}, alert.event + " from " + name(alert.source)), " incident " + alert.incident + ", severity " + alert.severity + ", " + (alert.copies || 1) + " cop" + ((alert.copies || 1) > 1 ? "ies" : "y") + " via gateway " + name(alert.gateway) + " (" + alert.hops + " hops) at " + time(alert.at),
      ack, silence, el("div", { class: "receipts" }, receiptText(alert))));
  }
}

function drawActions() {
  const list = document.getElementById("actions");
  list.replaceChildren();
  for (const a of [...state.actions.values()].sort((x, y) => y.id - x.id)) {
    list.append(el("li", { "data-action-id": String(a.id), "data-state": a.state }, "#" + a.id + " " + a.kind + " ", el("span", { class: "state-" + a.state }, a.state), a.detail ? " — " + a.detail : ""));
  }
}

function drawRollout() {
  const { staged, running } = state.rollout;
  document.getElementById("rollout-staged").textContent = staged ? "staged: rollout " + staged.rollout + ", version " + staged.version + ", security counter " + staged.securityCounter + ", " + staged.bytes + " bytes" : "no image staged (post serve --rollout … --offer …)";
  document.getElementById("rollout-running").textContent = running ? "seeding rollout " + running.rollout + ": " + running.installed + " installed, " + running.confirmed + " confirmed, " + running.chunksServed + " chunks served" : "no rollout being seeded";
  document.getElementById("rollout-start").hidden = !staged || !!running;
  document.getElementById("rollout-stop").hidden = !running;
}

async function refreshRollout() {
  try { state.rollout = (await api("/api/state")).rollout; drawRollout(); } catch (error) { document.getElementById("link").textContent = "error: " + error.message; }
}

function draw() { drawPlan(); drawDevices(); drawAlerts(); drawActions(); drawRollout(); document.getElementById("epoch").textContent = "key epoch " + state.epoch; }

async function act(body) {
  try { const result = await api("/api/actions", body); state.actions.set(result.action.id, result.action); drawActions(); }
  catch (error) { document.getElementById("link").textContent = "refused: " + error.message; }
}

document.getElementById("rollout-start").addEventListener("click", () => act({ kind: "start-rollout" }).then(refreshRollout));
document.getElementById("rollout-stop").addEventListener("click", () => act({ kind: "stop-rollout" }).then(refreshRollout));

document.getElementById("revoke").addEventListener("submit", async (event) => {
  event.preventDefault();
  const passphrase = document.getElementById("passphrase");
  const device = Number(document.getElementById("revoke-device").value);
  const result = document.getElementById("revoke-result");
  try { const r = await api("/api/actions", { kind: "revoke", device, passphrase: passphrase.value }); state.actions.set(r.action.id, r.action); result.textContent = "revocation sent: action " + r.action.id; drawActions(); }
  catch (error) { result.textContent = "refused: " + error.message; }
  passphrase.value = "";
});

function addReceipt(r) {
  const key = r.origin + "/" + r.incident;
  if (!state.receipts.has(key)) state.receipts.set(key, new Map());
  state.receipts.get(key).set(r.device, r.flags);
}

async function start() {
  const snapshot = await api("/api/state");
  state.epoch = snapshot.epoch;
  for (const d of snapshot.devices) state.devices.set(d.id, d);
  for (const a of snapshot.alerts.reverse()) {
    const same = state.alerts.find((b) => b.source === a.source && b.incident === a.incident);
    if (same) same.copies = (same.copies || 1) + 1; else state.alerts.unshift(a);
  }
  for (const r of snapshot.receipts) addReceipt(r);
  for (const a of snapshot.actions) state.actions.set(a.id, a);
  state.rollout = snapshot.rollout;
  draw();
  const source = new EventSource("/api/events?token=" + encodeURIComponent(token));
  source.onopen = () => { document.getElementById("link").textContent = "live"; };
  source.onerror = () => { document.getElementById("link").textContent = "reconnecting…"; };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    switch (event.type) {
      case "alert": {
        // Repeats of an incident are one line: the first copy, counted.
        const same = state.alerts.find((a) => a.source === event.source && a.incident === event.incident);
        if (same) { same.copies = (same.copies || 1) + 1; same.severity = Math.max(same.severity, event.severity); }
        else state.alerts.unshift(event);
        state.alerting.add(event.source);
        setTimeout(() => { state.alerting.delete(event.source); drawPlan(); }, 10000);
        draw();
        break;
      }
      case "receipt": addReceipt(event); drawAlerts(); break;
      case "device": {
        const d = state.devices.get(event.device);
        if (d) { if (event.state === "lost") d.lost = true; else { d.lost = false; d.lastHeard = event.at; } drawDevices(); drawPlan(); }
        break;
      }
      case "action": {
        const a = state.actions.get(event.id) || { id: event.id, kind: "?", state: event.state };
        a.state = event.state; if (event.detail) a.detail = event.detail;
        state.actions.set(event.id, a); drawActions();
        break;
      }
      case "epoch": state.epoch = event.epoch; draw(); break;
      case "rollout": {
        const running = state.rollout.running;
        if (running && running.rollout === event.rollout) { running.installed = event.installed; running.confirmed = event.confirmed; drawRollout(); }
        break;
      }
      case "gateway": document.getElementById("link").textContent = "gateway " + name(event.gateway) + ": " + event.state; break;
    }
  };
}
start().catch((error) => { document.getElementById("link").textContent = "error: " + error.message; });
`;
