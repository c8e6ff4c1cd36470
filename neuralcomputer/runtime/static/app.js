"use strict";
// The play page: draws the frames `ncomp play` sends and turns pointer and key input on the
// canvas into actions. The protocol is documented in neuralcomputer/runtime/protocol.py.

const SCALE = 4; // screen pixels -> CSS pixels; the canvas keeps the screen's own size, CSS scales it crisply
const PANEL_GAP = 2; // pixels between the panels of a truth frame (frame_image.PANEL_GAP)
const MAX_IN_FLIGHT = 3; // actions sent but not yet answered; input beyond this waits here, so it never queues at the server
const NAMED_KEYS = {
  Enter: "Enter", Backspace: "Backspace", Escape: "Escape", Tab: "Tab",
  ArrowUp: "Up", ArrowDown: "Down", ArrowLeft: "Left", ArrowRight: "Right",
  Control: "Ctrl", Shift: "Shift", Alt: "Alt",
};

const $ = (id) => document.getElementById(id);
const screen = $("screen");
const canvases = [screen, $("real"), $("difference")];

let socket = null;
let width = 128, height = 128;
const outbox = []; // messages waiting to be sent, in order: {message, isAction}
let pendingMove = null, pendingMoveAt = 0; // the latest pointer position not yet sent (moves merge), and when
const sentAt = []; // input times of the actions awaiting their frame, oldest first
let frameInfo = null; // the "frame" message whose PNG comes next
let drawing = Promise.resolve(); // frames are decoded asynchronously but drawn in order
const frameTimes = [], latencies = [];
// A game (status.clock_hz set) runs on without input: one action per tick, with the keys held now.
let clock = null, clockHz = null, holdKeys = new Set();
const held = new Set(); // hold keys down now, by their schema names
let pressed = null; // a key pressed since the last tick that is not a hold key (DOOM's weapon numbers)

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.binaryType = "blob";
  socket.onopen = flush;
  socket.onmessage = (event) => (typeof event.data === "string" ? onText(JSON.parse(event.data)) : onPng(event.data));
  socket.onclose = (event) => say(`disconnected${event.reason ? ": " + event.reason : ""}; reload to start again`);
}

function onText(message) {
  if (message.type === "status") onStatus(message);
  else if (message.type === "frame") frameInfo = message;
  else if (message.type === "error") {
    sentAt.splice(0, message.dropped);
    say(message.message);
    flush();
  } else if (message.type === "record") onRecord(message);
}

function onStatus(status) {
  if (status.width !== width || status.height !== height) [width, height] = [status.width, status.height];
  for (const canvas of canvases) {
    [canvas.width, canvas.height] = [width, height];
    canvas.style.width = `${width * SCALE}px`;
    canvas.style.height = `${height * SCALE}px`;
  }
  const picker = $("model");
  picker.replaceChildren(...status.models.map((name) => new Option(name, name, false, name === status.model)));
  $("truth").checked = status.truth;
  $("truth").disabled = status.booted_from !== "software";
  for (const figure of document.querySelectorAll(".truth")) figure.hidden = !status.truth;
  holdKeys = new Set(status.hold_keys);
  if (status.clock_hz !== clockHz) {
    clearInterval(clock);
    clockHz = status.clock_hz;
    clock = clockHz ? setInterval(tick, 1000 / clockHz) : null;
    $("clock").textContent = clockHz ? `game clock ${clockHz.toFixed(2)} steps/s; hold keys to play` : "";
  }
}

function tick() {
  if (sentAt.length + outbox.length >= MAX_IN_FLIGHT) return; // the machine is behind: skip a tick, don't queue
  const action = { hold: [...held] };
  if (pressed !== null) action.key = pressed;
  pressed = null;
  sendAction(action);
}

function onPng(blob) {
  const info = frameInfo;
  frameInfo = null;
  if (info && info.after === "action") {
    const sent = sentAt.shift();
    if (sent !== undefined) latencies.push(performance.now() - sent);
  }
  flush();
  drawing = drawing.then(async () => {
    const image = await createImageBitmap(blob);
    for (let panel = 0; panel < canvases.length; panel++) {
      const x = panel * (width + PANEL_GAP);
      if (x + width > image.width) break; // truth off: the neural panel only
      const context = canvases[panel].getContext("2d");
      context.imageSmoothingEnabled = false;
      context.drawImage(image, x, 0, width, height, 0, 0, width, height);
    }
    image.close();
    frameTimes.push(performance.now());
    screen.dataset.frames = String(Number(screen.dataset.frames || 0) + 1);
    if (info) $("step").textContent = `step ${info.step}`;
  });
}

