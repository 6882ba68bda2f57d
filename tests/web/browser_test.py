# SPDX-License-Identifier: MIT
"""Browser test of eventmgr-web in a real headless Chromium driven by Selenium.

Usage: browser_test.py BASE_URL STATE_DIR EVENTMGR_BIN HANDLER_SCRIPT HANDLER_USER SCREENSHOT_DIR

Flows: log in; add a handler through the form (a bad command is refused beside the field, the
Test button shows the dry run);
submit an event with the CLI and see its run appear on the Runs page without reloading; open
it; replay it; remove the handler with "Remove selected"; a viewer cannot change anything; a
forged POST without the CSRF token is refused; a rejected record shows with its
reason and Resubmit validates it again; a dead letter shows, Retry selected runs it again and
Drop selected marks it handled. Screenshots of each page at 1280x800 and 390x844.
Run with Debian's /usr/bin/python3 (python3-selenium).
"""
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, STATE, EVENTMGR, SCRIPT, HUSER, SHOTS = sys.argv[1:7]
DEADLINE = 60  # seconds for any condition: the machine is shared and noisy


def token(name):
    with open(os.path.join(STATE, name)) as f:
        return f.read().strip()


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


driver = make_driver()
wait = WebDriverWait(driver, DEADLINE, poll_frequency=0.2)
shots = []


def screenshot(name):
    """Writes NAME-desktop.png (1280x800) and NAME-phone.png (390x844) of the current page."""
    os.makedirs(SHOTS, exist_ok=True)
    for label, (width, height) in (("desktop", (1280, 800)), ("phone", (390, 844))):
        driver.set_window_rect(width=width, height=height)
        # The viewport, not the window, is what the page sees: size it exactly.
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
        driver.set_window_rect(width=width + (width - inner[0]), height=height + (height - inner[1]))
        path = os.path.join(SHOTS, "%s-%s.png" % (name, label))
        driver.save_screenshot(path)
        shots.append(path)
    driver.set_window_rect(width=1280, height=800)


def go(path):
    driver.get(BASE + path)


def text_of(css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def log_in(which):
    go("/login")
    field = driver.find_element(By.NAME, "token")
    field.clear()
    field.send_keys(token(which))
    field.submit()
    wait.until(lambda d: d.current_url.endswith("/handlers"))


def post_without_csrf(path, body):
    """A forged POST from the page's own origin, without the session's CSRF token."""
    return driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
        " body: arguments[1], credentials: 'same-origin'}).then(function (r) { done(r.status); });",
        path, body)


def post_with_csrf(path, body):
    """A POST carrying the page's CSRF token (what the page's own forms send)."""
    return driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "var csrf = document.querySelector('input[name=csrf]').value;"
        "fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
        " body: arguments[1] + '&csrf=' + csrf, credentials: 'same-origin'}).then(function (r) { done(r.status); });",
        path, body)


def submit(record):
    subprocess.run([EVENTMGR, "--state-dir", STATE, "submit", "--record", "-"], input=record.encode(),
                   check=True, stdout=subprocess.DEVNULL)


