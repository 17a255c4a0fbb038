// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in headless Chromium over saved HTML pages.
//
//   node --experimental-websocket axe-check.mjs <chromium binary> <page.html>...
//
// Prints one JSON object: {"<page>": [{id, impact, help, nodes}], ...}. The pytest test
// tests/caseload/test_pages_axe.py renders the pages and calls this; it is skipped on a
// machine without Node, Chromium or `make frontend` (which installs axe-core).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const axePath = process.env.AXE_CORE_JS || join(here, "node_modules", "axe-core", "axe.min.js");
const axeSource = readFileSync(axePath, "utf8");
const [chromium, ...pages] = process.argv.slice(2);
const RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const profile = mkdtempSync(join(tmpdir(), "axe-chromium-"));
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
  "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

const wsUrl = await new Promise((ok, fail) => {
  let seen = "";
  const timer = setTimeout(() => fail(new Error(`Chromium did not start: ${seen}`)), 20000);
  browser.stderr.on("data", (chunk) => {
    seen += chunk;
    const match = seen.match(/DevTools listening on (ws:\/\/\S+)/);
    if (match) { clearTimeout(timer); ok(match[1]); }
  });
});

const socket = new WebSocket(wsUrl);
await new Promise((ok) => socket.addEventListener("open", ok, { once: true }));
let nextId = 0;
const waiting = new Map();
const listeners = [];
socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== undefined && waiting.has(message.id)) {
    const { ok, fail } = waiting.get(message.id);
    waiting.delete(message.id);
    message.error ? fail(new Error(JSON.stringify(message.error))) : ok(message.result);
  } else {
    for (const listener of listeners) listener(message);
  }
});
function send(method, params = {}, sessionId) {
  if (process.env.AXE_DEBUG) console.error("->", method);
  const id = ++nextId;
  socket.send(JSON.stringify({ id, method, params, sessionId }));
  return new Promise((ok, fail) => waiting.set(id, { ok, fail }));
}

async function openTab() {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Page.enable", {}, sessionId);
  await send("Emulation.setDeviceMetricsOverride",
    { width: 1024, height: 800, deviceScaleFactor: 1, mobile: false }, sessionId);
  return sessionId;
}

async function check(sessionId, page) {
  const loaded = new Promise((ok) => {
    const listener = (m) => {
      if (m.sessionId === sessionId && m.method === "Page.loadEventFired") {
        listeners.splice(listeners.indexOf(listener), 1);
        ok();
      }
    };
    listeners.push(listener);
  });
  await send("Page.navigate", { url: pathToFileURL(resolve(page)).href }, sessionId);
  await loaded;
  await send("Runtime.evaluate", { expression: axeSource }, sessionId);
  const { result, exceptionDetails } = await send("Runtime.evaluate", {
    expression: `axe.run(document, {runOnly: {type: "tag", values: ${JSON.stringify(RULES)}}})
      .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`,
    awaitPromise: true, returnByValue: true,
  }, sessionId);
  if (exceptionDetails) throw new Error(`${page}: ${JSON.stringify(exceptionDetails)}`);
  return result.value;
}

// A few tabs share the work (axe is CPU-bound; more tabs than cores does not help).
const TABS = Math.max(1, Math.min(Number(process.env.AXE_TABS || 2), pages.length));
const results = {};
const queue = [...pages];
await Promise.all(Array.from({ length: TABS }, async () => {
  const sessionId = await openTab();
  while (queue.length) {
    const page = queue.shift();
    results[page] = await check(sessionId, page);
  }
}));
console.log(JSON.stringify(results));
socket.close();
browser.kill();
rmSync(profile, { recursive: true, force: true });
// The browser's stderr pipe would keep the event loop alive.
process.exit(0);
