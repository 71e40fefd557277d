"""A member of the public in a real browser (headless Debian Chromium through Selenium and
/usr/bin/chromedriver), on a server with the demo catalogue: searches in Swedish with an
inflected word, ticks a facet and sees the count change, opens a dataset, switches to
English, follows the publisher link to the organisation's page, runs an example SPARQL query
and sees the answer as a table, opens a hosted file's table with a chart. axe-core (from npm,
injected into the page) checks the home, search, dataset, organisation, SPARQL and table pages
against WCAG 2.1 A and AA.

Usage: browser_public.py --base URL --axe PATH/axe.min.js --screenshots DIR
       [--query WORD] [--chromium PATH] [--chromedriver PATH]
Exits 0 on success, 1 with a message on failure, 2 when the browser cannot be started."""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from browser_publish import (WAIT_SECONDS, Failed, check, console_errors, replaced, start_browser,
                             wait_for)

# The WCAG 2.1 levels the law asks of Swedish public bodies (EN 301 549).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def start(chromium, chromedriver, profile):
    # A Swedish reader: the pages follow Accept-Language.
    driver = start_browser(chromium, chromedriver, profile, {"intl.accept_languages": "sv-SE,sv,en"})
    driver.set_script_timeout(WAIT_SECONDS)
    return driver


def screenshot(driver, directory, name):
    path = os.path.join(directory, name)
    driver.execute_script("window.scrollTo(0, 0);")
    check(driver.save_screenshot(path), f"could not save the screenshot {path}")
    check(os.path.getsize(path) > 1000, f"the screenshot {path} is nearly empty")
    print(f"screenshot: {path}")


def accessible(driver, axe_source, page):
    """Runs axe-core in the page; fails with every violation of WCAG 2.1 A/AA it finds."""
    driver.execute_script(axe_source)
    result = driver.execute_async_script(
        """const [tags, done] = arguments;
        axe.run(document, {runOnly: {type: 'tag', values: tags}})
          .then((r) => done({violations: r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))})),
            passes: r.passes.length}))
          .catch((e) => done({error: String(e)}));""",
        AXE_TAGS,
    )
    check("error" not in result, f"axe-core failed on the {page} page: {result.get('error')}")
    violations = result["violations"]
    check(
        not violations,
        f"axe-core finds WCAG 2.1 A/AA violations on the {page} page ({driver.current_url}):\n"
        + json.dumps(violations, indent=1, ensure_ascii=False),
    )
    check(result["passes"] > 10, f"axe-core checked almost nothing on the {page} page")
    print(f"axe-core: no violations on the {page} page ({result['passes']} rules passed)")


def count_shown(driver):
    """The number of hits the page announces in its role=status line."""
    status = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    found = re.match(r"\s*(\d+)", status)
    check(found, f"the status line {status!r} does not start with a count")
    return int(found.group(1))


def open_page(driver, url, ready, what):
    driver.get(url)
    wait_for(driver, EC.presence_of_element_located(ready), what)


def search(driver, base, word, shots):
    open_page(driver, f"{base}/", (By.ID, "q"), "the home page")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv", "the home page is not lang=sv")
    total = count_shown(driver)
    check(total > 3, f"the home page shows {total} records")
    box = driver.find_element(By.ID, "q")
    old = driver.find_element(By.TAG_NAME, "html")
    box.send_keys(word, Keys.ENTER)
    wait_for(driver, replaced(old), "the answer to the search")
    hits = count_shown(driver)
    check(0 < hits < total, f"the search for {word!r} shows {hits} of {total} records")
    titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".hits h3 a")]
    print(f"searched {word!r}: {hits} hits: {titles}")
    screenshot(driver, shots, "01-search.png")
    return hits, titles