try:
    # Log in; the login page itself first.
    go("/login")
    screenshot("login")
    log_in("web-admin.token")
    if text_of("#role") != "admin":
        fail("logged in as " + text_of("#role"))

    # Add a handler through the form; first a refused one (a relative program).
    driver.find_element(By.ID, "add-handler").click()
    wait.until(lambda d: d.current_url.endswith("/handlers/new"))
    Select(driver.find_element(By.ID, "event")).select_by_value("client_create")
    # Choosing the event reloads the form with its parameters (the script); wait for them.
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "button[data-insert='<new_login_name>']"))
    Select(driver.find_element(By.ID, "user")).select_by_value(HUSER)
    command = driver.find_element(By.ID, "command")
    command.send_keys("handler.sh <new_login_name>")
    screenshot("handler-new")
    driver.find_element(By.ID, "save").click()
    wait.until(lambda d: d.find_elements(By.ID, "problem-command"))
    refusal = text_of("#problem-command")
    if "handler.sh" not in refusal:
        fail("the refusal beside the command does not name it: " + refusal)
    screenshot("handler-refused")
    command = driver.find_element(By.ID, "command")
    command.clear()
    command.send_keys(SCRIPT + " ")
    # The parameter button inserts <new_login_name> at the cursor.
    driver.find_element(By.CSS_SELECTOR, "button[data-insert='<new_login_name>']").click()
    command.send_keys(" <new_contact_name>")
    if driver.find_element(By.ID, "command").get_attribute("value") != SCRIPT + " <new_login_name> <new_contact_name>":
        fail("the command box holds " + driver.find_element(By.ID, "command").get_attribute("value"))
    # The Test button: the dry run of the typed values, nothing stored.
    driver.find_element(By.ID, "values").send_keys("new.login_name=jdoe\nnew.contact_name=J Doe")
    driver.find_element(By.ID, "test").click()
    wait.until(lambda d: d.find_elements(By.ID, "dry-run"))
    argv = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#dry-run ol.argv code")]
    if argv != [SCRIPT, "jdoe", "J Doe"]:
        fail("the dry run's argv is %r" % argv)
    if "NEW_LOGIN_NAME=jdoe" not in text_of("#dry-env"):
        fail("the dry run's environment lacks NEW_LOGIN_NAME: " + text_of("#dry-env"))
    screenshot("handler-test")
    driver.find_element(By.ID, "save").click()
    wait.until(lambda d: d.current_url.split("?")[0].endswith("/handlers") and "Added handler" in d.page_source)
    rows = driver.find_elements(By.CSS_SELECTOR, "#handlers tbody tr")
    if len(rows) != 1:
        fail("the list holds %d handlers after one add" % len(rows))
    handler_id = rows[0].get_attribute("data-handler")
    screenshot("handlers")

    # The Runs page, open while the CLI submits: the run appears without a reload.
    go("/runs")
    driver.execute_script("window.stillHere = 'yes';")
    submit('{"event":"client_create","id":"web-1","new":{"login_name":"jdoe","contact_name":"<script>alert(1)</script>"}}\n')
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#runs tr[data-run] td.ok"))
    if driver.execute_script("return window.stillHere;") != "yes":
        fail("the Runs page reloaded instead of refreshing its rows")
    screenshot("runs")

    # Open the run: argv with the hostile value as text, stdout, then Run again.
    driver.find_element(By.CSS_SELECTOR, "#runs tr[data-run] a[href^='/runs/']").click()
    wait.until(lambda d: d.find_elements(By.ID, "result"))
    if text_of("#result") != "ok":
        fail("the run's result is " + text_of("#result"))
    argv = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "ol.argv code")]
    if "<script>alert(1)</script>" not in argv:
        fail("the hostile value is not shown as text in argv: %r" % argv)
    if driver.execute_script("return document.querySelectorAll('ol.argv script').length") != 0:
        fail("a value became markup")
    if "jdoe" not in text_of("#stdout"):
        fail("stdout does not show what the handler printed: " + text_of("#stdout"))
    screenshot("run")
    driver.find_element(By.ID, "replay").click()
    wait.until(lambda d: "Replay queued" in d.page_source)
    go("/runs")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs tr[data-run] td.ok")) == 2)

    # A record the daemon refuses shows on Rejected with its reason; Resubmit validates it again.
    with open(os.path.join(STATE, "events.pipe"), "w") as pipe:
        pipe.write('{"event":"client_createe","id":"web-bad","new":{"login_name":"<b>x</b>"}}\n')
    go("/rejected")
    for _ in range(DEADLINE * 5):
        if driver.find_elements(By.CSS_SELECTOR, "tr[id^=rejected-]"):
            break
        time.sleep(0.2)
        go("/rejected")
    row = driver.find_element(By.CSS_SELECTOR, "tr[id^=rejected-]")
    if "<b>x</b>" not in row.text or "client_createe" not in row.text:
        fail("the rejected record is not shown as text: " + row.text)
    screenshot("rejected")
    row.find_element(By.TAG_NAME, "button").click()
    wait.until(lambda d: "is still invalid" in d.page_source)

    # The other pages, for their screenshots (and that they answer).
    for path, name, marker in (("/status", "status", "#daemon"), ("/catalog", "catalog", "#event-client_create"),
                               ("/dead", "dead", "h1"),
                               ("/handlers/" + handler_id, "handler-edit", "#command")):
        go(path)
        wait.until(lambda d, m=marker: d.find_elements(By.CSS_SELECTOR, m))
        screenshot(name)
        if name == "status" and text_of("#daemon").split()[0] != "running":
            fail("Status says the daemon is " + text_of("#daemon"))

    # A forged POST without the CSRF token is refused, and changes nothing.
    go("/handlers")
    status = post_without_csrf("/handlers", "action=remove&id=" + handler_id)
    if status != 403:
        fail("a POST without the CSRF token got %s" % status)
    go("/handlers")
    if len(driver.find_elements(By.CSS_SELECTOR, "#handlers tbody tr")) != 1:
        fail("the forged POST removed the handler")

    # A viewer sees everything and changes nothing.
    driver.delete_all_cookies()
    log_in("web-viewer.token")
    if text_of("#role") != "viewer":
        fail("logged in as " + text_of("#role") + ", not viewer")
    if driver.find_element(By.ID, "remove-selected").is_enabled():
        fail("the viewer's Remove selected is enabled")
    if post_with_csrf("/handlers", "action=remove&id=" + handler_id) != 403:
        fail("a viewer's POST was not refused")
    go("/handlers")
    if len(driver.find_elements(By.CSS_SELECTOR, "#handlers tbody tr")) != 1:
        fail("the viewer removed the handler")

    # Remove the handler with "Remove selected", as the admin.
    driver.delete_all_cookies()
    log_in("web-admin.token")
    driver.find_element(By.CSS_SELECTOR, "input[name=id][value='%s']" % handler_id).click()
    driver.find_element(By.ID, "remove-selected").click()
    wait.until(lambda d: "removed handler(s) " + handler_id in d.page_source)
    if driver.find_elements(By.CSS_SELECTOR, "#handlers tbody tr"):
        fail("the handler is still listed after Remove selected")

    # A handler that fails with no retries leaves a dead letter; Retry selected queues it (the
    # daemon runs it again, it dies again under its id); Drop selected marks it handled.
    added = subprocess.run([EVENTMGR, "--state-dir", STATE, "handler", "add", "--event", "domain_create",
                            "--user", HUSER, "--command", "/bin/false", "--retries", "0"],
                           check=True, capture_output=True, text=True).stdout
    submit('{"event":"domain_create","id":"web-dead","new":{"domain_name":"dead.example"}}\n')
    go("/dead")
    for _ in range(DEADLINE * 5):
        if driver.find_elements(By.CSS_SELECTOR, "#dead tr[data-dead]"):
            break
        time.sleep(0.2)
        go("/dead")
    row = driver.find_element(By.CSS_SELECTOR, "#dead tr[data-dead]")
    dead_id = row.get_attribute("data-dead")
    if "domain_create" not in row.text or "exit 1" not in row.text:
        fail("the dead letter row lacks its event or last result: " + row.text)
    screenshot("dead-letters")
    row.find_element(By.CSS_SELECTOR, "input[name=id]").click()
    driver.find_element(By.ID, "retry-selected").click()
    wait.until(lambda d: "queued dead letter " + dead_id in d.page_source)
    for _ in range(DEADLINE * 5):
        if driver.find_elements(By.CSS_SELECTOR, "#dead tr[data-dead='%s']" % dead_id):
            break
        time.sleep(0.2)
        go("/dead")
    driver.find_element(By.CSS_SELECTOR, "input[name=id][value='%s']" % dead_id).click()
    driver.find_element(By.ID, "drop-selected").click()
    wait.until(lambda d: "dropped dead letter " + dead_id in d.page_source)
    if driver.find_elements(By.CSS_SELECTOR, "#dead tr[data-dead]"):
        fail("the dead letter is still listed after Drop selected")
    subprocess.run([EVENTMGR, "--state-dir", STATE, "handler", "remove", added.split()[-1].strip(".")],
                   check=False, stdout=subprocess.DEVNULL)
    print("browser test passed; %d screenshots in %s" % (len(shots), SHOTS))
except Exception:
    try:
        driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
        print("page at failure: " + driver.current_url, file=sys.stderr)
    except Exception:
        pass
    raise
finally:
    driver.quit()
