"""Each serializer instance gets its own fields, bound to it, though they are built once per class."""

from salesdesk.core.api.serializers import CompanyModelSerializer
from salesdesk.sales.api.serializers import SalesOrderSerializer


def test_every_serializer_binds_its_own_fields_and_nested_children():
    first, second = SalesOrderSerializer(), SalesOrderSerializer()
    for name in ("customer", "currency", "notes", "lines"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    # The lines' nested serializer and its own fields are not shared either.
    first_line, second_line = first.fields["lines"].child, second.fields["lines"].child
    assert first_line is not second_line
    assert first_line.fields["product"] is not second_line.fields["product"]
    assert first_line.fields["product"].root is first and second_line.fields["product"].root is second
    # What is kept per class stays unbound.
    built = CompanyModelSerializer._built_fields[SalesOrderSerializer]
    assert built["customer"].parent is None and built["notes"].parent is None
