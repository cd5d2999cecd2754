"""The API's JSON parser: DRF's, plus two inputs Python's ``json`` accepts or
chokes on that must be a 400 rather than a server error.

- An unpaired UTF-16 surrogate escape (``"\\ud800"``) decodes to a string that
  PostgreSQL, the templates and the error messages all fail to encode.
- Nesting thousands of levels deep makes the decoder recurse too far.
"""

import io
import json
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Any surrogate escape at all: rare in real payloads, so the exact (slower) check
# below runs only when one is present.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error: nested too deeply.")) from None
        if _SURROGATE_ESCAPE.search(body):
            try:
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError(_("JSON parse error: unpaired surrogate escape (\\ud800-\\udfff).")) from None
        return data
