"""The base of every API resource: company scope, role permissions, idempotency, thin writes."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from salesdesk.core import audit, tenancy
from salesdesk.core.api.idempotency import IdempotentMixin
from salesdesk.core.api.permissions import CompanyRolePermission


def within(qs, visible):
    """`qs` narrowed to the rows of `visible`, a record-scope selector's rows of the same table.

    The two sets of conditions are joined into one WHERE rather than `id IN (SELECT id ...)`:
    the database can then walk the list's sort index and stop after one page, however many
    orders or invoices the company has (with the subquery it gathered and sorted them all).
    """
    if visible.model is qs.model and not (qs.query.distinct or visible.query.distinct):
        return qs & visible.order_by()
    return qs.filter(pk__in=visible.values("pk"))


class CompanyScopedMixin(IdempotentMixin):
    """Rows of the request's company only, narrowed further by `scope_queryset` (record scopes).

    Writes go through services: subclasses implement `perform_create`, `perform_update`
    and `perform_destroy` by calling one service each.
    """

    permission_classes = [CompanyRolePermission]
    # Any path segment reaches the view, so a malformed id gets the JSON `not_found` body
    # instead of Django's HTML 404 page.
    lookup_value_regex = "[^/]+"

    def scope_queryset(self, qs):
        return qs

    def filter_queryset(self, queryset):
        # Filters, search and ordering narrow lists. A record named by its id is found whatever
        # the query string says, without building the list's filter set for nothing.
        if (self.lookup_url_kwarg or self.lookup_field) in self.kwargs:
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if isinstance(value, str) and "\x00" in value:
            # No key holds a NUL character, and PostgreSQL refuses to even compare one.
            raise Http404
        if self.request.method == "POST":
            # An action (confirm, post, ship...) hands the record to a service, which locks and
            # reads what it needs itself: what the queryset prefetches for display is not used.
            self._skip_prefetch = True
        try:
            return super().get_object()
        finally:
            self._skip_prefetch = False

    def get_queryset(self):
        company = tenancy.resolve(self.request)
        qs = super().get_queryset().filter(company=company)
        if getattr(self, "_skip_prefetch", False):
            qs = qs.prefetch_related(None)
        return self.scope_queryset(qs)


class CompanyScopedViewSet(CompanyScopedMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class CompanyScopedReadOnlyViewSet(CompanyScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class CompanyScopedCreateListViewSet(CompanyScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pass


ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid input (`code: invalid`, fields in `details`)."),
    409: OpenApiResponse(description="A business rule refused the request (see `code`)."),
}


class _AuditedWrites:
    """The default master-data service: validated, audited create, update and delete."""

    create = staticmethod(lambda **kw: audit.audited_create(**kw))
    update = staticmethod(lambda **kw: audit.audited_update(**kw))
    delete = staticmethod(lambda **kw: audit.audited_delete(**kw))


class MasterDataViewSet(CompanyScopedViewSet):
    """Master data whose writes go through `services`: a module with create, update and delete
    taking keyword arguments (by default the audited writes of `core.audit`)."""

    services = _AuditedWrites

    def perform_create(self, serializer):
        serializer.instance = self.services.create(
            model=self.queryset.model, company=self.request.company, actor=self.request.user, values=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = self.services.update(instance=serializer.instance, actor=self.request.user, values=serializer.validated_data)

    def perform_destroy(self, instance):
        self.services.delete(instance=instance, actor=self.request.user)


class ScopedViewSet(CompanyScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and read within the user's record scope; writes are actions (and create where a resource has it)."""

    http_method_names = ["get", "post", "head", "options"]
    visible = None  # a selector (company, membership) -> the rows this user may see

    def scope_queryset(self, qs):
        return within(qs, self.visible(self.request.company, self.request.membership))

    def fresh(self, document):
        """The document read again with its lines, as the answer should show it."""
        return self.get_queryset().get(pk=document.pk)

    def answer(self, document, status=200) -> Response:
        return Response(self.get_serializer(self.fresh(document)).data, status=status)

    def body(self, serializer_class) -> dict:
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data
