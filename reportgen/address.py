"""One email address, parsed strictly: the one rule for every address reportgen sends to.

An address comes from a tracker's Email cell or from reportgen.toml. :func:`parse_address`
accepts it only when the text is exactly one address, ``name@example.org``, or
``Name <name@example.org>`` as Outlook copies it (the name is dropped: messages are
addressed to the address alone). Anything else raises :class:`AddressError` whose text
says what is wrong in words an officer understands: a comma or a semicolon (a list), a
line break (a header injection), a space, no ``@`` or two, nothing before the ``@``, no
domain, a domain without a dot or with an empty part, a quoted local part, a character
an address cannot hold, a hidden character.

The domain is checked as a host name and given in ASCII: an international domain is
converted with IDNA (``bücher.example`` → ``xn--bcher-kva.example``), and refused when the
conversion would change the name (IDNA 2003 maps ``ß`` to ``ss``: that would be another
domain). A non-ASCII local part (``jürgen@…``) is kept as it is: it can be delivered only
through a relay that offers SMTPUTF8 (:func:`needs_smtputf8`), which the sender checks per
recipient. Nothing here is ever written as an RFC 2047 encoded-word.

The parsing is the standard library's (``email.policy``'s header parser for the named
form) with the rules above on top. Besides the standard library this module imports only
:mod:`reportgen.text`, a leaf, so that the configuration, validation and email stages can
all use it (``reportgen.mail`` imports the renderers, which the first two must not).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.policy import default as _default_policy

from reportgen.text import visible

_BREAKS = "\r\n\x0b\x0c\x85\u2028\u2029"
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NAMED = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<spec>[^<>]*)>")


class AddressError(ValueError):
    """The text is not exactly one valid email address; ``str()`` says why."""


@dataclass(frozen=True)
class AddressProblem:
    """A configured address that is not used: where it is (``key``), what it holds and
    why it is refused, and who it was for."""

    key: str  # e.g. "email.officers.Morag Elliot", "email.board[2]"
    value: str
    reason: str
    who: str = ""

    def describe(self) -> str:
        return f"reportgen.toml {self.key} = '{shown(self.value)}': {self.reason}"


def shown(text: str, limit: int = 120) -> str:
    """``text`` as it can be printed in a message: hidden characters and line breaks
    written as ``<U+000A>`` (:func:`reportgen.text.visible`), cut at ``limit``."""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return visible(cut).replace("\t", "<U+0009>").replace("\n", "<U+000A>")


def parse_address(text: str) -> str:
    """The one address in ``text``, as reportgen sends to it: the part before the ``@``
    as written, the domain in lower-case ASCII (IDNA). Raises :class:`AddressError` when
    ``text`` is anything but exactly one valid address (see the module's docstring). A
    blank text is an error too: callers decide what a blank cell means."""
    text = text.strip()
    if not text:
        raise AddressError("it is empty")
    for ch in text:
        if ch in _BREAKS:
            raise AddressError("it contains a line break")
        if unicodedata.category(ch)[0] == "C":
            raise AddressError(f"it contains a hidden character (U+{ord(ch):04X})")
    if "<" in text or ">" in text:
        text = _named(text)
    return _addr_spec(text)


def needs_smtputf8(address: str) -> bool:
    """Whether delivering to ``address`` (as :func:`parse_address` returns it) needs a
    relay that offers SMTPUTF8: a non-ASCII part before the ``@``."""
    return not address.isascii()


def _named(text: str) -> str:
    """The address of ``Name <address>``, the whole text being one address."""
    if text.count("<") > 1 or text.count(">") > 1:
        raise AddressError("it holds more than one address")
    match = _NAMED.fullmatch(text)
    if match is None:
        raise AddressError("it has '<' or '>' out of place; write name@example.org or "
                           "Name <name@example.org>")
    try:
        header = _default_policy.header_factory("To", text)
        addresses = header.addresses
    except (HeaderParseError, IndexError, ValueError):
        addresses, header = (), None
    if header is None or len(addresses) != 1 or header.defects or any(
            g.display_name for g in header.groups):
        if "," in match["name"] or ";" in match["name"]:
            raise AddressError("the name before '<' holds a comma or a semicolon; put the "
                               "name in double quotes, or leave it out")
        raise AddressError("the name before '<' is not valid; leave it out")
    return match["spec"].strip()


def _addr_spec(text: str) -> str:
    if text.startswith('"'):
        raise AddressError("a quoted name before the @ is not accepted; use a plain address")
    if "," in text:
        raise AddressError("it contains a comma; give exactly one address")
    if ";" in text:
        raise AddressError("it contains a semicolon; give exactly one address")
    if any(ch.isspace() for ch in text):
        raise AddressError("it contains a space")
    ats = text.count("@")
    if ats == 0:
        raise AddressError("it has no @")
    if ats > 1:
        raise AddressError("it has more than one @")
    local, domain = text.split("@")
    _check_local(local)
    address = f"{local}@{_ascii_domain(domain)}"
    if len(address.encode("utf-8")) > 254:
        raise AddressError("it is longer than 254 characters")
    return address


def _check_local(local: str) -> None:
    if not local:
        raise AddressError("there is nothing before the @")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise AddressError("the part before the @ starts or ends with a dot, or has two "
                           "dots in a row")
    for ch in local:
        if ch != "." and ch.isascii() and not _ATEXT.fullmatch(ch):
            raise AddressError(f"the part before the @ contains '{ch}', which an address "
                               "cannot hold")
    if len(local.encode("utf-8")) > 64:
        raise AddressError("the part before the @ is longer than 64 characters")


def _ascii_domain(domain: str) -> str:
    if not domain:
        raise AddressError("there is no domain after the @")
    if domain.startswith("["):
        raise AddressError("an IP address in brackets is not accepted as a domain")
    if domain.endswith("."):
        raise AddressError("the domain ends with a dot")
    labels = domain.split(".")
    if "" in labels:
        raise AddressError("the domain starts with a dot or has two dots in a row")
    if len(labels) < 2:
        raise AddressError(f"the domain '{domain}' has no dot (e.g. example.org)")
    out = []
    for label in labels:
        if not label.isascii():
            try:
                encoded = label.encode("idna").decode("ascii")
                # lower(), not casefold(): "ß".casefold() is "ss", the very change refused
                same = encoded.encode("ascii").decode("idna") == label.lower()
            except UnicodeError:
                raise AddressError(f"the domain '{domain}' is not a valid international "
                                   "domain name") from None
            if not same:
                raise AddressError(f"the domain '{domain}' cannot be written in ASCII "
                                   "without changing it; give its xn-- form") from None
            label = encoded
        label = label.lower()
        if len(label) > 63:
            raise AddressError(f"the domain '{domain}' has a part longer than 63 characters")
        if not _LABEL.fullmatch(label):
            raise AddressError(f"the domain '{domain}' may hold only letters, digits, "
                               "hyphens and dots")
        out.append(label)
    if out[-1].isdigit():
        raise AddressError(f"the domain '{domain}' is a number, not a name")
    return ".".join(out)


__all__ = ["AddressError", "AddressProblem", "needs_smtputf8", "parse_address", "shown"]
