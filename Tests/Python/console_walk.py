"""The web console in a real browser: headless Chromium driven by Selenium, against the real server,
PostgreSQL and the provider emulator (started by ConsoleBrowserTests in Swift).

Reads two personal tokens from standard input (the first tenant's, then a second tenant's), never from
the environment. Environment: CONSOLE_URL (the server), PROVIDER_URL (the emulator's base URL),
SCREENSHOTS (a folder for desktop and phone screenshots of each main page).
"""

import os
import re
import sys
import time
import traceback
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["CONSOLE_URL"].rstrip("/")
PROVIDER = os.environ["PROVIDER_URL"]
SHOTS = os.environ.get("SCREENSHOTS", "")
OWNER_TOKEN, OTHER_TOKEN = [line.strip() for line in sys.stdin.read().splitlines()[:2]]
STARTED = time.monotonic()
DESKTOP = (1280, 900)
PHONE = (375, 812)


def step(text):
    """Says a step passed, and when (seconds since the walk began): a slow step shows where time went."""
    print("%5.1f s  %s" % (time.monotonic() - STARTED, text))


def browser():
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--window-size=%d,%d" % DESKTOP)
    binary = os.environ.get("CHROMIUM_BINARY")
    if binary:
        options.binary_location = binary
    service = webdriver.ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def wait(driver, seconds=45):
    # A page the script replaces (a regenerated reply shows its own thread) leaves elements read a moment
    # before stale, and a page still loading may not hold the messages yet (`[-1]` of none): the condition
    # is asked again.
    return WebDriverWait(driver, seconds, ignored_exceptions=[StaleElementReferenceException, IndexError])


def shoot(driver, name):
    """Saves the page at desktop and at phone width; the phone shot also checks nothing overflows sideways."""
    if not SHOTS:
        return
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        time.sleep(0.2)
        if label == "phone":
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                wide = driver.execute_script(
                    "const limit = document.documentElement.clientWidth;"
                    "return [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > limit + 1)"
                    ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className).join(', ');")
                raise AssertionError("%s overflows a 375 px screen by %d px: %s" % (name, overflow, wide))
        driver.save_screenshot(os.path.join(SHOTS, "%s-%s.png" % (name, label)))
    driver.set_window_size(*DESKTOP)


def sign_in(driver, token):
    driver.get(BASE + "/")
    wait(driver).until(EC.url_contains("/signin"))
    field = driver.find_element(By.ID, "credential")
    field.send_keys(token)
    field.submit()
    wait(driver).until(EC.url_contains("/agents"))


