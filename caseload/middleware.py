"""Pages, exports and API answers name offenders: no proxy or shared browser may keep a copy."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Cache-Control: no-store (and never cached) on every response the app makes; static files are served
    before this middleware and keep their own long-lived headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
