"""The device-login page a person opens (login.microsoftonline.com/common/oauth2/deviceauth).

Like microsoft.com/devicelogin it asks for the code the device shows; in the
lab it also asks which user signs in (and optionally the password), because
there is no browser session. Plain HTML, no script, escaped output.
"""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:Segoe UI,Arial,sans-serif;max-width:30em;margin:3em auto;color:#1b1b1b}"
    "input{display:block;width:100%;margin:.3em 0 1em;padding:.4em}"
    "button{background:#0067b8;color:#fff;border:0;padding:.5em 2em}"
    ".ok{color:#107c10}.err{color:#a80000}"
)


def _page(body: str) -> str:
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>Enter code (exolab)</title><style>{_STYLE}</style></head>"
        f"<body><h1>Enter code</h1>{body}<p><small>exolab lab sign-in page: no Microsoft "
        "service is contacted.</small></p></body></html>"
    )


def form_page(user_code: str = "", user: str = "", message: str = "", ok: bool = False) -> str:
    note = f'<p class="{"ok" if ok else "err"}">{escape(message)}</p>' if message else ""
    if ok:
        return _page(note)
    return _page(
        f"{note}<p>Enter the code displayed on your app or device.</p>"
        '<form method="post" action="/common/oauth2/deviceauth">'
        f'<label>Code<input name="otc" value="{escape(user_code)}" autocomplete="off"></label>'
        f'<label>Sign in as<input name="user" value="{escape(user)}" '
        'placeholder="alice@contoso.com"></label>'
        '<label>Password (optional in the lab)<input name="password" type="password"></label>'
        "<button type=submit>Next</button></form>"
    )