def tick_a_facet(driver, shots):
    """Ticks the first unticked value of a facet whose count is below the total, and sees the
    count become that value's count (JavaScript sends the form at once)."""
    before = count_shown(driver)
    boxes = driver.find_elements(By.CSS_SELECTOR, ".facets input[type=checkbox]:not(:checked)")
    for box in boxes:
        label = driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
        count = int(re.search(r"\((\d+)\)", label.text).group(1))
        if count < before:
            break
    else:
        raise Failed(f"no facet value narrows the {before} hits")
    name = label.text
    old = driver.find_element(By.TAG_NAME, "html")
    label.click()
    wait_for(driver, replaced(old), "the page after ticking a facet")
    after = count_shown(driver)
    print(f"ticked {name!r}: {before} → {after} hits")
    check(after == count, f"after ticking {name!r} the page shows {after} hits, not {count}")
    ticked = driver.find_elements(By.CSS_SELECTOR, ".facets input[type=checkbox]:checked")
    check(ticked, "the ticked facet value is not ticked on the new page")
    screenshot(driver, shots, "02-facet.png")


def open_dataset(driver, shots):
    link = driver.find_element(By.CSS_SELECTOR, ".hits h3 a")
    title = link.text
    link.click()
    heading = wait_for(driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), "the dataset page")
    check(heading.text == title, f"the dataset page is headed {heading.text!r}, not {title!r}")
    check(
        driver.find_elements(By.CSS_SELECTOR, "script[type='application/ld+json']"),
        "the dataset page embeds no schema.org JSON-LD",
    )
    print(f"dataset page: {driver.current_url}")
    screenshot(driver, shots, "03-dataset.png")
    return driver.current_url


def switch_to_english(driver, shots):
    link = driver.find_element(By.CSS_SELECTOR, "a[hreflang=en]")
    check(link.get_attribute("lang") == "en", "the language switch has no lang=en")
    old = driver.find_element(By.TAG_NAME, "html")
    link.click()
    wait_for(driver, replaced(old), "the page in English")
    html = driver.find_element(By.TAG_NAME, "html")
    check(html.get_attribute("lang") == "en", "the page in English is not lang=en")
    text = driver.find_element(By.TAG_NAME, "main").text
    check("About the data" in text, "the page in English has no 'About the data'")
    print(f"in English: {driver.current_url}")
    screenshot(driver, shots, "04-english.png")


def follow_publisher(driver, shots):
    links = [
        a for a in driver.find_elements(By.CSS_SELECTOR, "main a")
        if "/organisations/" in (a.get_attribute("href") or "")
    ]
    check(links, "the dataset page has no link to its publisher's page")
    name = links[0].text
    links[0].click()
    heading = wait_for(driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), "the organisation page")
    check(heading.text == name, f"the organisation page is headed {heading.text!r}, not {name!r}")
    check(count_shown(driver) > 0, "the organisation page lists no records")
    print(f"organisation page: {driver.current_url} ({name})")
    screenshot(driver, shots, "05-organisation.png")


def run_sparql_example(driver, base, shots):
    open_page(driver, f"{base}/sparql", (By.ID, "query"), "the SPARQL page")
    wait_for(
        driver,
        EC.presence_of_element_located((By.CSS_SELECTOR, ".CodeMirror")),
        "the SPARQL editor (CodeMirror)",
    )
    example = driver.find_element(By.XPATH, "//details[summary[contains(., 'per publisher') or contains(., 'per utgivare')]]")
    example.find_element(By.TAG_NAME, "summary").click()
    old = driver.find_element(By.TAG_NAME, "html")
    example.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, replaced(old), "the answer to the example query")
    rows = wait_for(
        driver,
        EC.presence_of_all_elements_located((By.CSS_SELECTOR, "table.answer tbody tr")),
        "the answer table",
    )
    check(rows, "the answer table has no rows")
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.answer th")]
    check(headers == ["publisher", "datasets"], f"the answer's columns are {headers}")
    editor_text = driver.execute_script(
        "return document.querySelector('.CodeMirror').CodeMirror.getValue();"
    )
    check("GROUP BY ?publisher" in editor_text, "the editor does not hold the query that ran")
    print(f"SPARQL: {len(rows)} rows")
    screenshot(driver, shots, "06-sparql.png")


