"""The framework floor for measurement 5: a DRF POST that parses its JSON body and answers 201
with no authentication, no database and no work. Mounted only by benchmarks.urls."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class EmptyPostApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def post(self, request: Request) -> Response:
        return Response({"received": len(request.data)}, status=201)
