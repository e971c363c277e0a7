"""Language: Chinese unless the user chose English with the switch in the footer.

Django's LocaleMiddleware would also follow the browser's Accept-Language; since the English
catalogue covers the shell only, that gave Chinese users with English browsers half-English
pages. So only an explicit choice (the language cookie set by /i18n/setlang/) counts.
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
