import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from salesdesk.billing import services
from salesdesk.billing.models import DunningLetter


@pytest.mark.django_db
def test_run_dunning_makes_one_letter_per_overdue_customer_once(company, users, member, buyer, confirmed_order, capsys):
    accountant = users["accountant"]
    order = confirmed_order(buyer, quantity="1", price="100.00")
    draft = services.invoice_from_order(order=order, actor=accountant, membership=member("accountant"))
    services.invoice_update(invoice=draft, actor=accountant, values={"issue_date": datetime.date.today() - datetime.timedelta(days=40)})
    services.invoice_post(invoice=draft, actor=accountant)
    call_command("run_dunning", "--no-send")
    call_command("run_dunning", "--no-send")
    letter = DunningLetter.objects.get()
    assert letter.customer == buyer and letter.level == 2 and letter.total_overdue == Decimal("121.00")
    assert "Made 1 dunning letter(s)." in capsys.readouterr().out
