"""Path converters with bounds, so that a URL no database can answer is a
404 and never a 500 (issue 12, findings 4 and 6):

- `id`: a positive integer the database's bigint holds (at most 18 digits);
- `code`: a structure code, anything but `/` and NUL, at most 64
  characters. Building a URL escapes the code (`%2F` for a `/` in a code
  imported before codes were checked), and reading one unescapes it, so
  that every stored code still has a page;
- `token`: an invitation token (letters, digits, `-` and `_`).
"""

from urllib.parse import quote, unquote

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class CodeConverter:
    regex = "[^/]{1,200}"

    def to_python(self, value: str) -> str:
        code = unquote(value)
        if "\x00" in code or len(code) > 64:
            raise ValueError("not a structure code")
        return code

    def to_url(self, value) -> str:
        return quote(str(value), safe="")


class TokenConverter:
    regex = "[A-Za-z0-9_-]{1,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(CodeConverter, "code")
    register_converter(TokenConverter, "token")
