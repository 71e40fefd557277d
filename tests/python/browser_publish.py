"""A publisher in a real browser: headless Debian Chromium, driven by Selenium through
/usr/bin/chromedriver, logs in, opens the new-dataset form from the dashboard, saves it without a
title, sees the error next to the title field, adds the title, saves, lands on the dataset's page;
then the dataset is in the paged catalogue (Turtle).

Usage: browser_publish.py --base URL --email E --password P --orgnr N --screenshots DIR
       [--title T] [--chromium PATH] [--chromedriver PATH]
Screenshots (PNG) go to DIR: 01-login.png, 02-error.png, 03-saved.png.
Exits 0 on success, 1 with a message on failure, 2 when the browser cannot be started."""
import argparse
import os
import re
import shutil
import sys
import tempfile
import traceback
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

# Flags that work as root on a machine without network access or a display.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
    "--lang=sv-SE",
]
WAIT_SECONDS = 30


class Failed(Exception):
    """A check failed; the message says which and what was seen."""


def check(condition, message):
    if not condition:
        raise Failed(message)


def start_browser(chromium, chromedriver, profile, prefs=None):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if prefs:
        options.add_experimental_option("prefs", prefs)
    # The page's console, for the pages' own scripts (console_errors).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager is not asked to find or download anything.
    service = Service(executable_path=chromedriver)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    return driver


def console_errors(driver):
    """The errors the page's scripts wrote to the console since the last call."""
    # The browser's own request for /favicon.ico (katalog has none) is not the page's.
    return [e["message"] for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and "favicon.ico" not in e["message"]]


def status_of_page(driver):
    """The HTTP status of the document now shown (Navigation Timing), or None if unknown."""
    try:
        return driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n && n.responseStatus ? n.responseStatus : null;"
        )
    except WebDriverException:
        return None


def screenshot(driver, directory, name):
    path = os.path.join(directory, name)
    check(driver.save_screenshot(path), f"could not save the screenshot {path}")
    check(os.path.getsize(path) > 1000, f"the screenshot {path} is nearly empty")
    print(f"screenshot: {path}")


def wait_for(driver, condition, what):
    try:
        return WebDriverWait(driver, WAIT_SECONDS).until(condition)
    except TimeoutException:
        raise Failed(f"timed out waiting for {what}; at {driver.current_url}") from None


def replaced(old):
    """A wait condition: the page that held `old` has been replaced. Chromium may answer a
    look at an element of a page being unloaded with an inspector error instead of "stale";
    both mean the page is gone."""

    def gone(_driver):
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True

    return gone


def page_summary(driver):
    """The heading and any error texts on the page, for failure messages."""
    texts = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "h1, .error, .field-error")]
    return " | ".join(t for t in texts if t)


def log_in(driver, base, email, password, shots):
    driver.get(f"{base}/login")
    wait_for(driver, EC.presence_of_element_located((By.ID, "login")), "the login page")
    check(driver.find_elements(By.NAME, "csrf"), "the login form has no hidden csrf field")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    screenshot(driver, shots, "01-login.png")
    driver.find_element(By.ID, "login").click()
    wait_for(
        driver,
        EC.any_of(
            EC.presence_of_element_located((By.ID, "new-dataset")),
            EC.presence_of_element_located((By.CSS_SELECTOR, ".error")),
        ),
        "the dashboard after login",
    )
    if not driver.find_elements(By.ID, "new-dataset"):
        raise Failed(f"login did not reach the dashboard; at {driver.current_url}, page says: {page_summary(driver)}")
    path = urllib.parse.urlsplit(driver.current_url).path
    check(path.startswith("/publish"), f"after login the browser is at {driver.current_url}, not /publish")
    print(f"logged in as {email}: {driver.current_url}")


def open_new_dataset_form(driver, orgnr):
    link = driver.find_element(By.ID, "new-dataset")
    href = link.get_attribute("href") or ""
    check(
        "/publish/datasets/new" in href and f"org={orgnr}" in href,
        f"the new-dataset link points to {href!r}, not /publish/datasets/new?org={orgnr}",
    )
    link.click()
    wait_for(driver, EC.presence_of_element_located((By.ID, "save")), "the new-dataset form")
    for field_id in ["field-title-sv", "field-description-sv", "field-contact-name", "field-contact-email"]:
        check(driver.find_elements(By.ID, field_id), f"the form has no #{field_id}")
    title = driver.find_element(By.ID, "field-title-sv")
    check(title.get_attribute("name") == "title@sv", "#field-title-sv is not named title@sv")
    print(f"form: {driver.current_url}")


