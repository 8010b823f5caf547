"""Critical master-data flows in a real browser (headless Chromium)."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from salesdesk.customers.models import Customer


def test_salesperson_signs_in_and_sees_only_own_customers(login, customer_of):
    customer_of("sales", "C-MINE", name="Mine Ltd")
    customer_of("sales3", "C-THEIRS", name="Theirs Ltd")
    page = login("sales")
    expect(page.locator("body")).to_contain_text("Customers")
    page.goto(reverse("customers:customer-list"))
    expect(page.locator("main")).to_contain_text("C-MINE")
    expect(page.locator("main")).not_to_contain_text("C-THEIRS")


def test_wrong_password_keeps_the_user_on_the_login_page(page, users):
    page.goto("/login/")
    page.fill("input[name=username]", "sales")
    page.fill("input[name=password]", "not-the-password")
    page.click("#login-button")
    expect(page).to_have_url(f"{page.url.split('/login/')[0]}/login/")
    expect(page.locator("input[name=password]")).to_be_visible()


def test_customer_search_narrows_the_list(login, customer_of):
    customer_of("sales", "C-100", name="Alpha Furniture")
    customer_of("sales", "C-200", name="Beta Electronics")
    page = login("admin")
    page.goto(reverse("customers:customer-list"))
    page.fill("input[name=q]", "Beta")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("C-200")
    expect(page.locator("main")).not_to_contain_text("C-100")


def test_customer_create_shows_the_error_next_to_the_field_and_saves_nothing(login, customer_of, company):
    customer_of("sales", "C-DUP", name="Existing")
    page = login("admin")
    page.goto(reverse("customers:customer-create"))
    page.fill("#id_code", "C-DUP")
    page.fill("#id_name", "Duplicate attempt")
    page.fill("#id_credit_limit", "-5")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_credit_limit")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#error-credit_limit")).to_be_visible()

    page.fill("#id_credit_limit", "5000")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_code")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#error-code")).to_contain_text("already exists")
    assert Customer.objects.filter(company=company, name="Duplicate attempt").count() == 0

    page.fill("#id_code", "C-NEW")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("Duplicate attempt")
    assert Customer.objects.get(company=company, code="C-NEW").credit_limit == 5000


def test_language_switch_translates_the_interface(login, users):
    page = login("sales")
    page.click("#language-menu")
    page.click("#language-es")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("aside")).to_contain_text("Clientes")
    users["sales"].refresh_from_db()
    assert users["sales"].language == "es"
    page.click("#language-menu")
    page.click("#language-zh-hans")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("aside")).to_contain_text("客户")


def test_on_a_phone_the_page_starts_right_under_the_top_bar(login, customer_of):
    customer_of("sales", "C-PHONE", name="Phone Ltd")
    page = login("sales")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("customers:customer-list"))
    expect(page.locator("main")).to_contain_text("C-PHONE")
    top = page.locator("main").bounding_box()["y"]
    assert top < 200, f"the page content starts {top:.0f} px down a 844 px screen"
