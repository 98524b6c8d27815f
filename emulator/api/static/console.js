// The exolab console. Everything shown comes from the lab's JSON and goes on the
// page as text (textContent), never as markup: stored mail is client input.
"use strict";

const UI = {
  en: {
    clock: "Lab clock", set_clock: "Set", clock_from_file: "From the tenant file",
    reset: "Reset lab", sessions: "Sessions (live)", detail: "Details",
    mailboxes: "Mailboxes", switches: "Tenant settings", mailbox: "Mailbox",
    outbound: "Outbound (the internet)", transcript: "Transcript", decided: "Decided by",
    stage: "Stage", rule: "Rule", explanation: "Explanation", notes: "Rule notes",
    headers: "Headers", raw: "Raw source", attachments: "Attachments", verdict: "Verdict",
    subject: "Subject", from: "From", to: "To", scl: "SCL", folder: "Folder",
    no_token: "Read-only: open the console with `exolab console --data DIR` to change the lab.",
    confirm_reset: "Reset the lab? This restores the tenant file's settings and deletes every stored message and session.",
    applied: "Applied", on: "on", off: "off", connected: "Live", disconnected: "Reconnecting…",
    cmdlet: "PowerShell", path: "Where", download: "download",
    inherited: "(follows the organization setting)",
    faults: "Faults that fired", fault_rules: "Fault rules (active)", no_faults: "No fault rules.",
    clear_fault: "Clear", fault: "fault", at: "at", firing: "firing", matched: "matched", fired: "fired",
    report: "SMTP AUTH clients report", refresh: "Refresh", csv: "Download CSV",
    no_report: "No SMTP AUTH sign-ins yet.",
    col_sender: "Sender address", col_domain: "Domain", col_protocol: "Authentication protocol",
    col_basic: "Basic sign-ins", col_oauth: "OAuth sign-ins", col_tls: "TLS versions",
    col_messages: "Messages sent", col_last: "Last seen",
  },
  ja: {
    clock: "ラボの時計", set_clock: "設定", clock_from_file: "テナント ファイルの値に戻す",
    reset: "ラボをリセット", sessions: "セッション (ライブ)", detail: "詳細",
    mailboxes: "メールボックス", switches: "テナントの設定", mailbox: "メールボックス",
    outbound: "送信 (インターネット)", transcript: "やり取り", decided: "判定",
    stage: "段階", rule: "ルール", explanation: "説明", notes: "ルールのメモ",
    headers: "ヘッダー", raw: "メッセージのソース", attachments: "添付ファイル", verdict: "判定の説明",
    subject: "件名", from: "差出人", to: "宛先", scl: "SCL", folder: "フォルダー",
    no_token: "読み取り専用です。変更するには `exolab console --data DIR` で開いてください。",
    confirm_reset: "ラボをリセットしますか? テナント ファイルの設定に戻し、保存されたメッセージとセッションをすべて削除します。",
    applied: "適用しました", on: "オン", off: "オフ", connected: "ライブ", disconnected: "再接続中…",
    cmdlet: "PowerShell", path: "場所", download: "ダウンロード",
    inherited: "(組織の設定に従う)",
    faults: "発生した障害", fault_rules: "障害ルール (有効)", no_faults: "障害ルールはありません。",
    clear_fault: "削除", fault: "障害", at: "段階", firing: "発生", matched: "一致", fired: "発生",
    report: "SMTP AUTH クライアント レポート", refresh: "更新", csv: "CSV をダウンロード",
    no_report: "SMTP AUTH のサインインはまだありません。",
    col_sender: "送信者アドレス", col_domain: "ドメイン", col_protocol: "認証プロトコル",
    col_basic: "基本認証のサインイン", col_oauth: "OAuth のサインイン", col_tls: "TLS バージョン",
    col_messages: "送信メッセージ数", col_last: "最終確認",
  },
};

const FOLDER_NAMES = {
  ja: {"Inbox": "受信トレイ", "Junk Email": "迷惑メール", "Quarantine": "検疫",
       "Sent Items": "送信済みアイテム", "Outbound": "送信"},
};

const FAULT_ACTIONS = {
  ja: {"reply": "応答", "reset": "接続のリセット", "close": "切断", "stall": "停止",
       "slow": "低速化", "lose_250": "250 を返さない"},
};