def open_hosted_table(driver, base, shots):
    """The demo's air-quality file as a table with a chart of one station's months."""
    url = (f"{base}/data/luftkvalitet/csv?station_id=LUFT01&_sort=manad"
           "&_chart_y=pm10_ugm3&_chart_x=manad&_chart=line")
    open_page(driver, url, (By.CSS_SELECTOR, "table.rows"), "the hosted table")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.rows tbody tr")
    check(len(rows) >= 12, f"the table shows {len(rows)} rows, not a year of months")
    points = driver.find_elements(By.CSS_SELECTOR, "figure.chart svg circle")
    check(len(points) == len(rows), f"the chart has {len(points)} points for {len(rows)} rows")
    check(driver.find_element(By.CSS_SELECTOR, "figure.chart svg title").get_attribute("textContent")
          == "pm10_ugm3 per manad", "the chart is not titled by its columns")
    print(f"hosted table: {len(rows)} rows, a line of {len(points)} points")
    screenshot(driver, shots, "08-table-chart.png")


def open_hosted_map(driver, base, shots):
    """The demo's bathing sites: their latitude and longitude columns as points on a map of
    Sweden's outlines (Leaflet, no tile server)."""
    console_errors(driver)
    open_page(driver, f"{base}/data/badplatser/csv", (By.ID, "map"), "the hosted table's map")
    wait_for(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "#map[data-drawn]")),
             "the map drawn")
    drawn = int(driver.find_element(By.ID, "map").get_attribute("data-drawn"))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.rows tbody tr")
    check(drawn == len(rows) and drawn > 0, f"the map has {drawn} places for {len(rows)} rows")
    markers = driver.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")
    check(len(markers) == drawn, f"{len(markers)} markers drawn for {drawn} places")
    outlines = driver.find_elements(By.CSS_SELECTOR, "#map path")
    check(len(outlines) > 300, f"only {len(outlines)} shapes: the outlines of Sweden are missing")
    errors = console_errors(driver)
    check(not errors, f"the map page wrote errors to the console: {errors}")
    print(f"hosted map: {drawn} places over {len(outlines) - drawn} outlines")
    screenshot(driver, shots, "09-table-map.png")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--axe", required=True, help="axe-core's axe.min.js (node_modules/axe-core)")
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--query", default="förskola", help="a Swedish word, inflected (the title says Förskolor)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    os.makedirs(args.screenshots, exist_ok=True)
    with open(args.axe, encoding="utf-8") as f:
        axe_source = f.read()

    profile = tempfile.mkdtemp(prefix="katalog-chromium-")
    driver = None
    try:
        try:
            driver = start(args.chromium, args.chromedriver, profile)
        except WebDriverException as e:
            print(f"FAILED: the browser did not start: {e.msg or e}")
            return 2
        open_page(driver, f"{base}/", (By.ID, "q"), "the home page")
        accessible(driver, axe_source, "home")
        search(driver, base, args.query, args.screenshots)
        tick_a_facet(driver, args.screenshots)
        accessible(driver, axe_source, "search")
        open_dataset(driver, args.screenshots)
        accessible(driver, axe_source, "dataset")
        switch_to_english(driver, args.screenshots)
        accessible(driver, axe_source, "dataset (English)")
        follow_publisher(driver, args.screenshots)
        accessible(driver, axe_source, "organisation")
        run_sparql_example(driver, base, args.screenshots)
        accessible(driver, axe_source, "SPARQL")
        open_page(driver, f"{base}/accessibility", (By.TAG_NAME, "h1"), "the accessibility statement")
        accessible(driver, axe_source, "accessibility statement")
        open_hosted_table(driver, base, args.screenshots)
        accessible(driver, axe_source, "hosted table")
        open_hosted_map(driver, base, args.screenshots)
        accessible(driver, axe_source, "hosted map")
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
        return 1
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
