"""The base of the goods resources: lists and reads within the user's record scope, writes through one service each.

A salesperson sees their own customers' deliveries and returns and gets 404 for the others;
after every write the document is read again through the same queryset, so the answer shows
what was stored.
"""

from rest_framework import mixins, viewsets
from rest_framework.response import Response

from salesdesk.core.api.views import CompanyScopedMixin


class ScopedViewSet(CompanyScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "head", "options"]
    visible = None  # a selector (company, membership) -> the rows this user may see

    def scope_queryset(self, qs):
        return qs.filter(pk__in=self.visible(self.request.company, self.request.membership).values("pk"))

    def fresh(self, document):
        return self.get_queryset().get(pk=document.pk)

    def answer(self, document, status=200) -> Response:
        return Response(self.get_serializer(self.fresh(document)).data, status=status)

    def body(self, serializer_class) -> dict:
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data