const state = {lang: "en", token: null, source: null, selected: null, reportTimer: null};

function t(key) { return (UI[state.lang] || UI.en)[key] || key; }
function folderName(name) { return (FOLDER_NAMES[state.lang] || {})[name] || name; }
function actionName(name) { return (FAULT_ACTIONS[state.lang] || {})[name] || name; }

function faultText(f) {
  // what fired, in the page's language: "fault busy: reply 4.7.500 at eod (firing 1)"
  const what = `${actionName(f.action)}${f.action === "reply" && f.reply ? ` ${f.reply}` : ""}`;
  return `${t("fault")} ${f.name}: ${what} ${t("at")} ${f.stage} (${t("firing")} ${f.nth})`;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function say(text) { document.getElementById("status").textContent = text; }

function takeToken() {
  // `exolab console` puts the lab token in the URL fragment: never sent to a server,
  // kept for this tab only, and removed from the address bar at once.
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("exolab-token", match[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  state.token = sessionStorage.getItem("exolab-token");
}

async function getJson(path) {
  const sep = path.includes("?") ? "&" : "?";
  const response = await fetch(`${path}${sep}lang=${state.lang}`, {headers: {Accept: "application/json"}});
  return response.json();
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": "application/json", "Authorization": `Bearer ${state.token}`},
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) { say(answer.error || `HTTP ${response.status}`); return null; }
  return answer;
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll(".write")) node.disabled = !state.token;
  if (!state.token) say(t("no_token"));
}

function sessionRow(s) {
  const decided = s.decided || {};
  const row = el("li", {"class": "session", "data-id": String(s.id), onclick: () => showSession(s.id)},
    el("span", {text: `#${s.id} `}),
    el("span", {"class": `outcome ${s.outcome}`, text: s.outcome_text || s.outcome}),
    el("span", {text: ` ${s.endpoint}:${s.port} ${s.identity || ""} ${s.tls_version || ""}`}),
    el("span", {"class": "meaning", text: decided.meaning || ""}));
  for (const f of s.faults || []) row.append(el("span", {"class": "fault", text: faultText(f)}));
  return row;
}

function addSession(s) {
  const list = document.getElementById("sessions");
  const old = list.querySelector(`li[data-id="${CSS.escape(String(s.id))}"]`);
  const row = sessionRow(s);
  if (old) old.replaceWith(row); else list.prepend(row);
}

async function showSession(id) {
  const s = await getJson(`/api/console/sessions/${encodeURIComponent(id)}`);
  const body = document.getElementById("detail-body");
  const decided = s.decided || {};
  const steps = s.steps && s.steps.length ? s.steps
    : (s.transcript || []).map((x) => ({dir: x.dir, line: x.line, meaning: "", wrong: false}));
  const transcript = el("div", {"class": "transcript"});
  for (const step of steps) {
    const arrow = step.dir === "C" ? "→" : step.dir === "S" ? "←" : "·";
    transcript.append(el("div", {"class": `${step.dir}${step.wrong ? " wrong" : ""}`, text: `${arrow} ${step.line}`}));
    if (step.meaning) transcript.append(el("div", {"class": "step-meaning", text: step.meaning}));
  }
  body.replaceChildren(
    el("h3", {text: `#${s.id} ${s.endpoint}:${s.port} — ${s.outcome_text || s.outcome}`}),
    el("dl", {},
      el("dt", {text: t("stage")}), el("dd", {"class": "stage", text: decided.stage || ""}),
      el("dt", {text: t("rule")}), el("dd", {"class": "rule", text: decided.rule || ""}),
      el("dt", {text: t("explanation")}), el("dd", {"class": "explanation", text: decided.meaning || ""}),
      el("dt", {text: t("notes")}), el("dd", {text: (s.notes || []).join(" / ")}),
      el("dt", {text: t("faults")}), el("dd", {"class": "faults"},
        ...(s.faults || []).map((f) => el("div", {"class": "fault", text: faultText(f)})))),
    el("h4", {text: t("transcript")}), transcript);
}

function renderMailboxes(data) {
  const table = document.getElementById("mailboxes");
  const head = el("tr", {}, el("th", {text: t("mailbox")}), ...data.folders.map((f) => el("th", {text: folderName(f)})));
  const rows = data.mailboxes.map((m) => el("tr", {"data-mailbox": m.address}, el("td", {text: m.address}),
    ...data.folders.map((f) => el("td", {"class": "count"},
      el("button", {"data-folder": f, text: String(m.folders[f]), onclick: () => showFolder(m.address, f)})))));
  table.replaceChildren(head, ...rows, el("tr", {}, el("td", {text: `${t("outbound")}: ${data.outbound}`})));
}

async function showFolder(mailbox, folder) {
  const list = await getJson(`/api/console/messages?mailbox=${encodeURIComponent(mailbox)}&folder=${encodeURIComponent(folder)}`);
  const box = document.getElementById("messages");
  box.replaceChildren(el("h3", {text: `${mailbox} — ${folderName(folder)}`}),
    el("ul", {}, ...list.map((m) => el("li", {"class": "message", "data-id": String(m.id)},
      el("a", {href: "#", "class": "subject", text: m.subject_decoded || m.subject || "(no subject)",
        onclick: (e) => { e.preventDefault(); showMessage(m.id); }}),
      el("span", {text: ` — ${m.envelope_from} (SCL ${m.scl === null ? "-" : m.scl})`})))));
}

async function showMessage(id) {
  const m = await getJson(`/api/console/messages/${encodeURIComponent(id)}`);
  const attachments = el("ul", {}, ...(m.attachments || []).map((a) => el("li", {},
    el("a", {href: `/api/messages/${encodeURIComponent(m.id)}/attachments/${encodeURIComponent(a.index)}`,
      download: a.filename || "attachment", "class": "attachment", text: a.filename || `part ${a.index}`}),
    el("span", {text: ` ${a.content_type}, ${a.size} B`}))));
  const verdict = el("dl", {"class": "verdict"});
  for (const line of m.verdict || []) verdict.append(el("dt", {text: line.item}), el("dd", {text: line.meaning}));
  const raw = el("a", {href: `/api/messages/${encodeURIComponent(m.id)}/raw`, text: t("raw")});
  document.getElementById("detail-body").replaceChildren(
    el("h3", {"class": "message-subject", text: m.subject_decoded || m.subject}),
    el("dl", {},
      el("dt", {text: t("from")}), el("dd", {text: m.envelope_from}),
      el("dt", {text: t("to")}), el("dd", {text: (m.envelope_to || []).join(", ")}),
      el("dt", {text: t("folder")}), el("dd", {text: `${m.mailbox} / ${folderName(m.folder)}`}),
      el("dt", {text: t("scl")}), el("dd", {text: m.scl === null ? "-" : String(m.scl)})),
    el("h4", {text: t("verdict")}), verdict,
    el("h4", {text: t("attachments")}), attachments,
    el("h4", {text: t("headers")}), el("pre", {text: m.header_text}), raw);
  if (m.session_id !== null) {
    const link = el("a", {href: "#", text: `→ session #${m.session_id}`, onclick: (e) => { e.preventDefault(); showSession(m.session_id); }});
    document.getElementById("detail-body").append(el("p", {}, link));
  }
}

function renderSwitches(switches) {
  const box = document.getElementById("switches");
  const children = [];
  let group = null;
  for (const s of switches) {
    if (s.group !== group) { group = s.group; children.push(el("div", {"class": "group", text: s.group_label})); }
    const box = el("input", {type: "checkbox", checked: s.on, disabled: !state.token, "data-key": s.key});
    box.addEventListener("change", () => flip(s, box.checked));
    children.push(el("div", {"class": "switch", "data-key": s.key},
      el("label", {}, box, ` ${s.label}${s.identity && s.identity !== "Default" ? ` (${s.identity})` : ""}: `,
        el("span", {"class": "value", text: s.on ? t("on") : t("off")}),
        s.inherited ? el("span", {"class": "inherited", text: ` ${t("inherited")}`}) : null),
      el("span", {"class": "path", text: `${t("path")}: ${s.path}`}),
      el("code", {text: s.cmdlet})));
  }
  box.replaceChildren(...children);
}

async function flip(s, on) {
  const value = s.inverted ? !on : on;
  const answer = await post("/api/tenant/set", {set: [`${s.key}=${value}`]});
  if (answer) say(`${t("applied")}: ${answer.applied.join(", ")}`);
  await loadState();
}

function renderFaultRules(rules) {
  const box = document.getElementById("fault-rules");
  if (!rules || !rules.length) { box.replaceChildren(el("p", {text: t("no_faults")})); return; }
  box.replaceChildren(el("ul", {}, ...rules.map((r) => el("li", {"class": "fault-rule", "data-name": r.Name},
    el("code", {text: Object.entries(r).filter(([k]) => k !== "Matched" && k !== "Fired")
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`).join(" ")}),
    el("span", {text: ` ${t("matched")} ${r.Matched}, ${t("fired")} ${r.Fired} `}),
    el("button", {"class": "write clear-fault", disabled: !state.token, text: t("clear_fault"),
      onclick: () => post("/api/faults/clear", {name: r.Name})})))));
}

async function loadReport() {
  const rows = await getJson("/api/reports/smtp-auth-clients");
  const table = document.getElementById("auth-report");
  const columns = ["col_sender", "col_domain", "col_protocol", "col_basic", "col_oauth", "col_tls", "col_messages", "col_last"];
  const head = el("tr", {}, ...columns.map((c) => el("th", {text: t(c)})));
  const body = rows.map((r) => el("tr", {"data-sender": r.sender},
    ...[r.sender, r.domain, r.protocol, String(r.basic_sign_ins), String(r.oauth_sign_ins),
        r.tls_versions.join(" "), String(r.messages), r.last_seen || ""].map((v) => el("td", {text: v}))));
  table.replaceChildren(head, ...body);
  document.getElementById("auth-report-empty").textContent = rows.length ? "" : t("no_report");
}

function reportSoon() {
  // the report reads every session: after a burst of sessions, ask once
  clearTimeout(state.reportTimer);
  state.reportTimer = setTimeout(loadReport, 3000);
}

function showClock(clock) { document.getElementById("clock").textContent = clock.now; }

async function loadState() {
  const data = await getJson("/api/console/state");
  document.getElementById("title").textContent = `exolab: ${data.tenant}`;
  showClock(data.clock);
  renderSwitches(data.switches);
  renderMailboxes(data);
  renderFaultRules(data.fault_rules);
  return data;
}

async function start() {
  applyLabels();
  const data = await loadState();
  const list = document.getElementById("sessions");
  list.replaceChildren();
  for (const s of data.sessions) addSession(s);
  await loadReport();
  if (state.source) state.source.close();
  const source = new EventSource(`/api/console/events?lang=${state.lang}`);
  state.source = source;
  source.addEventListener("open", () => document.body.dataset.live = "yes");
  source.addEventListener("error", () => { document.body.dataset.live = "no"; });
  source.addEventListener("session", (e) => { addSession(JSON.parse(e.data)); loadState(); reportSoon(); });
  source.addEventListener("tenant", () => loadState());
  source.addEventListener("faults", (e) => renderFaultRules(JSON.parse(e.data).rules));
  source.addEventListener("clock", (e) => showClock(JSON.parse(e.data)));
  source.addEventListener("reset", () => start());
  source.addEventListener("reload", () => start());
}

function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("exolab-lang", lang);
  start();
}

document.addEventListener("DOMContentLoaded", () => {
  takeToken();
  const saved = new URLSearchParams(location.search).get("lang") || localStorage.getItem("exolab-lang");
  state.lang = saved === "ja" ? "ja" : "en";
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => setLang(button.dataset.lang));
  }
  document.getElementById("clock-set").addEventListener("click", async () => {
    const answer = await post("/api/console/clock", {as_of: document.getElementById("clock-input").value});
    if (answer) showClock(answer.clock);
  });
  document.getElementById("clock-reset").addEventListener("click", async () => {
    const answer = await post("/api/console/clock", {as_of: null});
    if (answer) showClock(answer.clock);
  });
  document.getElementById("reset").addEventListener("click", async () => {
    if (confirm(t("confirm_reset"))) await post("/api/console/reset", {confirm: "reset"});
  });
  document.getElementById("auth-report-refresh").addEventListener("click", () => loadReport());
  setInterval(() => getJson("/api/console/state").then((d) => showClock(d.clock)), 10000);
  start();
});
