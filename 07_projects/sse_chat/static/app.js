// The ITS desk chat page: plain JavaScript, no build step.
// Model and tool text is always inserted with textContent, never innerHTML: a reply that
// contains "<img src=x onerror=...>" is shown as those characters and runs nothing.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// Where the backend is: ?api=..., else the last one used, else this page's own server when the
// backend served it, else the course's default (the page on :8080 calls the backend on :8200).
function defaultBackend() {
  const standalone = location.protocol === "file:" || location.port === "8080";
  return standalone ? "http://127.0.0.1:8200" : location.origin;
}
let backend = (params.get("api") || localStorage.getItem("backend") || defaultBackend()).replace(/\/$/, "");
let conversationId = null;
let source = null;  // the EventSource of the answer being streamed

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;  // text, never markup
  return node;
}

function scrollDown() { $("messages").scrollTop = $("messages").scrollHeight; }

function setStatus(state, label) {
  $("status").dataset.state = state;
  $("status").textContent = label || state;
}

function showError(message) {
  $("messages").append(el("div", "error", message));
  setStatus("error");
  scrollDown();
}

async function api(method, path) {
  const response = await fetch(backend + path, { method });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `HTTP ${response.status}`);
  return body;
}

async function newConversation() {
  stopStreaming();
  if (conversationId) await api("DELETE", `/api/conversations/${conversationId}`).catch(() => {});
  try {
    conversationId = (await api("POST", "/api/conversations")).conversation_id;
  } catch (error) {
    conversationId = null;
    showError(`Cannot reach the backend at ${backend}: ${error.message}`);
    return;
  }
  $("messages").replaceChildren();
  $("conversation").textContent = `conversation ${conversationId.slice(0, 8)}…`;
  $("agent").textContent = "–";
  setStatus("idle");
}

function stopStreaming() {
  if (source) source.close();  // closing tells the server to cancel the run
  source = null;
  $("send").disabled = false;
}

function ask(query) {
  const turn = el("div", "msg assistant");
  const text = el("div", "text");
  turn.dataset.state = "streaming";
  turn.append(text);
  $("messages").append(el("div", "msg user", query), turn);
  setStatus("streaming", "streaming…");
  $("send").disabled = true;
  scrollDown();

  const url = new URL(backend + "/api/chat/sse");
  url.searchParams.set("query", query);
  if (conversationId) url.searchParams.set("conversation_id", conversationId);
  source = new EventSource(url);
  const tools = new Map();  // call_id -> its line, so the result lands next to the call
  const data = (event) => JSON.parse(event.data);

  let firstAgent = true;  // the first agent_updated of a turn names the starting agent, later ones handoffs
  source.addEventListener("agent_updated", (event) => {
    const { agent } = data(event);
    if (!firstAgent) turn.insertBefore(el("div", "handoff", `→ handed off to ${agent}`), text);
    firstAgent = false;
    $("agent").textContent = agent;
  });
  source.addEventListener("text_delta", (event) => {
    text.textContent += data(event).text;
    scrollDown();
  });
  source.addEventListener("tool_started", (event) => {
    const { tool_name, call_id } = data(event);
    const line = el("div", "tool", `${tool_name} …`);
    line.dataset.state = "started";
    line.dataset.tool = tool_name;
    tools.set(call_id, line);
    turn.insertBefore(line, text);
  });
  source.addEventListener("tool_completed", (event) => {
    const { tool_name, tool_result } = data(event);
    const line = [...tools.values()].find((l) => l.dataset.tool === tool_name && l.dataset.state === "started")
      || turn.insertBefore(el("div", "tool"), text);
    line.dataset.state = "completed";
    line.textContent = `${tool_name} → ${tool_result}`;
  });
  source.addEventListener("run_completed", (event) => {
    const { final_output } = data(event);
    if (!text.textContent) text.textContent = final_output;
    turn.dataset.state = "done";
    setStatus("done");
    stopStreaming();  // else EventSource reconnects and asks the same question again
  });
  // "error" is both our event (with data) and EventSource's own connection error (without).
  source.addEventListener("error", (event) => {
    turn.dataset.state = "error";
    showError(event.data ? data(event).message : `Lost the connection to the backend at ${backend}.`);
    stopStreaming();
  });
}

$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const query = $("query").value.trim();
  if (!query || source) return;
  $("query").value = "";
  ask(query);
});
$("query").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("ask").requestSubmit(); }
});
$("new-conversation").addEventListener("click", newConversation);
$("backend").value = backend;
$("backend").addEventListener("change", () => {
  backend = $("backend").value.trim().replace(/\/$/, "");
  localStorage.setItem("backend", backend);
  conversationId = null;
  newConversation();
});

newConversation();
