import pytest


@pytest.fixture
def customers(customer_of):
    return [customer_of("sales", code="L001"), customer_of("sales", code="L002"), customer_of("sales3", code="L003")]
