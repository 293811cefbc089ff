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

function newTurn() {
  const turn = el("div", "msg assistant");
  const text = el("div", "text");
  turn.dataset.state = "streaming";
  turn.append(text);
  $("messages").append(turn);
  setStatus("streaming", "streaming…");
  $("send").disabled = true;
  scrollDown();
  return { turn, text, tools: new Map(), firstAgent: true };  // tools: call_id -> its line
}

function finishTurn(t, state, status) {
  t.turn.dataset.state = state;
  setStatus(status || state);
  stopStreaming();  // else EventSource reconnects and asks the same question again
}

// One handler per event of the contract; the same for a new question (EventSource) and for the
// rest of a run after an approval (a POST, read as a stream).
function handlers(t) {
  return {
    agent_updated({ agent }) {
      // the first agent_updated of a turn names the starting agent, later ones handoffs
      if (!t.firstAgent) t.turn.insertBefore(el("div", "handoff", `→ handed off to ${agent}`), t.text);
      t.firstAgent = false;
      $("agent").textContent = agent;
    },
    text_delta({ text }) {
      t.text.textContent += text;
      scrollDown();
    },
    tool_started({ tool_name, call_id }) {
      const line = el("div", "tool", `${tool_name} …`);
      line.dataset.state = "started";
      line.dataset.tool = tool_name;
      t.tools.set(call_id, line);
      t.turn.insertBefore(line, t.text);
    },
    tool_completed({ tool_name, call_id, tool_result }) {
      // matched on the call id: the same tool may be called twice in one answer
      const line = t.tools.get(call_id) || t.turn.insertBefore(el("div", "tool"), t.text);
      line.dataset.state = "completed";
      line.textContent = `${tool_name} → ${tool_result}`;
    },
    approval_required(request) {
      t.turn.insertBefore(approvalBox(request), t.text);
      finishTurn(t, "waiting", "waiting for approval");
    },
    approval_resolved({ tool_name, approved }) {
      t.turn.insertBefore(el("div", "handoff", `${tool_name}: ${approved ? "approved" : "rejected"}`), t.text);
    },
    guardrail_rejected({ message, category }) {
      t.turn.classList.add("rejected");
      t.text.textContent = `${message} (category: ${category})`;
      finishTurn(t, "done", "rejected");
    },
    run_completed({ final_output }) {
      if (!t.text.textContent) t.text.textContent = final_output;
      finishTurn(t, "done");
    },
    error({ message }) {
      showError(message);
      finishTurn(t, "error");
    },
  };
}

function ask(query) {
  $("messages").append(el("div", "msg user", query));
  const t = newTurn();
  const on = handlers(t);
  const url = new URL(backend + "/api/chat/sse");
  url.searchParams.set("query", query);
  if (conversationId) url.searchParams.set("conversation_id", conversationId);
  source = new EventSource(url);
  for (const name of Object.keys(on)) {
    // "error" is both our event (with data) and EventSource's own connection error (without).
    source.addEventListener(name, (event) => {
      if (name === "error" && !event.data) {
        showError(`Lost the connection to the backend at ${backend}.`);
        finishTurn(t, "error");
        return;
      }
      on[name](JSON.parse(event.data));
    });
  }
}

// A paused tool call: what it would do, why it waits, and the two buttons.
function approvalBox({ call_id, tool_name, arguments: args, reason }) {
  const box = el("div", "approval");
  box.dataset.callId = call_id;
  box.append(el("div", "reason", reason), el("code", "call", `${tool_name} ${args}`));
  const approve = el("button", "approve", "Approve");
  const reject = el("button", "reject", "Reject");
  approve.type = reject.type = "button";
  const decide = (yes) => {
    approve.disabled = reject.disabled = true;
    box.dataset.decided = yes ? "approved" : "rejected";
    resume(call_id, yes);
  };
  approve.addEventListener("click", () => decide(true));
  reject.addEventListener("click", () => decide(false));
  box.append(approve, reject);
  return box;
}

// POST the decision; the answer is the rest of the run, as SSE. EventSource cannot POST, so the
// stream is read with fetch and split into events here (blank line between events).
async function resume(callId, approve) {
  const t = newTurn();
  const on = handlers(t);
  try {
    const response = await fetch(`${backend}/api/conversations/${conversationId}/approvals/${callId}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ approve }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const fields = {};
        for (const line of buffer.slice(0, end).split("\n")) {
          const colon = line.indexOf(": ");
          if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
        }
        buffer = buffer.slice(end + 2);
        if (fields.event && on[fields.event]) on[fields.event](JSON.parse(fields.data));
      }
    }
  } catch (error) {
    on.error({ message: `The decision did not reach the backend at ${backend}: ${error.message}` });
  }
  if (t.turn.dataset.state === "streaming") finishTurn(t, "done");
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