def fill(driver, field_id, value):
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def save_without_title(driver, shots, description, contact_name, contact_email):
    check(
        driver.find_element(By.ID, "field-title-sv").get_attribute("value") == "",
        "the title field is not empty on a new form",
    )
    fill(driver, "field-description-sv", description)
    fill(driver, "field-contact-name", contact_name)
    fill(driver, "field-contact-email", contact_email)
    form_url = driver.current_url
    driver.find_element(By.ID, "save").click()
    wait_for(
        driver,
        lambda d: d.find_elements(By.ID, "error-title")
        or (d.current_url != form_url and d.find_elements(By.TAG_NAME, "h1")),
        "the answer to saving without a title",
    )
    found = driver.find_elements(By.ID, "error-title")
    if not found:
        raise Failed(
            f"saving without a title showed no #error-title; at {driver.current_url}, "
            f"page says: {page_summary(driver)}"
        )
    error = found[0]
    status = status_of_page(driver)
    print(f"saved without a title: HTTP {status}, at {driver.current_url}")
    check(status in (None, 422), f"the form with violations came back with HTTP {status}, not 422")

    text = error.text.strip()
    check(text, "#error-title is empty")
    check(error.is_displayed(), "#error-title is not visible")
    check("field-error" in (error.get_attribute("class") or ""), "#error-title lacks class field-error")
    title = driver.find_element(By.ID, "field-title-sv")
    description = driver.find_element(By.ID, "field-description-sv")
    # Next to the title field: after the title input, before the next field, in the title's own
    # .field block, and announced with the input (aria-describedby).
    placement = driver.execute_script(
        """const [input, error, next] = arguments;
        const FOLLOWING = Node.DOCUMENT_POSITION_FOLLOWING;
        const block = input.closest('.field');
        return {
            afterInput: !!(input.compareDocumentPosition(error) & FOLLOWING),
            beforeNextField: !!(error.compareDocumentPosition(next) & FOLLOWING),
            sameBlock: !!block && block.contains(error) && !block.contains(next),
        };""",
        title,
        error,
        description,
    )
    check(placement["afterInput"], "#error-title comes before the title input in the page")
    check(placement["beforeNextField"], "#error-title is not before the next field (description)")
    check(placement["sameBlock"], "#error-title is not inside the title field's .field block")
    described_by = (title.get_attribute("aria-describedby") or "").split()
    check(
        "error-title" in described_by,
        f"the title input's aria-describedby is {described_by}, without error-title",
    )
    check(title.get_attribute("aria-invalid") == "true", "the title input is not aria-invalid=true")
    print(f"error next to the title: {text!r}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", error)
    screenshot(driver, shots, "02-error.png")


def kept_values(driver, description, contact_name, contact_email):
    for field_id, expected in [
        ("field-description-sv", description),
        ("field-contact-name", contact_name),
        ("field-contact-email", contact_email),
    ]:
        value = driver.find_element(By.ID, field_id).get_attribute("value")
        check(value == expected, f"after the refused save #{field_id} holds {value!r}, not {expected!r}")


def save_with_title(driver, shots, title):
    fill(driver, "field-title-sv", title)
    form_url = driver.current_url
    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "save").click()
    wait_for(driver, replaced(old_page), "the answer to saving with a title")
    heading = wait_for(driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), "the page heading")
    path = urllib.parse.urlsplit(driver.current_url).path
    if not path.startswith("/datasets/") or driver.current_url == form_url:
        raise Failed(
            f"saving with a title did not land on /datasets/…; at {driver.current_url} "
            f"(HTTP {status_of_page(driver)}), page says: {page_summary(driver)}"
        )
    status = status_of_page(driver)
    check(status in (None, 200), f"the dataset's page answered HTTP {status}")
    check(title in heading.text, f"the dataset's page is headed {heading.text!r}, not {title!r}")
    check(title in driver.page_source, "the dataset's page does not show the title")
    check(not driver.find_elements(By.CSS_SELECTOR, ".field-error"), "the dataset's page shows field errors")
    print(f"saved: {driver.current_url}")
    screenshot(driver, shots, "03-saved.png")
    return driver.current_url


def turtle_literal(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def title_in_catalogue(base, title, max_pages=200):
    """Reads /catalog page by page (Turtle) until the title is found or there is no next page."""
    literal = turtle_literal(title)
    for page in range(1, max_pages + 1):
        request = urllib.request.Request(f"{base}/catalog?page={page}", headers={"Accept": "text/turtle"})
        try:
            with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
                content_type = response.headers.get("Content-Type", "")
                body = response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            raise Failed(f"GET /catalog?page={page} (Accept: text/turtle) answered {e.code}") from None
        check(content_type.startswith("text/turtle"), f"/catalog answered {content_type!r}, not text/turtle")
        if literal in body:
            print(f"in the catalogue: {literal} on page {page}")
            return
        if not re.search(r"hydra:next\b|<http://www\.w3\.org/ns/hydra/core#next>", body):
            break
    raise Failed(f"the title {literal} is not in /catalog (Turtle)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the server, e.g. http://127.0.0.1:8123")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--orgnr", required=True, help="the organisation the user publishes for")
    parser.add_argument("--screenshots", required=True, help="directory for the PNG screenshots")
    parser.add_argument("--title", default="Badplatser i Exempelkommun")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    os.makedirs(args.screenshots, exist_ok=True)
    for path in [args.chromium, args.chromedriver]:
        if not os.access(path, os.X_OK):
            print(f"FAILED: {path} is missing (bash scripts/setup.sh installs chromium and chromium-driver)")
            return 2

    description = "Kommunens badplatser med läge, vattenkvalitet och faciliteter."
    contact_name = "Exempelkommun, miljöförvaltningen"
    contact_email = "miljo@exempelkommun.example"

    profile = tempfile.mkdtemp(prefix="katalog-chromium-")
    driver = None
    try:
        try:
            driver = start_browser(args.chromium, args.chromedriver, profile)
        except WebDriverException as e:
            print(f"FAILED: the browser did not start: {e.msg or e}")
            return 2
        print(f"browser: {driver.capabilities.get('browserName')} {driver.capabilities.get('browserVersion')}")
        log_in(driver, base, args.email, args.password, args.screenshots)
        open_new_dataset_form(driver, args.orgnr)
        save_without_title(driver, args.screenshots, description, contact_name, contact_email)
        kept_values(driver, description, contact_name, contact_email)
        save_with_title(driver, args.screenshots, args.title)
        title_in_catalogue(base, args.title)
        print("ok")
        return 0
    except Failed as e:
        print(f"FAILED: {e}")
        if driver is not None:
            try:
                screenshot(driver, args.screenshots, "failure.png")
            except Exception:
                pass
        return 1
    except WebDriverException as e:
        print(f"FAILED: browser error at {driver.current_url if driver else '?'}: {e.msg or e}")
        traceback.print_exc()
        return 1
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