def assistant_messages(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#chat-log li.assistant")


def type_lines(box, text):
    """Types text as a person would: Enter sends, so each new line is Shift+Enter."""
    for index, line in enumerate(text.split("\n")):
        if index:
            box.send_keys(Keys.SHIFT, Keys.ENTER, Keys.NULL)
        box.send_keys(line)


def send(driver, text):
    before = len(assistant_messages(driver))
    box = driver.find_element(By.ID, "content")
    box.clear()
    type_lines(box, text)
    driver.find_element(By.ID, "send").click()
    wait(driver).until(lambda d: len(assistant_messages(d)) > before)
    return assistant_messages(driver)[-1]


def click(driver, element):
    """Clicks as a person would, after scrolling the element to the middle of the screen."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def mark_page(driver):
    """Marks the window's page: a page loaded anew has lost the mark."""
    driver.execute_script("window.walkMark = 'not reloaded'")


def not_reloaded(driver):
    return driver.execute_script("return window.walkMark || null") == "not reloaded"


def status_of(element):
    """A reply's status; one that ended counts once the page shows it as the server renders it (with its
    time, which the script's own rendering has not), which the script puts in place of what it built:
    elements read before are stale."""
    status = element.get_attribute("data-status") or ""
    if status in ("complete", "cancelled", "failed") and not element.find_elements(By.CSS_SELECTOR, ".speaker time"):
        return "ending"
    return status


def main():
    driver = browser()
    try:
        walk(driver)
    except (AssertionError, WebDriverException):
        describe(driver)
        raise
    finally:
        driver.quit()


def describe(driver):
    """What the page showed when a step failed (pages hold no credentials), and the browser's console."""
    print("at %s" % driver.current_url)
    for selector in ("#composer-error", ".alert", "#chat-log"):
        for element in driver.find_elements(By.CSS_SELECTOR, selector)[:3]:
            print("%s: %s" % (selector, element.get_attribute("outerHTML")[:2000]))
    try:
        for entry in driver.get_log("browser")[-10:]:
            print("browser log: %s" % entry.get("message", "")[:500])
    except Exception:  # not every driver keeps a log
        pass


def walk(driver):
    # Sign in (the sign-in page first, as a visitor sees it).
    driver.get(BASE + "/agents")
    wait(driver).until(EC.url_contains("/signin"))
    shoot(driver, "signin")
    sign_in(driver, OWNER_TOKEN)
    step("signed in")

    # An agent, with the API's validation message next to its field first.
    driver.find_element(By.ID, "name").send_keys("Walk agent")
    driver.find_element(By.ID, "system_prompt").send_keys("You answer briefly.")
    temperature = driver.find_element(By.ID, "temperature")
    temperature.clear()
    temperature.send_keys("7")
    temperature.submit()
    error = wait(driver).until(EC.presence_of_element_located((By.ID, "temperature-error")))
    assert "between 0 and 2" in error.text, error.text
    # The page says it was refused, and the keyboard starts at the field to mend.
    assert driver.title.startswith("Error: "), driver.title
    assert driver.switch_to.active_element.get_attribute("id") == "temperature"
    temperature = driver.find_element(By.ID, "temperature")
    temperature.clear()
    temperature.send_keys("0.3")
    temperature.submit()
    wait(driver).until(EC.presence_of_element_located((By.ID, "conversation-list")))
    agent_url = driver.current_url
    step("agent created")

    # With no connection linked the agent cannot answer: the send is refused, the page says why, and the
    # message stays in the field to send again.
    driver.find_element(By.ID, "new-conversation").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "composer")))
    box = driver.find_element(By.ID, "content")
    box.send_keys("Kept for later")
    driver.find_element(By.ID, "send").click()
    refused = wait(driver).until(lambda d: (lambda e: e if e.is_displayed() and e.text else None)(
        d.find_element(By.ID, "composer-error")))
    assert "connection" in refused.text.lower(), refused.text
    assert driver.find_element(By.ID, "content").get_attribute("value") == "Kept for later"
    assert assistant_messages(driver) == []
    # A conversation is stored with its first message: this one, refused, left nothing behind.
    assert "/new-conversation" in driver.current_url, driver.current_url
    driver.get(agent_url)
    assert "No conversations yet." in driver.find_element(By.ID, "conversations-heading").find_element(By.XPATH, "..").text
    step("a refused send keeps the message and stores no conversation")

    # A connection to the emulator; the key is write-only.
    key = "sk-walk-%d-secret" % int(time.time())
    driver.get(BASE + "/connections")
    driver.find_element(By.ID, "name").send_keys("Emulator")
    service = driver.find_element(By.ID, "service")
    service.clear()
    service.send_keys("openai")
    driver.find_element(By.ID, "api_key").send_keys(key)
    driver.find_element(By.ID, "base_url").send_keys(PROVIDER)
    driver.find_element(By.ID, "base_url").submit()
    wait(driver).until(EC.presence_of_element_located((By.ID, "key-hint")))
    assert key not in driver.page_source
    assert key[-4:] in driver.find_element(By.ID, "key-hint").text
    driver.get(BASE + "/connections")
    shoot(driver, "connections")
    step("connection created")

    # Link it, and start a conversation.
    driver.get(agent_url)
    Select(driver.find_element(By.ID, "connection_id")).select_by_visible_text(
        driver.find_element(By.CSS_SELECTOR, "#connection_id option").text)
    driver.find_element(By.ID, "link-connection").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#linked-connections li")))
    # The model field offers the models the linked connection's provider lists, once asked, in place.
    mark_page(driver)
    click(driver, driver.find_element(By.ID, "suggest-models"))
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model-suggestions option"))
    suggested = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#model-suggestions option")]
    assert "emulator" in suggested, suggested
    assert "listed" in driver.find_element(By.ID, "model-suggestions-status").text
    assert not_reloaded(driver), "the page was loaded anew"
    driver.find_element(By.ID, "new-conversation").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "composer")))
    assert not driver.find_element(By.ID, "delete-conversation").is_displayed()
    step("linked; conversation started")

    # A streamed reply: the deltas arrive while the message is still streaming, then it completes.
    # Once it has ended, its Markdown is shown rendered, as after a reload. The new conversation, stored
    # with its first message, has its address now, and what needed it stored.
    reply = send(driver, 'Hello, walker\n[emulator chunks=12 delay_ms=60 text="Streaming reply from the **emulator** `ok`"]')
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete")
    chat_url = driver.current_url.split("?")[0].split("#")[0]
    assert "/conversations/" in chat_url, chat_url
    assert driver.find_element(By.ID, "delete-conversation").is_displayed()
    strong = wait(driver).until(
        lambda d: assistant_messages(d)[-1].find_elements(By.CSS_SELECTOR, ".content.markdown strong"))
    assert strong[0].text == "emulator", strong[0].text
    reply = assistant_messages(driver)[-1]
    assert reply.find_element(By.CSS_SELECTOR, ".content code").text == "ok"
    assert "Streaming reply from the emulator ok" in reply.find_element(By.CSS_SELECTOR, ".content").text
    # Without a reload, the reply has its feedback form and the message it answers its Edit, as the server
    # renders them.
    assert reply.find_elements(By.CSS_SELECTOR, "form.feedback button[value=up]")
    assert driver.find_elements(By.CSS_SELECTOR, "#chat-log li.user details.edit")
    # The download holds the thread as far as the page shows it: the link moved on to the new reply.
    download = driver.find_element(By.ID, "download-thread").get_attribute("href")
    assert download.endswith("/download?at=" + reply.get_attribute("data-id")), download
    step("streamed reply complete, its Markdown rendered")

    # Screen readers hear the reply once, as it ended, in the page's status line: the list of messages is not
    # a live region, which read the whole conversation out again each time the thread was shown anew.
    announced = wait(driver).until(lambda d: d.find_element(By.ID, "announcement").get_attribute("textContent"))
    assert "Streaming reply from the emulator ok" in announced, announced
    assert driver.find_element(By.ID, "chat-log").get_attribute("aria-live") is None
    # A reply's button that the keyboard reaches under the message box (which stays at the foot of the screen)
    # is scrolled up above it.
    driver.set_window_size(1280, 420)
    regenerate = assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, '[data-action="regenerate"]')
    topmost = ("const r = arguments[0].getBoundingClientRect();"
               " return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === arguments[0];")
    driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); window.scrollBy(0, r.bottom - window.innerHeight + 4);", regenerate)
    assert not driver.execute_script(topmost, regenerate), "the button was not under the message box to begin with"
    driver.execute_script("arguments[0].focus();", regenerate)
    wait(driver, 5).until(lambda d: d.execute_script(topmost, regenerate))
    driver.set_window_size(*DESKTOP)
    step("the reply announced once; a focused button kept out from under the message box")

    # Enter sends (Shift+Enter made the new lines); the emulator echoes the message, a code block, which
    # the reply shows rendered with a button that copies its code.
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": BASE, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    before = len(assistant_messages(driver))
    box = driver.find_element(By.ID, "content")
    assert driver.find_element(By.ID, "composer-keys").is_displayed()
    type_lines(box, "```python\nprint('copied')\n```")
    assert box.get_attribute("value") == "```python\nprint('copied')\n```", box.get_attribute("value")
    box.send_keys(Keys.ENTER)
    wait(driver).until(lambda d: len(assistant_messages(d)) > before
                       and status_of(assistant_messages(d)[-1]) == "complete")
    copy = wait(driver).until(lambda d: assistant_messages(d)[-1].find_elements(By.CSS_SELECTOR, "pre + .code-actions button"))[0]
    assert assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, "pre code.language-python").text == "print('copied')"
    assert assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, "pre + .code-actions .code-language").text == "python"
    assert box.get_attribute("value") == ""
    click(driver, copy)
    wait(driver).until(lambda d: copy.text == "Copied")
    copied = driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('failed: ' + e))")
    assert copied == "print('copied')\n", repr(copied)
    # The whole reply copies as it was written (its Markdown), not as the page shows it.
    copy_reply = assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, "[data-action=copy-reply]")
    click(driver, copy_reply)
    wait(driver).until(lambda d: copy_reply.text == "Copied")
    copied = driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('failed: ' + e))")
    assert "```python\nprint('copied')\n```" in copied, repr(copied)
    step("Enter sent a code block; its reply's code was copied, and the whole reply")

    # A reply is shown rendered while it still streams, not only once it has ended.
    send(driver, '[emulator chunks=30 delay_ms=100 text="**live** %s"]\nRender as you go' % ("word " * 30))
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "streaming"
                       and assistant_messages(d)[-1].find_elements(By.CSS_SELECTOR, ".content.markdown strong"))
    # Meanwhile the composer says why Enter sends nothing more.
    busy = driver.find_element(By.ID, "send")
    assert not busy.is_enabled() and busy.text == "Replying…", busy.text
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete")
    wait(driver).until(lambda d: d.find_element(By.ID, "send").is_enabled() and d.find_element(By.ID, "send").text == "Send")
    assert assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, ".content.markdown strong").text == "live"
    # The page followed it: its end is on screen, not below what the reader sees.
    bottom = driver.execute_script("return arguments[0].getBoundingClientRect().bottom - window.innerHeight",
                                   assistant_messages(driver)[-1])
    assert bottom <= 1, "the reply ends %d px below the screen" % bottom
    step("a reply rendered while it streamed, the page following it")

    # Stop a long reply: it keeps what was generated, status cancelled.
    # The emulator cuts its text into at most one piece per character: the text must be long for a slow reply.
    send(driver, '[emulator chunks=200 delay_ms=100 text="%s"]\nA long one' % ("stop me " * 100))
    stop = wait(driver).until(lambda d: (lambda b: b if b.is_displayed() else None)(
        assistant_messages(d)[-1].find_element(By.CSS_SELECTOR, "[data-action=cancel]")))
    time.sleep(0.5)
    click(driver, stop)
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "cancelled")
    assert "stopped" in assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, ".details").text
    step("reply stopped")

    # A reply that has not begun says it waits, with the seconds; Escape stops it, as Stop does, and
    # Regenerate is off while it runs (a second reply would run and be paid for beside it).
    send(driver, "[emulator think_ms=20000]\nTake your time")
    waiting = assistant_messages(driver)[-1]
    wait(driver).until(lambda d: "Waiting for the model" in waiting.find_element(By.CSS_SELECTOR, ".details").text)
    assert waiting.find_element(By.CSS_SELECTOR, "[data-action=regenerate]").get_attribute("aria-disabled") == "true"
    driver.find_element(By.ID, "content").send_keys(Keys.ESCAPE)
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "cancelled")
    step("a reply not begun says it waits, and Escape stopped it")

    # Reload mid-reply: the page reattaches and the reply completes on screen.
    send(driver, '[emulator chunks=30 delay_ms=100 text="%s"]\nReload me' % ("still here " * 10))
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "streaming")
    time.sleep(0.5)
    driver.refresh()
    wait(driver, 60).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete")
    assert "still here" in assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, ".content").text
    step("reattached after reload")

    # Regenerate the first reply: a new version of it, in a thread of its own, which the page then shows in
    # place of the one it showed (not loaded anew); the version before leads back to the conversation as it was.
    count = len(assistant_messages(driver))
    first_reply = assistant_messages(driver)[0].get_attribute("data-id")
    mark_page(driver)
    click(driver, assistant_messages(driver)[0].find_element(By.CSS_SELECTOR, "[data-action=regenerate]"))
    wait(driver).until(EC.url_contains("through="))
    wait(driver).until(lambda d: len(assistant_messages(d)) == 1 and status_of(assistant_messages(d)[0]) == "complete")
    regenerated = assistant_messages(driver)[0].get_attribute("data-id")
    assert regenerated != first_reply
    assert assistant_messages(driver)[0].find_element(By.CSS_SELECTOR, ".version-label").text == "2 / 2"
    assert not_reloaded(driver), "the page was loaded anew"
    assert regenerated in driver.current_url
    # The keyboard goes on from the new version (the button pressed went with the thread it was in).
    focused = driver.switch_to.active_element
    assert focused.get_attribute("data-action") == "regenerate" and focused.get_attribute("data-message") == regenerated
    # A message sent next follows the new version, and the download holds its thread.
    assert driver.find_element(By.ID, "composer-parent").get_attribute("value") == regenerated
    assert "at=" + regenerated in driver.find_element(By.ID, "download-thread").get_attribute("href")
    click(driver, assistant_messages(driver)[0].find_element(By.CSS_SELECTOR, ".version-previous"))
    wait(driver).until(lambda d: len(assistant_messages(d)) == count)
    assert assistant_messages(driver)[0].get_attribute("data-id") == first_reply
    assert assistant_messages(driver)[0].find_element(By.CSS_SELECTOR, ".version-label").text == "1 / 2"
    # In place as well, the keyboard left on the versions (this one has no version before it: the next).
    assert not_reloaded(driver), "the page was loaded anew"
    assert "through=" + first_reply in driver.current_url
    assert "version-next" in driver.switch_to.active_element.get_attribute("class")
    # Back and Forward lead through the threads shown.
    driver.back()
    wait(driver).until(lambda d: len(assistant_messages(d)) == 1
                       and assistant_messages(d)[0].get_attribute("data-id") == regenerated)
    driver.forward()
    wait(driver).until(lambda d: len(assistant_messages(d)) == count
                       and assistant_messages(d)[0].get_attribute("data-id") == first_reply)
    assert not_reloaded(driver), "the page was loaded anew"
    assert driver.find_element(By.ID, "composer-parent").get_attribute("value") == assistant_messages(driver)[-1].get_attribute("data-id")
    step("regenerated: a new version in a thread of its own, and back")

    # A reply that fails shows its error and a retry (which fails again here: the provider still refuses).
    send(driver, "[emulator status=500]\nThis one fails")
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "failed")
    failed = assistant_messages(driver)[-1]
    assert "failed" in failed.find_element(By.CSS_SELECTOR, ".alert").text.lower()
    retry = failed.find_element(By.CSS_SELECTOR, "[data-action=regenerate]")
    assert retry.text == "Retry", retry.text
    # It wrote nothing: nothing to copy or to rate.
    assert not failed.find_element(By.CSS_SELECTOR, "[data-action=copy-reply]").is_displayed()
    assert not failed.find_elements(By.CSS_SELECTOR, "form.feedback")
    count = len(assistant_messages(driver))
    failed_id = failed.get_attribute("data-id")
    before = driver.current_url
    mark_page(driver)
    click(driver, retry)
    # The script moves to the new version's thread on its own: elements looked up while the page is being
    # replaced can fail in ways other than staleness, so the new address comes first.
    wait(driver).until(lambda d: d.current_url != before)
    wait(driver).until(lambda d: len(assistant_messages(d)) == count
                       and assistant_messages(d)[-1].get_attribute("data-id") != failed_id
                       and status_of(assistant_messages(d)[-1]) == "failed")
    assert assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, ".version-label").text == "2 / 2"
    assert "failed" in assistant_messages(driver)[-1].find_element(By.CSS_SELECTOR, ".alert").text.lower()
    assert not_reloaded(driver), "the page was loaded anew"
    step("a failed reply shows its error and a retry")

    # Edit a message and send it again: a new version of it, answered in a thread of its own, which the page
    # shows in place of the one it showed, following the reply to its end.
    question = [m for m in driver.find_elements(By.CSS_SELECTOR, "#chat-log .message.user")][-1]
    click(driver, question.find_element(By.CSS_SELECTOR, ".edit summary"))
    edit = question.find_element(By.CSS_SELECTOR, ".edit textarea")
    edit.clear()
    edit.send_keys('[emulator chunks=10 delay_ms=80 text="An answer to the edit"]\nEdited question')
    before = driver.current_url
    mark_page(driver)
    click(driver, question.find_element(By.CSS_SELECTOR, ".edit button[type=submit]"))
    wait(driver).until(lambda d: d.current_url != before)
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete"
                       and "An answer to the edit" in assistant_messages(d)[-1].text)
    question = driver.find_elements(By.CSS_SELECTOR, "#chat-log .message.user")[-1]
    assert "Edited question" in question.find_element(By.CSS_SELECTOR, ".content").text
    assert question.find_element(By.CSS_SELECTOR, ".version-label").text == "2 / 2"
    assert "This one fails" not in driver.find_element(By.ID, "chat-log").text
    assert not_reloaded(driver), "the page was loaded anew"
    step("an edited message, answered in a thread of its own")

    # A reply still streaming when another thread is shown goes on on the server; the thread shown takes
    # none of its pieces.
    send(driver, '[emulator chunks=20 delay_ms=100 text="%s"]\nA slow one' % ("slowly " * 20))
    slow = assistant_messages(driver)[-1].get_attribute("data-id")
    edited = driver.find_elements(By.CSS_SELECTOR, "#chat-log .message.user")[-2]
    click(driver, edited.find_element(By.CSS_SELECTOR, ".version-previous"))
    wait(driver).until(lambda d: "This one fails" in d.find_element(By.ID, "chat-log").text)
    time.sleep(3)
    assert not driver.find_elements(By.ID, "message-" + slow), "the other thread's reply was added"
    assert "slowly" not in driver.find_element(By.ID, "chat-log").text
    assert not_reloaded(driver), "the page was loaded anew"
    step("a reply of a thread no longer shown stays out of the one shown")

    # Feedback with a comment, saved in place: the page stays where it is, the rating shown pressed.
    driver.get(chat_url)
    mark_page(driver)
    first = assistant_messages(driver)[0]
    first.find_element(By.CSS_SELECTOR, "input[name=comment]").send_keys("Nice and short")
    click(driver, first.find_element(By.CSS_SELECTOR, "button[value=up]"))
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".saved")))
    assert not_reloaded(driver), "the page was loaded anew"
    assert first.find_element(By.CSS_SELECTOR, "button[value=up]").get_attribute("aria-pressed") == "true"
    shoot(driver, "chat")
    # Stored as a reload shows it.
    driver.get(chat_url)
    first = assistant_messages(driver)[0]
    assert first.find_element(By.CSS_SELECTOR, "input[name=comment]").get_attribute("value") == "Nice and short"
    assert first.find_element(By.CSS_SELECTOR, "button[value=up]").get_attribute("aria-pressed") == "true"
    assert "You rated it good." in first.text
    # Bad now, from the keyboard: the keyboard stays on the button; then Enter in the comment saves it with
    # the rating given (a form's Enter would press its first button, Good reply).
    bad = first.find_element(By.CSS_SELECTOR, "button[value=down]")
    click(driver, bad)
    wait(driver).until(lambda d: bad.get_attribute("aria-pressed") == "true" and first.find_elements(By.CSS_SELECTOR, ".saved"))
    assert driver.execute_script("return document.activeElement.value") == "down"
    comment = first.find_element(By.CSS_SELECTOR, "input[name=comment]")
    comment.send_keys(", really")
    said = first.find_element(By.CSS_SELECTOR, ".saved")
    comment.send_keys(Keys.ENTER)
    # Saved anew: the note of the save before goes, and another comes.
    wait(driver).until(EC.staleness_of(said))
    wait(driver).until(lambda d: first.find_elements(By.CSS_SELECTOR, ".saved"))
    driver.get(chat_url)
    first = assistant_messages(driver)[0]
    assert first.find_element(By.CSS_SELECTOR, "input[name=comment]").get_attribute("value") == "Nice and short, really"
    assert "You rated it bad." in first.text, first.text
    step("feedback saved in place")

    # A reader whose system asks for dark pages gets them.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 22, 28)", background
    shoot(driver, "chat-dark")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    step("dark pages for a dark system")

    # Search finds the message; usage shows the calls.
    driver.get(BASE + "/search?q=" + urllib.parse.quote("walker"))
    hits = wait(driver).until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, ".search-hit")))
    assert any("walker" in hit.text.lower() for hit in hits), [hit.text for hit in hits]
    assert driver.find_elements(By.CSS_SELECTOR, ".search-hit mark")
    shoot(driver, "search")
    step("search found the message")

    driver.get(BASE + "/usage")
    assert driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    assert driver.find_elements(By.CSS_SELECTOR, "#usage-days tbody tr")
    # The scale's top label stands level with the dashed line of the highest day, beside the chart; the days below it.
    offset = driver.execute_script("""
        const label = document.querySelector('.chart-scale .scale-top').getBoundingClientRect();
        const line = document.querySelector('svg.chart line.grid').getBoundingClientRect();
        const chart = document.querySelector('svg.chart').getBoundingClientRect();
        if (label.right > chart.left) return 'overlaps the chart';
        return Math.abs((label.top + label.bottom) / 2 - line.top);""")
    assert offset != 'overlaps the chart' and offset < 4, offset
    days = [span.text for span in driver.find_elements(By.CSS_SELECTOR, ".chart-days span")]
    assert len(days) == 3 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) for day in days), days
    shoot(driver, "usage")
    driver.get(agent_url)
    shoot(driver, "agent")
    driver.get(BASE + "/agents")
    recent = driver.find_elements(By.CSS_SELECTOR, "#recent-conversations a")
    path = lambda url: urllib.parse.urlsplit(url).path
    assert recent and path(recent[0].get_attribute("href")) == path(chat_url), [link.get_attribute("href") for link in recent]
    shoot(driver, "agents")
    driver.get(BASE + "/audit")
    assert "agent.created" in driver.page_source
    shoot(driver, "audit")
    driver.get(BASE + "/tokens")
    shoot(driver, "tokens")
    # A new token is shown once, with a button that copies it.
    driver.find_element(By.ID, "token-name").send_keys("walk copy")
    driver.find_element(By.ID, "create-token").click()
    issued = wait(driver).until(EC.presence_of_element_located((By.ID, "issued-token"))).get_attribute("value")
    copy_token = driver.find_element(By.CSS_SELECTOR, "button[data-copy=issued-token]")
    click(driver, copy_token)
    wait(driver).until(lambda d: copy_token.text == "Copied")
    copied = driver.execute_async_script("navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('failed: ' + e))")
    assert issued and copied == issued, "the copied token is not the one shown"
    # Reloading shows the list, without a second token of the name.
    driver.refresh()
    wait(driver).until(lambda d: not d.find_elements(By.ID, "issued-token"))
    assert driver.find_element(By.ID, "token-list").text.count("walk copy") == 1
    # On a phone the tokens read as cards: Revoke is on the screen, not past its edge in a table.
    driver.set_window_size(*PHONE)
    driver.get(BASE + "/tokens")
    right = driver.execute_script(
        "const b = document.querySelector('#token-list button'); return b.getBoundingClientRect().right - window.innerWidth")
    driver.set_window_size(*DESKTOP)
    assert right <= 0, "Revoke ends %d px past a phone's screen" % right
    step("usage, audit and tokens shown; the latest conversation leads the recent ones; a new token copied")

    # A form post without the CSRF token is refused (as a forged cross-site post would be).
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/agents', {method: 'POST', credentials: 'same-origin',"
        " headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
        " body: 'name=Forged&system_prompt=x'}).then(r => done(r.status)).catch(() => done(0));")
    assert status == 403, status
    driver.get(BASE + "/agents")
    assert "Forged" not in driver.page_source
    step("form without CSRF token refused")

    # A chat opens at its newest message.
    driver.set_window_size(DESKTOP[0], 500)
    driver.get(chat_url)
    wait(driver).until(lambda d: d.execute_script(
        "return window.scrollY > 0 && window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2"))
    # The keyboard starts in the message box.
    assert driver.execute_script("return document.activeElement.id") == "content"
    # Each message's time, shown in the reader's zone, its UTC time kept as the tooltip.
    sent = driver.find_element(By.CSS_SELECTOR, "#chat-log li.message time")
    assert sent.get_attribute("datetime") and sent.get_attribute("title").endswith(" UTC"), sent.get_attribute("outerHTML")
    assert not sent.text.endswith("UTC"), sent.text
    driver.set_window_size(*DESKTOP)
    step("a chat opens at its newest message, the keyboard in its message box")

    # An untitled conversation takes its title from its first message, on screen as soon as the reply ends.
    driver.get(agent_url)
    driver.find_element(By.ID, "new-conversation").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "composer")))
    untitled = driver.find_element(By.ID, "conversation-title").text
    send(driver, "Plan the harbour walk")
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete")
    assert driver.find_element(By.ID, "conversation-title").text == "Plan the harbour walk", untitled
    assert driver.find_element(By.ID, "title").get_attribute("value") == "Plan the harbour walk"
    step("an untitled conversation took its first message's title")

    # Renaming is one click away, folded so that it takes no room above the messages.
    rename = driver.find_element(By.ID, "title")
    assert not rename.is_displayed(), "the rename form is open before it is asked for"
    driver.find_element(By.CSS_SELECTOR, "details.rename summary").click()
    rename.clear()
    rename.send_keys("Harbour walk, renamed")
    driver.find_element(By.CSS_SELECTOR, "#rename-conversation button[type=submit]").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "conversation-title").text == "Harbour walk, renamed")
    step("a conversation renamed from its chat")

    # Another tab sends first. This tab's message, sent after what it last showed, would become a version
    # beside the other tab's without a word; instead the page is read anew with the other tab's exchange,
    # and the message waits in the box, unsent, saying so.
    here = driver.current_window_handle
    this_chat = driver.current_url.split("#")[0]
    driver.switch_to.new_window("tab")
    driver.get(this_chat)
    send(driver, "Sent from the other tab")
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete")
    driver.close()
    driver.switch_to.window(here)
    mark_page(driver)
    box = driver.find_element(By.ID, "content")
    box.clear()
    box.send_keys("Sent from the stale tab")
    driver.find_element(By.ID, "send").click()
    wait(driver).until(lambda d: not not_reloaded(d) and "Sent from the other tab" in d.find_element(By.ID, "chat-log").text)
    assert driver.find_element(By.ID, "content").get_attribute("value") == "Sent from the stale tab"
    assert "newer messages" in driver.find_element(By.ID, "composer-error").text
    assert "Sent from the stale tab" not in driver.find_element(By.ID, "chat-log").text
    step("a stale tab's message waits, unsent, beside the other tab's exchange, where it would have branched")

    # The conversation deleted in another tab: sending says so in words, and keeps the message.
    driver.switch_to.new_window("tab")
    driver.get(this_chat)
    driver.find_element(By.ID, "delete-conversation").click()
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver).until(lambda d: "/conversations/" not in d.current_url)
    driver.close()
    driver.switch_to.window(here)
    driver.find_element(By.ID, "send").click()
    wait(driver).until(lambda d: "changed elsewhere" in d.find_element(By.ID, "composer-error").text)
    assert driver.find_element(By.ID, "content").get_attribute("value") == "Sent from the stale tab"
    step("a conversation deleted elsewhere is said so, the message kept")

    # Deleting is asked first: dismissed, nothing is sent.
    driver.get(chat_url)
    driver.find_element(By.ID, "delete-conversation").click()
    question = wait(driver).until(EC.alert_is_present())
    assert "cannot be undone" in question.text, question.text
    question.dismiss()
    time.sleep(0.5)
    driver.get(chat_url)
    assert driver.find_elements(By.ID, "delete-conversation"), "the conversation was deleted"
    step("deleting asks first")

    # Back to a conversation just deleted reads it anew (a page not found), where the browser's memory of the
    # page showed it still there, its forms live.
    driver.get(agent_url)
    driver.find_element(By.ID, "new-conversation").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "composer")))
    send(driver, "Soon gone")
    wait(driver).until(lambda d: status_of(assistant_messages(d)[-1]) == "complete")
    driver.find_element(By.ID, "delete-conversation").click()
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver).until(lambda d: "/conversations/" not in d.current_url)
    # The page it leads to says what was done, once: the address keeps no word of it for a reload.
    assert wait(driver).until(lambda d: d.find_element(By.ID, "done")).text == "Conversation deleted."
    assert "done=" not in driver.current_url, driver.current_url
    driver.back()
    wait(driver).until(lambda d: "/conversations/" in d.current_url and not d.find_elements(By.ID, "composer"))
    step("Back to a deleted conversation shows it gone")

    # Two minutes before a session ends without use the page says so, with the keyboard on its button, which
    # keeps the session (the idle time is the server's, CONSOLE_IDLE_MINUTES: a few seconds here, written into
    # the page as it loads, so that the warning comes within the walk).
    shorter = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        new MutationObserver((changes, observer) => {
          const idle = document.querySelector('meta[name="session-idle-seconds"]');
          if (idle) { idle.content = "4"; observer.disconnect(); }
        }).observe(document, { childList: true, subtree: true });"""})
    driver.get(agent_url)
    warning = driver.find_element(By.ID, "session-warning")
    assert not warning.is_displayed()
    wait(driver, 10).until(lambda d: warning.is_displayed())
    assert driver.switch_to.active_element.get_attribute("id") == "session-stay"
    assert warning.get_attribute("role") == "alertdialog"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait(driver, 5).until(lambda d: not warning.is_displayed())
    driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": shorter["identifier"]})
    step("an idle session's end is told ahead, and staying signed in keeps it")

    # Sign out ends the session.
    driver.find_element(By.ID, "sign-out").click()
    wait(driver).until(EC.url_contains("/signin"))
    driver.get(BASE + "/agents")
    wait(driver).until(EC.url_contains("/signin"))
    step("signed out")

    # A second tenant sees none of it.
    sign_in(driver, OTHER_TOKEN)
    assert "Walk agent" not in driver.page_source
    driver.get(agent_url)
    assert "Walk agent" not in driver.page_source
    assert "not found" in driver.page_source.lower()
    driver.get(chat_url)
    assert "walker" not in driver.page_source
    driver.get(BASE + "/search?q=walker")
    assert not driver.find_elements(By.CSS_SELECTOR, ".search-hit")
    driver.get(BASE + "/connections")
    assert "Emulator" not in driver.page_source
    step("second tenant sees nothing of the first")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, WebDriverException) as failure:
        # Selenium's exceptions keep their text outside `args`: `%r` alone would print an empty one.
        print("console walk failed: %s: %s" % (type(failure).__name__, getattr(failure, "msg", None) or failure))
        print("".join(traceback.format_tb(failure.__traceback__)[-3:]))
        sys.exit(1)
