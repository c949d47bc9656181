#!/usr/bin/env python3
"""Screenshots of the demo portal in Chinese, for docs/screenshots/.

Run against the demo (``./stack.sh demo``) with the project's virtualenv:

    .stack/venv/bin/python docs/screenshots/take.py [--base http://127.0.0.1:5000]

Uses Debian's headless Chromium and chromium-driver (installed by ``./stack.sh test``)
and the Noto CJK fonts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "GovShare-Demo-2026"

PAGES = [
    # (file, path, user or None)
    ("01-home.png", "/", None),
    ("02-search-results.png", "/dataset/?q=公交", None),
    ("03-dataset-unconditional.png", "/dataset/gongjiao-xianlu", None),
    ("04-dataset-conditional.png", "/dataset/chuzuche-yunying", None),
    ("05-dataset-closed-seen-by-its-department.png", "/dataset/geren-canbao-xinxi", "rsj-clerk"),
    ("06-application-form.png", "/dataset/zhiye-jineng-zhengshu/apply", "citizen"),
    ("07-department-inbox.png", "/organization/cq-jtj/applications", "jtj-clerk"),
    ("08-my-applications.png", "/user/applications", "citizen"),
]


def driver() -> tuple[webdriver.Chrome, str]:
    profile = tempfile.mkdtemp(prefix="govshare-shots-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1400",
                 "--lang=zh-CN", "--hide-scrollbars"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options), profile


def login(d: webdriver.Chrome, base: str, user: str) -> None:
    d.delete_all_cookies()
    d.get(base + "/user/login")
    d.find_element(By.ID, "field-login").send_keys(user)
    d.find_element(By.ID, "field-password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit].btn-primary").click()
    WebDriverWait(d, 30).until(lambda drv: "/user/login" not in drv.current_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    args = parser.parse_args()
    d, profile = driver()
    try:
        current = None
        for name, path, user in PAGES:
            if user != current:
                d.delete_all_cookies()
                if user:
                    login(d, args.base, user)
                current = user
            d.get(args.base + path)
            d.save_screenshot(os.path.join(HERE, name))
            print(name)
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