function onRecord(record) {
  for (const url of [record.actions, record.video]) {
    const link = document.createElement("a");
    link.href = url;
    link.download = "";
    link.click();
  }
  say(`recorded ${record.steps} steps; replay the log with: ${record.replay}`);
}

function say(text) {
  $("message").textContent = text;
}

// --- sending: actions wait in the outbox while MAX_IN_FLIGHT are unanswered ---

function sendAction(action) {
  if (pendingMove && !("mouse" in action)) action = { mouse: pendingMove, ...action };
  pendingMove = null;
  outbox.push({ message: action, isAction: true, at: performance.now() });
  flush();
}

function sendControl(message) {
  outbox.push({ message, isAction: false });
  flush();
}

function flush() {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  while (sentAt.length < MAX_IN_FLIGHT) {
    let entry = outbox.shift();
    if (!entry && pendingMove) {
      entry = { message: { mouse: pendingMove }, isAction: true, at: pendingMoveAt };
      pendingMove = null;
    }
    if (!entry) return;
    if (entry.isAction) sentAt.push(entry.at);
    socket.send(JSON.stringify(entry.message));
  }
}

// --- input on the canvas ---

function screenPoint(event) {
  const box = screen.getBoundingClientRect();
  const clamp = (v, n) => Math.min(n - 1, Math.max(0, Math.floor(v)));
  const x = ((event.clientX - box.left) * width) / box.width, y = ((event.clientY - box.top) * height) / box.height;
  return [clamp(x, width), clamp(y, height)];
}

screen.addEventListener("mousemove", (event) => {
  [pendingMove, pendingMoveAt] = [screenPoint(event), performance.now()];
  flush();
});
screen.addEventListener("mousedown", (event) => {
  if (event.button !== 0) return;
  event.preventDefault(); // no text selection; focus by hand so keys come here
  screen.focus();
  sendAction({ mouse: screenPoint(event), button: "down" });
});
window.addEventListener("mouseup", (event) => {
  if (event.button === 0 && document.activeElement === screen) sendAction({ mouse: screenPoint(event), button: "up" });
});
function schemaKey(event) {
  return NAMED_KEYS[event.key] ?? (event.key.length === 1 && event.key >= " " && event.key <= "~" ? event.key : null);
}

function holdName(event) { // "w" and "W" (Shift held) are one key
  const key = schemaKey(event);
  return key !== null && key.length === 1 ? key.toLowerCase() : key;
}

screen.addEventListener("keydown", (event) => {
  const key = clock ? holdName(event) : schemaKey(event);
  if (clock) { // a game: keys are held (Ctrl fires in DOOM, so no browser shortcuts here)
    if (key === null) return;
    event.preventDefault();
    if (holdKeys.has(key)) held.add(key);
    else if (!event.repeat) pressed = key;
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return; // leave browser shortcuts alone
  if (key === null || key === "Ctrl" || key === "Shift" || key === "Alt") return;
  event.preventDefault();
  sendAction({ key });
});
screen.addEventListener("keyup", (event) => held.delete(holdName(event)));
screen.addEventListener("blur", () => held.clear()); // keys released elsewhere never come back here

// --- controls ---

$("reboot").addEventListener("click", () => sendControl({ type: "reboot" }));
$("truth").addEventListener("change", (event) => sendControl({ type: "truth", on: event.target.checked }));
$("record").addEventListener("click", () => sendControl({ type: "record" }));
$("model").addEventListener("change", (event) => sendControl({ type: "model", name: event.target.value }));
$("upload").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => sendControl({ type: "reboot", png: reader.result.split(",", 2)[1] });
  reader.readAsDataURL(file);
  event.target.value = "";
});

// --- statistics, four times a second over the last second / the last 30 actions ---

setInterval(() => {
  const now = performance.now();
  while (frameTimes.length && frameTimes[0] < now - 1000) frameTimes.shift();
  latencies.splice(0, Math.max(0, latencies.length - 30));
  $("fps").textContent = `${frameTimes.length} frames/s`;
  if (latencies.length) {
    const sorted = [...latencies].sort((a, b) => a - b);
    $("latency").textContent = `${sorted[sorted.length >> 1].toFixed(0)} ms input to frame`;
  }
}, 250);

connect();
