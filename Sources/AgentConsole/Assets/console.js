// Agent Platform console: streaming for the chat page, a question before a form that deletes or revokes is
// sent, and copying a new token. Everything else works without this script.
// Replies stream through the API's chat routes under /console/api, authenticated by the session cookie
// and the page's CSRF token. Text from the server is only ever set as textContent, never as HTML, but for
// a reply's Markdown as the server renders it (ReplyMarkdown, which escapes all of the text and writes the
// only markup), the same HTML the page has after a reload.
"use strict";

(function () {
  // What cannot be undone is asked first (`data-confirm` holds the question); without script it is not.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Times are written in UTC on the server, one zone for every reader (and so without script); the script
  // shows each in the reader's own zone and words, the UTC time kept as its tooltip and `datetime`.
  // Today's times are the time alone, this year's leave the year out: what a reader needs to tell them apart.
  const utc = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d) UTC$/;
  const formats = {
    today: new Intl.DateTimeFormat(undefined, { timeStyle: "short" }),
    thisYear: new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }),
    earlier: new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }),
  };
  function local(when) {
    const now = new Date();
    if (when.toDateString() === now.toDateString()) return formats.today.format(when);
    return (when.getFullYear() === now.getFullYear() ? formats.thisYear : formats.earlier).format(when);
  }
  function showLocalTimes(root) {
    for (const element of root.querySelectorAll("time:not([datetime])")) {
      const parts = utc.exec(element.textContent.trim());
      if (!parts) continue;
      const [year, month, day, hour, minute] = parts.slice(1).map(Number);
      const when = new Date(Date.UTC(year, month - 1, day, hour, minute));
      element.setAttribute("datetime", when.toISOString());
      element.title = element.textContent.trim();
      element.textContent = local(when);
    }
  }
  showLocalTimes(document);

  // Said to screen readers without moving the reader: a reply that ended, a copy made. Emptied first, so that
  // the same words said twice are said again.
  const announcement = document.getElementById("announcement");
  function announce(text) {
    if (!announcement) return;
    announcement.textContent = "";
    setTimeout(() => { announcement.textContent = text; }, 50);
  }

  // What a deletion or revocation did, said on the page it leads to (`?done=`, a word of the console's own,
  // never text from the address), shown and announced once: a reload or Back does not say it again.
  const done = {
    "agent-deleted": "Agent deleted.", "connection-deleted": "Connection deleted.",
    "conversation-deleted": "Conversation deleted.", "token-revoked": "Token revoked.",
  }[new URLSearchParams(location.search).get("done")];
  if (done) {
    const note = document.createElement("p");
    note.className = "saved";
    note.id = "done";
    note.textContent = done;
    document.getElementById("main").prepend(note);
    announce(done);
    const address = new URL(location.href);
    address.searchParams.delete("done");
    history.replaceState(null, "", address);
  }

  // A form sent back refused: its title says so, and the keyboard starts at the first field to mend, where a
  // screen reader would otherwise hear the same page again and have to look for what went wrong.
  const refused = document.querySelector('main form [aria-invalid="true"]');
  if (refused) {
    document.title = "Error: " + document.title;
    refused.focus();
  }

  // A session ends after a time without use (CONSOLE_IDLE_MINUTES), and a form sent after that is lost: two
  // minutes before, the reader is told, and may stay signed in. Every request of the page's own counts as use.
  const idleMeta = document.querySelector('meta[name="session-idle-seconds"]');
  const sessionWarning = document.getElementById("session-warning");
  if (idleMeta && sessionWarning) {
    const idle = Number(idleMeta.content) * 1000;
    const warnBefore = Math.min(120000, idle / 2);
    let timer = null;
    let returnTo = null;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(warn, idle - warnBefore);
    };
    const warn = () => {
      returnTo = document.activeElement;
      sessionWarning.hidden = false;
      document.getElementById("session-stay").focus();
      timer = setTimeout(() => {
        document.getElementById("session-warning-text").textContent =
          "Your session has ended without use. Sign in again in another tab, then send what this page holds.";
        document.getElementById("session-stay").hidden = true;
      }, warnBefore);
    };
    const fetchOfPage = window.fetch.bind(window);
    window.fetch = (...args) => {
      watch();
      return fetchOfPage(...args);
    };
    document.getElementById("session-stay").addEventListener("click", async () => {
      // Any page read is use; this one's own address costs nothing to render again.
      const response = await fetch(location.pathname, { method: "HEAD", credentials: "same-origin" }).catch(() => null);
      if (!response || !response.ok || new URL(response.url).pathname === "/signin") {
        document.getElementById("session-warning-text").textContent =
          "The session could not be kept: it may have ended. Sign in again in another tab, then send what this page holds.";
        return;
      }
      sessionWarning.hidden = true;
      if (returnTo && returnTo.isConnected) returnTo.focus();
    });
    watch();
  }

  // A page brought back by Back or Forward from the browser's memory (its back-forward cache, which
  // Chromium keeps even for pages served no-store) is read anew: it could show an agent just deleted, or a
  // conversation as it was, with forms still live.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) location.reload();
  });

  // A copy button says, and announces, whether `copying` reached the clipboard, then its own label again (kept
  // from its first click: a second one within the two seconds would otherwise keep "Copied" for good).
  async function copyWith(button, copying) {
    const label = button.dataset.label || (button.dataset.label = button.textContent);
    try {
      await copying();
      button.textContent = "Copied";
    } catch (_) {
      button.textContent = "Copy failed";
    }
    announce(button.textContent);
    setTimeout(() => { button.textContent = label; }, 2000);
  }

  // A value shown once (a new token) copies with a button, shown only where the script runs.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () =>
      copyWith(button, () => navigator.clipboard.writeText(document.getElementById(button.dataset.copy).value)));
  }

  // The page that answers a token's creation becomes the token list in the history: reloading it would send
  // the form again and create a second token (the browser's "resubmit?" is easily said yes to), where the
  // list is what a reload should show. The value stays on screen until the page is left.
  if (document.getElementById("issued-token")) history.replaceState(null, "", "/tokens");

  // A click that opens a link where the browser would (a new tab, a download): left to the browser.
  function opensElsewhere(event) {
    return event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0;
  }

  const sessionEnded = "Your session has ended. Sign in again to go on.";

  // The agent form's model field offers the models a connection's provider lists for its key, once asked
  // (asking is a call to the provider). Read from the connection's page, which lists them; without script,
  // the link leads there.
  const suggest = document.getElementById("suggest-models");
  if (suggest) {
    suggest.addEventListener("click", async (event) => {
      if (opensElsewhere(event)) return;
      event.preventDefault();
      const status = document.getElementById("model-suggestions-status");
      status.textContent = "Asking the provider…";
      try {
        const response = await fetch(suggest.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (!response.ok) throw new Error("The request failed with status " + response.status + ".");
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const failure = page.getElementById("models-failure");
        if (failure) throw new Error(failure.textContent);
        // An ended session leads to the sign-in page, which lists no models either.
        if (!page.getElementById("models")) throw new Error(sessionEnded);
        const names = [...page.querySelectorAll("#models code")].map((code) => code.textContent);
        document.getElementById("model-suggestions").replaceChildren(...names.map((name) => new Option(name)));
        status.textContent = names.length ? names.length + " listed: type in the field to choose one." : "The provider lists none.";
        if (names.length) document.getElementById("model").focus();
      } catch (error) {
        status.textContent = error.message;
      }
    });
  }

  const log = document.getElementById("chat-log");
  if (!log) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const repliesURL = log.dataset.replies;
  const agentName = (document.querySelector(".crumbs a:nth-of-type(2)") || {}).textContent || "Agent";
  const composer = document.getElementById("composer");
  const composerError = document.getElementById("composer-error");
  // Where a message refused because the conversation went on elsewhere waits for the page read anew.
  const draftKey = "agent-platform-draft:" + location.pathname;
  // The message box stays in view at the foot of the screen: a control the keyboard reaches under it (a
  // reply's buttons) is scrolled up above it, where the browser would leave it hidden.
  if (composer) {
    log.addEventListener("focusin", (event) => {
      const covered = event.target.getBoundingClientRect().bottom - composer.getBoundingClientRect().top;
      if (covered > -8) window.scrollBy(0, covered + 16);
    });
  }

  function messageElement(message) {
    let item = document.getElementById("message-" + message.id);
    if (item) return item;
    item = document.createElement("li");
    item.id = "message-" + message.id;
    item.dataset.id = message.id;
    const speaker = document.createElement("p");
    speaker.className = "speaker";
    speaker.textContent = message.role === "assistant" ? agentName : "You";
    const content = document.createElement("div");
    content.className = "content";
    // Each message runs in its own writing's direction: Arabic or Hebrew right to left, beside English.
    content.dir = "auto";
    item.append(speaker, content);
    if (message.role === "assistant") {
      const details = document.createElement("p");
      details.className = "details muted";
      const actions = document.createElement("div");
      actions.className = "actions";
      actions.append(
        button("Stop", "cancel", message.id, "secondary stop"),
        button("Regenerate", "regenerate", message.id, "secondary"),
        button("Copy", "copy-reply", message.id, "secondary copy-reply"),
      );
      item.append(details, actions);
    }
    log.append(item);
    return item;
  }

  function button(label, action, id, className) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.dataset.action = action;
    element.dataset.message = id;
    element.textContent = label;
    return element;
  }

  function show(message, item) {
    item.className = "message " + message.role + " " + message.status;
    item.dataset.status = message.status;
    // A streaming reply is busy: screen readers announce it once it ends, not at every piece.
    item.setAttribute("aria-busy", message.status === "streaming" ? "true" : "false");
    const stop = item.querySelector('[data-action="cancel"]');
    if (stop) stop.hidden = message.status !== "streaming";
    const copy = item.querySelector('[data-action="copy-reply"]');
    if (copy) copy.hidden = message.status === "streaming" || !message.content;
    // Regenerating a reply that still runs would start (and pay for) a second beside it: Stop first. Marked
    // rather than disabled, so that the keyboard may stay on it until it ends.
    const regenerate = item.querySelector('[data-action="regenerate"]');
    if (regenerate) regenerate.setAttribute("aria-disabled", message.status === "streaming" ? "true" : "false");
    const details = item.querySelector(".details");
    if (details && message.status !== "streaming") {
      const parts = [];
      if (message.model) parts.push(message.model);
      if (message.usage) parts.push(message.usage.prompt_tokens + message.usage.completion_tokens + " tokens");
      if (message.latency_ms != null) parts.push(message.latency_ms + " ms");
      if (message.status !== "complete") parts.push(message.status === "cancelled" ? "stopped" : message.status);
      details.textContent = parts.join(" · ");
    }
  }

  // The page follows the conversation as it grows while its reader is at its end, so that a reply that
  // streams stays in view; a reader who scrolled up to read something else is left there.
  function readingTheEnd() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
  }

  function showTheEnd() {
    window.scrollTo(0, document.documentElement.scrollHeight);
  }

  // A reply's text as plain text (until the server has rendered it).
  function setText(item, text) {
    const content = item.querySelector(".content");
    content.classList.remove("markdown");
    delete item.dataset.live;
    content.textContent = text;
  }

  // A reply's Markdown as the server rendered it.
  function setRendered(item, html) {
    const content = item.querySelector(".content");
    content.innerHTML = html;
    content.classList.add("markdown");
  }

  // While a reply streams, its text so far is shown rendered too, at most twice a second: the server
  // renders what it has generated (the same route as at the end), and the pieces that arrive meanwhile
  // are not appended to it. Where the server cannot (the reply runs on another instance), they are shown
  // as plain text, as before.
  // Each streaming reply's text as received (for the plain view, should rendering stop working midway)
  // and whether a render is awaited or due again.
  const streams = new WeakMap();
  function streamOf(item) {
    if (!streams.has(item)) streams.set(item, { received: "", waiting: false, again: false });
    return streams.get(item);
  }

  function renderWhileStreaming(item) {
    const state = streamOf(item);
    if (state.waiting) {
      state.again = true;
      return;
    }
    state.waiting = true;
    setTimeout(async () => {
      state.again = false;
      const html = await rendered(item);
      const atEnd = readingTheEnd();
      if (item.dataset.status === "streaming") {
        if (html !== null) {
          setRendered(item, html);
          item.dataset.live = "rendered";
        } else if (item.dataset.live === "rendered") {
          setText(item, state.received);
        }
        if (atEnd) showTheEnd();
      }
      state.waiting = false;
      if (state.again && item.dataset.status === "streaming") renderWhileStreaming(item);
    }, 500);
  }

  // The body of a 200 answer to a GET of this origin, or null for any other answer: neither a redirect
  // followed (a session that has ended is sent to the sign-in page, which is not what was asked for) nor a
  // wait for ever. A request that fails or times out throws.
  async function readText(url, accept) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { "Accept": accept },
      redirect: "manual",
      signal: AbortSignal.timeout(5000),
    });
    if (response.status !== 200 || response.type === "opaqueredirect") return null;
    return response.text();
  }

  // A reply's content as the server renders it, or null where it cannot (a 204: the reply runs on
  // another instance; a session that has ended) or the request fails.
  async function rendered(item) {
    try {
      return await readText("/messages/" + encodeURIComponent(item.dataset.id) + "/content", "text/html");
    } catch (_) {
      return null;
    }
  }

  // A reply that has ended, shown as the page shows it: its Markdown rendered. Should the request fail, the
  // plain text stays.
  async function render(item) {
    const html = await rendered(item);
    if (html === null) return;
    setRendered(item, html);
    addCopyButtons(item);
  }

  // Each code block of a rendered reply gets a button that copies its text.
  function addCopyButtons(root) {
    for (const pre of root.querySelectorAll(".markdown pre")) {
      if (pre.nextElementSibling && pre.nextElementSibling.classList.contains("code-actions")) continue;
      const actions = document.createElement("div");
      actions.className = "code-actions";
      // The language its fence named, as the block's label.
      const code = pre.querySelector("code[class^='language-']");
      if (code) {
        const language = document.createElement("span");
        language.className = "code-language";
        language.textContent = code.className.slice("language-".length);
        actions.append(language);
      }
      actions.append(button("Copy code", "copy", "", "secondary copy"));
      pre.after(actions);
    }
  }

  function copyCode(target) {
    const pre = target.parentElement.previousElementSibling;
    return copyWith(target, () => navigator.clipboard.writeText(pre.textContent));
  }

  // A reply's text as it was written (its Markdown), read from the API: the page holds it rendered only.
  // The clipboard is handed the text still on its way, where the browser takes one (Safari writes only
  // within the click that asked).
  function copyReply(target) {
    const text = readText("/console/api/messages/" + encodeURIComponent(target.dataset.message), "application/json")
      .then((body) => (body === null ? Promise.reject(new Error("not read")) : JSON.parse(body).content));
    return copyWith(target, async () => {
      if (window.ClipboardItem && navigator.clipboard.write) {
        const blob = text.then((content) => new Blob([content], { type: "text/plain" }));
        await navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
      } else {
        await navigator.clipboard.writeText(await text);
      }
    });
  }

  // The alert of a reply or a form, made (before `before`, or last) where it has none yet.
  function alertOf(element, before) {
    let alert = element.querySelector(".alert");
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "alert";
      alert.setAttribute("role", "alert");
      element.insertBefore(alert, before || null);
    }
    return alert;
  }

  function fail(item, problem) {
    const alert = alertOf(item, item.querySelector(".actions"));
    alert.textContent = "The reply failed: " + (problem.title || "error") + ". " + (problem.detail || "");
    const retry = item.querySelector('[data-action="regenerate"]');
    if (retry) retry.textContent = "Retry";
  }

  // Why the server refused a request, in words for the page.
  // Whether a refusal's problem names `field`. Reads a clone: the response stays readable for `refusal`.
  async function problemNames(response, field) {
    try {
      const problem = await response.clone().json();
      return (problem.errors || []).some((error) => error.field === field);
    } catch (_) {
      return false;
    }
  }

  async function refusal(response) {
    if (response.status === 401) return sessionEnded;
    let problem = {};
    try { problem = await response.json(); } catch (_) {}
    return problem.detail || ("The request failed with status " + response.status + ".");
  }

  // Reads a text/event-stream response, handing each event's name and parsed data to `handle`, until the
  // stream ends or `handle` returns true (the rest is not read). A dropped connection is thrown.
  async function readEvents(response, handle) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length === 0) continue;
        if (await handle(name, JSON.parse(data.join("\n")))) {
          reader.cancel().catch(() => {});
          return;
        }
      }
    }
  }

  // Applies a reply's stream to the page. Returns the reply's element (null before the server named it),
  // whether there is nothing more to follow (the stream told how the reply ended, or the page shows another
  // thread now: the reply goes on on the server, and its thread's page follows it again when shown), and the
  // problem it ended with where no reply started.
  // A reply in a thread of its own (`inThreadOfItsOwn`: a regenerated reply, an edited message's) shows
  // that thread in place of the one shown once it has started.
  async function follow(response, reply, inThreadOfItsOwn) {
    if (!response.ok) throw new Error(await refusal(response));
    let ended = false;
    let problem = null;
    let thread = threadsShown;
    try {
      await readEvents(response, async (name, payload) => {
        if (thread !== threadsShown) {
          ended = true;
          return true;
        }
        const atEnd = readingTheEnd();
        if (name === "message" && !inThreadOfItsOwn) {
          const item = messageElement(payload);
          item.querySelector(".content").textContent = payload.content;
          show(payload, item);
        } else if (name === "reply.started") {
          // The rest of the stream waits meanwhile, so none of the reply's pieces is missed.
          if (inThreadOfItsOwn) {
            if (!(await showThread(payload.id))) {
              location.assign(threadURL(payload.id));
              return true;
            }
            thread = threadsShown;
          }
          reply = messageElement(payload);
          setText(reply, "");
          streamOf(reply).received = "";
          show(payload, reply);
          continueFrom(payload.id);
        } else if (name === "reply.delta" && reply && reply.dataset.status === "streaming") {
          // Only while it streams: a piece still on its way after Stop would undo the rendered reply.
          streamOf(reply).received += payload.text;
          if (reply.dataset.live !== "rendered") reply.querySelector(".content").textContent += payload.text;
          renderWhileStreaming(reply);
        } else if (name === "reply.completed") {
          ended = true;
          reply = messageElement(payload);
          setText(reply, payload.content);
          show(payload, reply);
          await render(reply);
          // The reply, said once as it ended: the list itself is not live, or each piece, and the thread
          // shown anew after it, would be read out again.
          announce(agentName + (payload.status === "cancelled" ? " (stopped): " : ": ")
            + reply.querySelector(".content").textContent);
        } else if (name === "reply.failed") {
          ended = true;
          if (payload.reply) {
            reply = messageElement(payload.reply);
            setText(reply, payload.reply.content);
            show(payload.reply, reply);
            await render(reply);
          } else if (reply) {
            // Ended without its stored message (it was interrupted, or could not be stored): not live any more.
            show({ role: "assistant", status: "failed" }, reply);
          }
          if (reply) fail(reply, payload);
          else problem = payload;
        }
        if (atEnd) showTheEnd();
        return false;
      });
    } catch (error) {
      // The connection dropped: the reply runs on on the server, and can be followed again.
      if (reply) return { reply: reply, ended: false, problem: null };
      throw error;
    }
    return { reply: reply, ended: ended, problem: problem };
  }

  // The next message sent follows this one: the page's thread now ends with it.
  function continueFrom(id) {
    const parent = document.getElementById("composer-parent");
    if (parent) parent.value = id;
    // The download holds the thread as far as the page shows it.
    const download = document.getElementById("download-thread");
    if (download) {
      const url = new URL(download.href);
      url.searchParams.set("at", id);
      download.href = url;
    }
  }

  // The page of the conversation's thread through a message (a version of it, chosen or just made).
  function threadURL(id) {
    return location.pathname + "?through=" + encodeURIComponent(id) + "#message-" + encodeURIComponent(id);
  }

  // How many times the page has shown another thread in place: a stream that began before is not applied.
  let threadsShown = 0;

  // Shows the thread through a message in place of the one shown, as the server renders that page (the
  // versions to page through, each message's forms), without leaving the page: the address becomes the
  // thread's (a new entry of the browser's history with `push`), and a reply that streams goes on where it
  // is. False where the page cannot (the page shown has no composer, as one of earlier messages; the
  // request fails): the caller goes to that page instead. `focus` lists what in the message may take the
  // keyboard, the first found taking it, the button or link that had it being gone with the thread it was in.
  // Where it can, it returns the reply still streaming in that thread (`streaming`, its id, or null).
  async function showThread(id, { push = false, focus = ['[data-action="regenerate"]'] } = {}) {
    if (!composer) return false;
    let page;
    try {
      const html = await readText(threadURL(id), "text/html");
      if (html === null) return false;
      page = new DOMParser().parseFromString(html, "text/html");
    } catch (_) {
      return false;
    }
    const messages = page.getElementById("chat-log");
    const parentThere = page.getElementById("composer-parent");
    const downloadThere = page.getElementById("download-thread");
    if (!messages || !parentThere || !downloadThere || !page.getElementById("message-" + id)) return false;
    // The keyboard stays where it was when that message is shown again (a reply shown anew as it ended).
    const held = log.contains(document.activeElement) ? document.activeElement : null;
    const heldIn = held && held.closest("li.message");
    const heldAs = held && (held.dataset.action ? '[data-action="' + held.dataset.action + '"]'
      : ["version-next", "version-previous"].map((name) => "." + name).find((name) => held.matches(name)));
    const heldField = held && held.id && held.matches("input, textarea") ? held.id : null;
    // What the reader typed and has not sent (a comment, an edit) is typed still in the messages shown anew.
    const typed = [...log.querySelectorAll("input[id], textarea[id]")]
      .filter((field) => field.value !== field.defaultValue).map((field) => [field.id, field.value]);
    log.replaceChildren(...messages.childNodes);
    for (const [fieldID, value] of typed) {
      const field = document.getElementById(fieldID);
      if (!field) continue;
      field.value = value;
      const around = field.closest("details");
      if (around) around.open = true;
    }
    showLocalTimes(log);
    threadsShown += 1;
    const earlier = document.getElementById("earlier-messages");
    const earlierThere = page.getElementById("earlier-messages");
    if (earlier && earlierThere) earlier.replaceWith(earlierThere);
    else if (earlier) earlier.remove();
    else if (earlierThere) log.before(earlierThere);
    // A message sent next follows the thread shown, and the download holds it.
    document.getElementById("composer-parent").value = parentThere.value;
    document.getElementById("download-thread").href = downloadThere.getAttribute("href");
    // An untitled conversation takes its title from its first message.
    const titleThere = page.getElementById("conversation-title");
    const heading = document.getElementById("conversation-title");
    if (titleThere && heading) heading.textContent = titleThere.textContent;
    const renameThere = page.getElementById("title");
    const rename = document.getElementById("title");
    if (renameThere && rename && document.activeElement !== rename) rename.value = renameThere.value;
    if (page.title) document.title = page.title;
    addCopyButtons(log);
    if (push) history.pushState(null, "", threadURL(id));
    else history.replaceState(null, "", threadURL(id));
    const again = heldIn && heldAs && document.getElementById(heldIn.id);
    const kept = (heldField && document.getElementById(heldField)) || (again && again.querySelector(heldAs));
    if (kept) kept.focus({ preventScroll: true });
    else if (!document.activeElement || document.activeElement === document.body) {
      const message = document.getElementById("message-" + id);
      const target = focus.map((selector) => message.querySelector(selector)).find((element) => element);
      if (target) target.focus({ preventScroll: true });
    }
    return { streaming: messages.dataset.follow || null };
  }

  // A version of a message (‹ 2 / 3 ›) leads to its thread, shown in place; Back leads to the thread before.
  // A reply that still streams there is followed.
  async function showVersion(id, options) {
    const shown = await showThread(id, options);
    if (shown && shown.streaming) stream(shown.streaming).then(followToEnd).catch(report);
    return Boolean(shown);
  }

  function stream(id) {
    return fetch("/console/api/messages/" + encodeURIComponent(id) + "/stream", {
      credentials: "same-origin",
      headers: { "Accept": "text/event-stream" },
    });
  }

  // Follows a reply to its end. When the connection drops first, the reply runs on on the server: it is
  // followed again (what was generated is replayed), a few times, a little later each time.
  async function followToEnd(response, inThreadOfItsOwn) {
    let { reply, ended, problem } = await follow(response, null, inThreadOfItsOwn);
    if (!reply && problem) throw new Error("The reply failed: " + (problem.detail || problem.title || "error"));
    for (let attempt = 0; !ended && reply && attempt < 6; attempt++) {
      report(new Error("The connection was lost; reconnecting to the reply…"));
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      try {
        ({ reply, ended } = await follow(await stream(reply.dataset.id), reply));
      } catch (_) {
        // Still away: tried again after a longer wait.
      }
    }
    if (!ended && reply) throw new Error("The connection to the reply was lost. Reload the page to see how it ended.");
    if (composerError) composerError.hidden = true;
    if (reply && reply.isConnected) await showEnded(reply);
  }

  // A reply that ended is shown as the server renders it, with what only the server adds: its feedback
  // form, the Edit of the message it answers, and the conversation's title taken from its first message.
  async function showEnded(reply) {
    const atEnd = readingTheEnd();
    if ((await showVersion(reply.dataset.id, { focus: [] })) && atEnd) showTheEnd();
  }

  // A call of the chat routes that changes something: JSON in, the session's CSRF token beside it.
  function sendJSON(method, url, body, accept) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": accept, "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  function post(url, body) {
    return sendJSON("POST", url, body, "text/event-stream");
  }

  // A conversation not stored yet is stored with its first message: the page takes its address (a reload
  // shows it, where the new page's would start another), and what needs it stored (rename, delete, the
  // download) appears.
  function showStored() {
    history.replaceState(null, "", log.dataset.unstored);
    delete log.dataset.unstored;
    for (const element of document.querySelectorAll("[data-until-stored]")) element.hidden = false;
  }

  function report(error) {
    if (!composerError) return;
    composerError.textContent = error.message;
    composerError.hidden = false;
  }

  if (composer) {
    composer.addEventListener("submit", async (event) => {
      event.preventDefault();
      const field = composer.querySelector("textarea");
      const content = field.value;
      const send = composer.querySelector("button[type=submit]");
      // One message at a time: Enter pressed again while one is on its way sends nothing more.
      if (!content.trim() || send.disabled) return;
      // The button says why Enter sends nothing meanwhile.
      send.disabled = true;
      send.textContent = "Replying…";
      composerError.hidden = true;
      try {
        const parent = document.getElementById("composer-parent");
        const body = { content: content, stream: true };
        if (parent && parent.value) body.parent_id = parent.value;
        if (body.parent_id) body.if_last = true;
        const response = await post(repliesURL, body);
        // Another tab or device went on from the message this page ends at: sent here, the message would
        // branch the conversation behind its back. Nothing was stored; the page is read anew, the message
        // kept for the box there.
        if (response.status === 409 && (await problemNames(response, "parent_id"))) {
          sessionStorage.setItem(draftKey, content);
          location.assign(location.pathname + location.search);
          return;
        }
        // The message it would follow is gone (deleted elsewhere, with its conversation, say): in the
        // reader's words, not the API's.
        if (response.status === 422 && (await problemNames(response, "parent_id"))) {
          throw new Error("This conversation changed elsewhere: the message yours would follow is gone. Reload the page to see it as it is; your message stays here.");
        }
        // Refused, the message was not stored: it stays in the field, to send again.
        if (!response.ok) throw new Error(await refusal(response));
        if (log.dataset.unstored) showStored();
        field.value = "";
        fit();
        // Who sends a message wants to see its reply.
        showTheEnd();
        await followToEnd(response);
      } catch (error) {
        report(error);
      } finally {
        send.disabled = false;
        send.textContent = "Send";
        field.focus();
      }
    });

    // Enter sends, as in other chats; Shift+Enter starts a new line. Not while an input method composes a
    // character, and not on touch screens, whose keyboards have no Shift to hold (the hint says so only
    // where it holds).
    const touch = window.matchMedia("(pointer: coarse)").matches;
    const keys = document.getElementById("composer-keys");
    if (keys) keys.hidden = touch;
    composer.querySelector("textarea").addEventListener("keydown", (event) => {
      if (touch || event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      composer.requestSubmit();
    });
    // The box grows with what is written, up to a part of the screen (then it scrolls), and shrinks back
    // once the message is sent.
    const box = composer.querySelector("textarea");
    const fit = () => {
      box.style.height = "";
      if (box.scrollHeight > box.clientHeight) box.style.height = box.scrollHeight + 2 + "px";
    };
    box.addEventListener("input", fit);

    // A chat opened to write in: the keyboard starts in the message box (not on touch screens, where that
    // would open the on-screen keyboard over the conversation, nor where the address names a message to read).
    if (!touch && !location.hash) composer.querySelector("textarea").focus({ preventScroll: true });
  }

  // Escape closes the Edit or Rename open around the keyboard, back on its summary; elsewhere it stops the
  // reply that runs, as a chat's Stop does.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.isComposing) return;
    const open = event.target.closest && event.target.closest("details[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
      return;
    }
    const stops = [...log.querySelectorAll('[data-action="cancel"]')].filter((stop) => !stop.hidden);
    if (stops.length) stops[stops.length - 1].click();
  });

  // An Edit or Rename opened puts the keyboard in its field.
  for (const details of document.querySelectorAll("details.rename")) {
    details.addEventListener("toggle", () => {
      if (details.open) details.querySelector("input:not([type=hidden]), textarea").focus();
    });
  }
  log.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details.matches && details.matches("details.edit") && details.open) details.querySelector("textarea").focus();
  }, true);

  log.addEventListener("click", async (event) => {
    const version = event.target.closest(".versions a");
    if (version && !opensElsewhere(event)) {
      const id = new URL(version.href).searchParams.get("through");
      if (!id) return;
      event.preventDefault();
      // The keyboard stays on the versions: the same way on, or the other way where this was the last.
      const sameWay = version.classList.contains("version-next") ? ".version-next" : ".version-previous";
      const focus = [sameWay, ".versions a", '[data-action="regenerate"]'];
      if (!(await showVersion(id, { push: true, focus: focus }))) location.assign(version.href);
      return;
    }
    const target = event.target.closest("button[data-action]");
    if (!target) return;
    if (target.dataset.action === "copy") {
      await copyCode(target);
      return;
    }
    if (target.dataset.action === "copy-reply") {
      await copyReply(target);
      return;
    }
    const id = target.dataset.message;
    // One request per click: a second click while it runs would start (and pay for) another reply.
    if (target.disabled || target.getAttribute("aria-disabled") === "true") return;
    target.disabled = true;
    try {
      if (target.dataset.action === "cancel") {
        const response = await post("/console/api/messages/" + encodeURIComponent(id) + "/cancel");
        if (!response.ok) throw new Error(await refusal(response));
        const message = await response.json();
        const item = messageElement(message);
        setText(item, message.content);
        show(message, item);
        await render(item);
        // The Stop button is hidden now; the composer is where the keyboard goes on.
        const field = composer && composer.querySelector("textarea");
        if (field) field.focus();
      } else if (target.dataset.action === "regenerate") {
        await followToEnd(await post("/console/api/messages/" + encodeURIComponent(id) + "/regenerate?stream=true"), true);
      }
    } catch (error) {
      report(error);
    } finally {
      target.disabled = false;
    }
  });

  // Feedback is saved in place, the rating given shown pressed (without script, the form posts and the
  // page comes back at the reply): a reload would move the reader, and end a reply's stream under way.
  log.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.feedback");
    if (!form) return;
    event.preventDefault();
    const rating = event.submitter && event.submitter.value === "down" ? "down" : "up";
    const buttons = [...form.querySelectorAll("button[name=rating]")];
    // One save at a time; marked rather than disabled, so that the keyboard stays on the button pressed.
    if (form.getAttribute("aria-busy") === "true") return;
    const comment = form.elements.comment.value.trim();
    const id = form.closest("li.message").dataset.id;
    form.setAttribute("aria-busy", "true");
    for (const said of form.parentElement.querySelectorAll(".saved, .rated")) said.remove();
    try {
      const response = await sendJSON("PUT", "/console/api/messages/" + encodeURIComponent(id) + "/feedback",
        { rating: rating === "up" ? 1 : 0, comment: comment || null }, "application/json");
      if (!response.ok) throw new Error(await refusal(response));
      for (const button of buttons) button.setAttribute("aria-pressed", String(button.value === rating));
      for (const said of form.querySelectorAll(".alert")) said.remove();
      const saved = document.createElement("span");
      saved.className = "saved";
      saved.setAttribute("role", "status");
      saved.textContent = "Feedback saved.";
      form.after(saved);
    } catch (error) {
      if (form.isConnected) alertOf(form).textContent = error.message;
      else report(error);
    } finally {
      form.removeAttribute("aria-busy");
    }
  });

  // Enter in a comment saves it with the rating given (a form's Enter would press its first button, Good
  // reply, whatever the rating was); with none given yet, it asks for one.
  log.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key !== "Enter" || event.isComposing || !field.matches || !field.matches("form.feedback input[name=comment]")) return;
    event.preventDefault();
    const form = field.form;
    const given = form.querySelector('button[name=rating][aria-pressed="true"]');
    if (given) form.requestSubmit(given);
    else alertOf(form).textContent = "Choose Good reply or Bad reply to save your comment.";
  });

  // A message edited and sent again is a new version beside the first, answered in a thread of its own,
  // which the page then shows (without script, the form posts and the server shows that thread).
  log.addEventListener("submit", async (event) => {
    const form = event.target.closest(".edit-form");
    if (!form) return;
    event.preventDefault();
    const send = form.querySelector("button[type=submit]");
    const content = form.elements.content.value;
    if (!content.trim() || send.disabled) return;
    send.disabled = true;
    const body = { content: content, stream: true };
    if (form.elements.parent_id) body.parent_id = form.elements.parent_id.value;
    if (form.elements.starts_anew) body.starts_anew = true;
    try {
      await followToEnd(await post(repliesURL, body), true);
    } catch (error) {
      // Refused, nothing was stored: the edit stays in its form, which says why.
      if (form.isConnected) alertOf(form).textContent = error.message;
      else report(error);
    } finally {
      send.disabled = false;
    }
  });

  window.addEventListener("popstate", async () => {
    const id = new URL(location.href).searchParams.get("through");
    if (!id || !(await showVersion(id))) location.reload();
  });

  addCopyButtons(log);

  // A reply that has not begun says so, with the seconds waited, rather than a blank card: a slow or
  // unreachable provider can take a minute to start or to fail, and Stop ends the wait.
  setInterval(() => {
    for (const item of log.querySelectorAll("li.message.assistant.streaming")) {
      const details = item.querySelector(".details");
      if (!details) continue;
      const content = item.querySelector(".content");
      if (content && content.textContent.trim()) {
        if (item.dataset.waitingSince) {
          delete item.dataset.waitingSince;
          details.textContent = "";
        }
        continue;
      }
      if (!item.dataset.waitingSince) item.dataset.waitingSince = String(Date.now());
      const seconds = Math.floor((Date.now() - Number(item.dataset.waitingSince)) / 1000);
      details.textContent = seconds < 15 ? "Waiting for the model… " + seconds + " s"
        : "Waiting for the model… " + seconds + " s: the provider is slow to answer; Stop ends the wait.";
    }
  }, 1000);

  // A message kept from the page before this one (read anew because the conversation had gone on from
  // another tab or device): back in the box, unsent, and said so.
  const draft = sessionStorage.getItem(draftKey);
  sessionStorage.removeItem(draftKey);
  if (draft !== null && composer) {
    composer.querySelector("textarea").value = draft;
    composer.querySelector("textarea").dispatchEvent(new Event("input"));
    report(new Error("This conversation had newer messages, sent from elsewhere: here they are. Your message was not sent; it is in the box, to send now."));
  }

  // A chat opens at its newest message, as other chats do, unless the address names a message to show.
  if (!location.hash && composer) showTheEnd();

  // A reply still running when the page was made (the page was reloaded mid-reply): reattach to it.
  if (log.dataset.follow) {
    stream(log.dataset.follow).then(followToEnd).catch(report);
  }
})();
